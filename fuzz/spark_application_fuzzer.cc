// libFuzzer target: any bytes as a YAML stream of SparkApplications, the way a user's manifest reaches the
// controller (kubectl turns the YAML into JSON; the controller reads that JSON strictly, defaults and validates
// it, and writes it back). YAML first, because its anchors and aliases reach shapes JSON cannot write (a node
// inside itself). Invariants: whatever the input, no crash; an app that reads and validates writes JSON that
// reads back to the same JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/spark_application.h"
#include "common/base/json.h"
#include "common/base/yaml.h"

namespace api = spark_operator::api;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  auto docs = spark_operator::YamlStreamToJson(yaml);
  if (!docs.ok()) return 0;
  for (const rapidjson::Document& doc : *docs) {
    // The JSON the API server would hand over: written and parsed again as the controller's client does.
    auto object = spark_operator::ParseJson(spark_operator::ToJson(doc));
    if (!object.ok()) continue;  // Deeper than the client accepts: refused before it reaches the codec.
    auto app = api::ParseSparkApplication(*object);
    if (!app.ok()) continue;
    api::ApplyDefaults(*app);
    if (!api::Validate(*app).ok()) continue;
    const std::string written = spark_operator::ToJson(api::ToJson(*app));
    auto reread = spark_operator::ParseJson(written);
    if (!reread.ok()) __builtin_trap();
    auto again = api::ParseSparkApplication(*reread);
    if (!again.ok()) __builtin_trap();
    if (spark_operator::ToJson(api::ToJson(*again)) != written) __builtin_trap();
  }
  return 0;
}
