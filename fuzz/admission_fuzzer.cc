// libFuzzer target: any bytes as an AdmissionReview body through the whole /mutate-pods path (parse, annotation
// parsing and validation, patch building, response), under both policies. Invariants: a 200 response body
// is valid JSON; every accepted mount has an absolute path and a volume name of at most 63 characters.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/mounts.h"
#include "common/base/json.h"
#include "initializer/admission.h"
#include "initializer/mutator.h"

namespace init = spark_operator::initializer;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const init::Mutator deny({init::InvalidAnnotationPolicy::kDeny});
  static const init::Mutator warn({init::InvalidAnnotationPolicy::kWarn});
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const init::Mutator* mutator : {&deny, &warn}) {
    const init::AdmissionResult result = init::AdmissionHandler(mutator).Handle(body);
    if (result.http_status == 200 && !spark_operator::ParseJson(result.body).ok()) __builtin_trap();
  }
  // The annotation parser alone, on whatever object the input is.
  auto doc = spark_operator::ParseJson(body);
  if (doc.ok()) {
    const spark_operator::api::ParsedMountAnnotations parsed = spark_operator::api::ParseMountAnnotations(*doc);
    for (const spark_operator::api::Mount& m : parsed.mounts) {
      if (m.volume_name.size() > 63 || m.mount_path.empty() || m.mount_path[0] != '/') __builtin_trap();
    }
  }
  return 0;
}
