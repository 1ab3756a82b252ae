// admission.k8s.io/v1 AdmissionReview in and out: the HTTP body the API server posts to /mutate-pods, and
// the answer. Only pod CREATE is mutated; every other request is allowed untouched.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "initializer/mutator.h"

namespace spark_operator::initializer {

struct AdmissionRequest {
  std::string api_version;  // Echoed in the response: "admission.k8s.io/v1".
  std::string uid;
  std::string group, version, resource;  // request.resource
  std::string sub_resource;
  std::string operation;  // CREATE, UPDATE, DELETE, CONNECT
  std::string ns;
  std::string name;
  bool dry_run = false;
  rapidjson::Document object;  // request.object; null when absent.
};

// InvalidArgument with a readable message for malformed JSON, a wrong apiVersion/kind or a missing uid:
// such a body cannot be answered with an AdmissionReview, so it gets HTTP 400.
Result<AdmissionRequest> ParseAdmissionReview(std::string_view body);

// The AdmissionReview response body for `decision`. A denial carries status.code (400 for bad input,
// 403 otherwise) and status.message; a patch is base64 JSONPatch.
std::string BuildAdmissionResponse(const std::string& api_version, const std::string& uid, const Decision& decision,
                                   int denial_code = 403);

// What /mutate-pods answers.
struct AdmissionResult {
  int http_status = 200;
  std::string body;
  std::string content_type = "application/json";
  // For metrics and logs: "allowed", "patched", "denied", "error" (HTTP 400), "skipped" (not a pod CREATE).
  std::string outcome;
  size_t warnings = 0;
  std::string object_key;  // "namespace/name" of the pod, for logs (name may be empty: generateName).
  std::string message;     // The error or denial message, for logs.
};

class AdmissionHandler {
 public:
  explicit AdmissionHandler(const Mutator* mutator) : mutator_(mutator) {}
  AdmissionResult Handle(std::string_view body) const;

 private:
  const Mutator* mutator_;
};

}  // namespace spark_operator::initializer
