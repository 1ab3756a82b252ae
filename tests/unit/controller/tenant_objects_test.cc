#include "controller/tenant_objects.h"

#include <catch2/catch.hpp>
#include <string>

#include "common/base/json.h"

namespace spark_operator::controller {
namespace {

api::SparkTenant Tenant() {
  api::SparkTenant tenant;
  tenant.metadata.name = "team-a";
  tenant.spec.members = {{api::MemberKind::kUser, "alice", ""}, {api::MemberKind::kServiceAccount, "ci", ""}};
  api::ApplyDefaults(tenant);
  return tenant;
}

std::string Kinds(const std::vector<TenantObject>& objects) {
  std::string out;
  for (const TenantObject& o : objects) out += o.kind + "/" + o.name + " ";
  return out;
}

TEST_CASE("a tenant is its namespace, driver account and Role, members' binding, and only the quota it asks for") {
  api::SparkTenant tenant = Tenant();
  CHECK(Kinds(BuildTenantManifest(tenant)) ==
        "Namespace/team-a ServiceAccount/spark Role/spark-driver RoleBinding/spark-driver "
        "RoleBinding/spark-tenant-members ");
  CHECK(Kinds(TenantObjectsToDelete(tenant)) == "ResourceQuota/spark-tenant-quota LimitRange/spark-tenant-defaults ");

  tenant.spec.quota.memory = "16g";
  tenant.spec.quota.cpu = "1.5";
  tenant.spec.defaults.limits.memory = "1g";
  const std::vector<TenantObject> objects = BuildTenantManifest(tenant);
  REQUIRE(objects.size() == 7);
  CHECK(TenantObjectsToDelete(tenant).empty());
  for (const TenantObject& o : objects) {
    INFO(o.kind);
    CHECK(GetString(o.object, {"metadata", "labels", kTenantLabel}) == "team-a");
  }
  CHECK(ToJson(objects[4].object["subjects"]) ==
        R"([{"kind":"User","name":"alice","apiGroup":"rbac.authorization.k8s.io"},)"
        R"({"kind":"ServiceAccount","name":"ci","namespace":"team-a"}])");
  CHECK(GetString(objects[4].object, {"roleRef", "name"}) == kMemberClusterRole);
  CHECK(ToJson(objects[5].object["spec"]["hard"]) == R"({"requests.cpu":"1500m","requests.memory":"16Gi"})");
  CHECK(ToJson(objects[6].object["spec"]["limits"]) == R"([{"type":"Container","default":{"memory":"1Gi"}}])");
}

TEST_CASE("members removed from the spec leave an empty subject list, which takes their access away") {
  api::SparkTenant tenant = Tenant();
  tenant.spec.members.clear();
  CHECK(ToJson(BuildTenantManifest(tenant)[4].object["subjects"]) == "[]");
}

TEST_CASE("the tenant's label cannot be overridden by the namespace labels the spec asks for") {
  api::SparkTenant tenant = Tenant();
  tenant.spec.namespace_.labels = {{kTenantLabel, "someone-else"}, {"team", "a"}};
  const rapidjson::Document& ns = BuildTenantManifest(tenant)[0].object;
  CHECK(GetString(ns, {"metadata", "labels", kTenantLabel}) == "team-a");
  CHECK(GetString(ns, {"metadata", "labels", "team"}) == "a");
}

}  // namespace
}  // namespace spark_operator::controller
