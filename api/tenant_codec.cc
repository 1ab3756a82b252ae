// Reading, writing, defaulting and checking a SparkTenant, through the visitors api/codec.cc and api/validate.cc
// instantiate for its structs.
#include <string>
#include <vector>

#include "api/object_codec.h"
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
  return internal::ParseObject<SparkTenant>(object, kTenantKind);
}

rapidjson::Document TenantToJson(const SparkTenant& tenant) { return internal::ObjectToJson(tenant, kTenantKind); }

rapidjson::Document TenantStatusToJson(const SparkTenantStatus& status) { return internal::StatusDocument(status); }

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
  return internal::ProblemsStatus(problems);
}

}  // namespace spark_operator::api
