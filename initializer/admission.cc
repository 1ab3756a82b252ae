#include "initializer/admission.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/base/base64.h"
#include "common/base/json.h"
#include "common/base/strings.h"
#include "common/kube/pod.h"

namespace spark_operator::initializer {
namespace {

using rapidjson::Value;

std::string ErrorBody(const std::string& message) { return message + "\n"; }

}  // namespace

Result<AdmissionRequest> ParseAdmissionReview(std::string_view body) {
  Result<rapidjson::Document> parsed = ParseJson(body);
  if (!parsed.ok()) return parsed.status().WithContext("AdmissionReview");
  const rapidjson::Document& doc = *parsed;
  if (!doc.IsObject()) return InvalidArgumentError("AdmissionReview: body is not a JSON object");
  AdmissionRequest request;
  request.api_version = GetString(doc, {"apiVersion"});
  const std::string kind = GetString(doc, {"kind"});
  if (kind != "AdmissionReview") {
    return InvalidArgumentError("AdmissionReview: kind is \"" + kind + "\", want \"AdmissionReview\"");
  }
  if (request.api_version != "admission.k8s.io/v1" && request.api_version != "admission.k8s.io/v1beta1") {
    return InvalidArgumentError("AdmissionReview: apiVersion is \"" + request.api_version +
                                "\", want \"admission.k8s.io/v1\"");
  }
  const Value* req = FindPath(doc, {"request"});
  if (req == nullptr || !req->IsObject()) return InvalidArgumentError("AdmissionReview: no request");
  request.uid = GetString(*req, {"uid"});
  if (request.uid.empty()) return InvalidArgumentError("AdmissionReview: request.uid is missing");
  request.group = GetString(*req, {"resource", "group"});
  request.version = GetString(*req, {"resource", "version"});
  request.resource = GetString(*req, {"resource", "resource"});
  request.sub_resource = GetString(*req, {"subResource"});
  request.operation = GetString(*req, {"operation"});
  request.ns = GetString(*req, {"namespace"});
  request.name = GetString(*req, {"name"});
  request.dry_run = GetBool(*req, {"dryRun"});
  if (const Value* object = FindPath(*req, {"object"}); object != nullptr) {
    request.object.CopyFrom(*object, request.object.GetAllocator());
  }
  return request;
}

std::string BuildAdmissionResponse(const std::string& api_version, const std::string& uid, const Decision& decision,
                                   int denial_code) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("apiVersion");
  w.String(api_version.empty() ? "admission.k8s.io/v1" : api_version.c_str());
  w.Key("kind");
  w.String("AdmissionReview");
  w.Key("response");
  w.StartObject();
  w.Key("uid");
  const std::string valid_uid = ToValidUtf8(uid);
  w.String(valid_uid.c_str(), static_cast<rapidjson::SizeType>(valid_uid.size()));
  w.Key("allowed");
  w.Bool(decision.allowed);
  if (!decision.allowed) {
    w.Key("status");
    w.StartObject();
    w.Key("code");
    w.Int(denial_code);
    w.Key("message");
    const std::string message = ToValidUtf8(decision.message);
    w.String(message.c_str(), static_cast<rapidjson::SizeType>(message.size()));
    w.EndObject();
  } else if (!decision.patch.empty()) {
    w.Key("patchType");
    w.String("JSONPatch");
    w.Key("patch");
    const std::string encoded = Base64Encode(decision.patch);
    w.String(encoded.c_str(), static_cast<rapidjson::SizeType>(encoded.size()));
  }
  if (!decision.warnings.empty()) {
    w.Key("warnings");
    w.StartArray();
    for (const std::string& raw : decision.warnings) {
      const std::string warning = ToValidUtf8(raw);
      w.String(warning.c_str(), static_cast<rapidjson::SizeType>(warning.size()));
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

AdmissionResult AdmissionHandler::Handle(std::string_view body) const {
  AdmissionResult result;
  Result<AdmissionRequest> parsed = ParseAdmissionReview(body);
  if (!parsed.ok()) {
    result.http_status = 400;
    result.content_type = "text/plain; charset=utf-8";
    result.body = ErrorBody(parsed.status().message());
    result.outcome = "error";
    result.message = parsed.status().message();
    return result;
  }
  const AdmissionRequest& request = *parsed;
  result.object_key = request.ns.empty() ? request.name : request.ns + "/" + request.name;
  const bool pod_create = request.group.empty() && request.resource == "pods" && request.sub_resource.empty() &&
                          request.operation == "CREATE";
  if (!pod_create) {
    result.outcome = "skipped";
    result.body = BuildAdmissionResponse(request.api_version, request.uid, Decision{});
    return result;
  }
  if (!request.object.IsObject()) {
    Decision denied;
    denied.allowed = false;
    denied.message = "AdmissionReview: request.object is missing or not a Pod object";
    result.outcome = "denied";
    result.message = denied.message;
    result.body = BuildAdmissionResponse(request.api_version, request.uid, denied, 400);
    return result;
  }
  const AdmittedPod pod(request.object);
  if (result.object_key.empty() || result.object_key.back() == '/') {
    const kube::ObjectMeta& meta = pod.parsed().meta;
    result.object_key += meta.name.empty() ? meta.generate_name + "*" : meta.name;
  }
  const Decision decision = mutator_->Mutate(pod, request.ns);
  result.outcome = !decision.allowed ? "denied" : decision.patch.empty() ? "allowed" : "patched";
  result.message = decision.message;
  result.warnings = decision.warnings.size();
  result.body = BuildAdmissionResponse(request.api_version, request.uid, decision);
  return result;
}

}  // namespace spark_operator::initializer
