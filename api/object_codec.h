// Reading and writing a whole custom resource (apiVersion, kind, metadata, spec, status) for the kinds described
// by VisitFields besides the SparkApplication: the same steps for each, over api/field_visitors.h. A kind's
// codec instantiates these for its struct (whose members are metadata, spec and status).
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <utility>
#include <vector>

#include "api/field_visitors.h"
#include "api/types.h"
#include "common/base/json.h"
#include "common/base/status.h"

namespace spark_operator::api::internal {

// Metadata and status leniently, the spec strictly, every problem in one InvalidArgument message. apiVersion
// and kind, when present, must be spark-operator.k8s.io/v1alpha1 and `kind`.
template <class Object>
Result<Object> ParseObject(const rapidjson::Value& object, const char* kind) {
  if (!object.IsObject()) return InvalidArgumentError(std::string("a ") + kind + " must be a JSON object");
  const std::string api_version = GetString(object, {"apiVersion"}, kApiVersion);
  const std::string got_kind = GetString(object, {"kind"}, kind);
  if (api_version != kApiVersion || got_kind != kind) {
    return InvalidArgumentError("expected apiVersion " + std::string(kApiVersion) + " and kind " + kind + ", got " +
                                api_version + " " + got_kind);
  }
  Object out;
  std::string message;
  const auto read = [&](const char* name, bool strict, auto& into) {
    const rapidjson::Value* json = FindPath(object, {name});
    if (json == nullptr || json->IsNull()) return;
    const Status s = ReadFields(*json, name, strict, into);
    if (!s.ok()) message += (message.empty() ? "" : "; ") + s.message();
  };
  read("metadata", /*strict=*/false, out.metadata);
  read("spec", /*strict=*/true, out.spec);
  read("status", /*strict=*/false, out.status);
  if (!message.empty()) return InvalidArgumentError(std::move(message));
  return out;
}

// The whole object with apiVersion and kind; empty fields left out.
template <class Object>
rapidjson::Document ObjectToJson(const Object& object, const char* kind) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("apiVersion", rapidjson::StringRef(kApiVersion), a);
  doc.AddMember("kind", rapidjson::StringRef(kind), a);
  const auto add = [&doc, &a](const char* name, rapidjson::Value json) {
    if (json.IsNull()) json.SetObject();
    doc.AddMember(rapidjson::StringRef(name), json, a);
  };
  add("metadata", WriteFields(object.metadata, a));
  add("spec", WriteFields(object.spec, a));
  add("status", WriteFields(object.status, a));
  return doc;
}

// The value of .status, whole, for PUT .../status.
template <class StatusT>
rapidjson::Document StatusDocument(const StatusT& status) {
  rapidjson::Document doc;
  rapidjson::Value json = WriteFields(status, doc.GetAllocator());
  if (json.IsNull()) json.SetObject();
  static_cast<rapidjson::Value&>(doc) = std::move(json);
  return doc;
}

// OK, or every problem in one InvalidArgument message joined by "; ".
inline Status ProblemsStatus(const std::vector<std::string>& problems) {
  if (problems.empty()) return OkStatus();
  std::string message;
  for (const std::string& p : problems) message += (message.empty() ? "" : "; ") + p;
  return InvalidArgumentError(std::move(message));
}

}  // namespace spark_operator::api::internal
