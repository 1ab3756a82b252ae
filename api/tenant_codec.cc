// Reading, writing, defaulting and checking a SparkTenant, through the visitors api/codec.cc and api/validate.cc
// instantiate for its structs.
#include <string>
#include <vector>

#include "api/field_visitors.h"
#include "api/quantity.h"
#include "api/spark_tenant.h"
#include "api/types.h"
#include "common/base/json.h"

namespace spark_operator::api {
namespace {

void CheckLimitAtLeastRequest(const TenantDefaults& defaults, std::vector<std::string>& problems) {
  if (!defaults.requests.cpu.empty() && !defaults.limits.cpu.empty()) {
    const Result<int64_t> request = ParseCpuMillis(defaults.requests.cpu);
    const Result<int64_t> limit = ParseCpuMillis(defaults.limits.cpu);
    if (request.ok() && limit.ok() && *limit < *request) {
      problems.push_back("spec.defaults.limits.cpu: \"" + defaults.limits.cpu + "\" is less than requests.cpu \"" +
                         defaults.requests.cpu + "\"");
    }
  }
  if (!defaults.requests.memory.empty() && !defaults.limits.memory.empty()) {
    const Result<int64_t> request = ParseMemoryBytes(defaults.requests.memory);
    const Result<int64_t> limit = ParseMemoryBytes(defaults.limits.memory);
    if (request.ok() && limit.ok() && *limit < *request) {
      problems.push_back("spec.defaults.limits.memory: \"" + defaults.limits.memory +
                         "\" is less than requests.memory \"" + defaults.requests.memory + "\"");
    }
  }
}

}  // namespace

Result<SparkTenant> ParseSparkTenant(const rapidjson::Value& object) {
  if (!object.IsObject()) return InvalidArgumentError("a SparkTenant must be a JSON object");
  const std::string api_version = GetString(object, {"apiVersion"}, kApiVersion);
  const std::string kind = GetString(object, {"kind"}, kTenantKind);
  if (api_version != kApiVersion || kind != kTenantKind) {
    return InvalidArgumentError("expected apiVersion " + std::string(kApiVersion) + " and kind " + kTenantKind +
                                ", got " + api_version + " " + kind);
  }
  SparkTenant tenant;
  std::string message;
  const auto read = [&](const char* name, bool strict, auto& out) {
    const rapidjson::Value* json = FindPath(object, {name});
    if (json == nullptr || json->IsNull()) return;
    const Status s = internal::ReadFields(*json, name, strict, out);
    if (!s.ok()) message += (message.empty() ? "" : "; ") + s.message();
  };
  read("metadata", /*strict=*/false, tenant.metadata);
  read("spec", /*strict=*/true, tenant.spec);
  read("status", /*strict=*/false, tenant.status);
  if (!message.empty()) return InvalidArgumentError(std::move(message));
  return tenant;
}

rapidjson::Document TenantToJson(const SparkTenant& tenant) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("apiVersion", rapidjson::StringRef(kApiVersion), a);
  doc.AddMember("kind", rapidjson::StringRef(kTenantKind), a);
  const auto add = [&doc, &a](const char* name, rapidjson::Value json) {
    if (json.IsNull()) json.SetObject();
    doc.AddMember(rapidjson::StringRef(name), json, a);
  };
  add("metadata", internal::WriteFields(tenant.metadata, a));
  add("spec", internal::WriteFields(tenant.spec, a));
  add("status", internal::WriteFields(tenant.status, a));
  return doc;
}

rapidjson::Document TenantStatusToJson(const SparkTenantStatus& status) {
  rapidjson::Document doc;
  rapidjson::Value json = internal::WriteFields(status, doc.GetAllocator());
  if (json.IsNull()) json.SetObject();
  static_cast<rapidjson::Value&>(doc) = std::move(json);
  return doc;
}

void ApplyDefaults(SparkTenant& tenant) {
  SparkTenantSpec& spec = tenant.spec;
  if (spec.namespace_.name.empty()) spec.namespace_.name = tenant.metadata.name;
  for (TenantMember& member : spec.members) {
    if (member.kind == MemberKind::kServiceAccount && member.namespace_.empty()) {
      member.namespace_ = spec.namespace_.name;
    }
  }
  if (spec.defaults.driver_service_account.empty()) spec.defaults.driver_service_account = kDefaultDriverServiceAccount;
  if (!spec.deletion_policy) spec.deletion_policy = DeletionPolicy::kRetain;
}

Status Validate(const SparkTenant& tenant) {
  std::vector<std::string> problems;
  internal::CheckFields("spec", tenant.spec, problems);
  for (size_t i = 0; i < tenant.spec.members.size(); ++i) {
    const TenantMember& member = tenant.spec.members[i];
    if (member.kind != MemberKind::kServiceAccount && !member.namespace_.empty()) {
      problems.push_back("spec.members[" + std::to_string(i) + "].namespace: only for kind ServiceAccount");
    }
  }
  CheckLimitAtLeastRequest(tenant.spec.defaults, problems);
  if (problems.empty()) return OkStatus();
  std::string message;
  for (const std::string& p : problems) message += (message.empty() ? "" : "; ") + p;
  return InvalidArgumentError(std::move(message));
}

}  // namespace spark_operator::api
