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

// An object as the API server returns it after an apply of `wanted`: what the server adds, quantities in its
// canonical form, no apiVersion and kind (an informer's list), an empty subject list dropped.
rapidjson::Document AsStored(const rapidjson::Value& wanted) {
  rapidjson::Document live;
  live.CopyFrom(wanted, live.GetAllocator());
  live.RemoveMember("apiVersion");
  live.RemoveMember("kind");
  SetString(live, {"metadata", "resourceVersion"}, "42");
  SetString(live, {"metadata", "uid"}, "0a1b");
  SetString(live, {"metadata", "labels", "kubernetes.io/metadata.name"}, "team-a");
  if (live.HasMember("subjects") && live["subjects"].Empty()) live.RemoveMember("subjects");
  if (FindPath(live, {"spec", "hard"}) != nullptr) {
    SetString(live, {"spec", "hard", "requests.cpu"}, "1.5");  // 1500m
    SetString(live, {"status", "used", "pods"}, "3");
  }
  return live;
}

TEST_CASE("an object as the server stores it is applied as wanted, a hand edit or a missing field is not") {
  api::SparkTenant tenant = Tenant();
  tenant.spec.members.clear();
  tenant.spec.quota.cpu = "1.5";
  tenant.spec.quota.memory = "16g";
  tenant.spec.defaults.limits.memory = "1g";
  for (const TenantObject& o : BuildTenantManifest(tenant)) {
    INFO(o.kind << " " << o.name);
    CHECK(AppliedAsWanted(AsStored(o.object), o.object));
  }
  const std::vector<TenantObject> objects = BuildTenantManifest(Tenant());
  const rapidjson::Value& members = objects[4].object;
  rapidjson::Document edited = AsStored(members);
  edited["subjects"][0]["name"].SetString("mallory", edited.GetAllocator());
  CHECK_FALSE(AppliedAsWanted(edited, members));
  edited = AsStored(members);
  edited["subjects"].PopBack();  // One member fewer.
  CHECK_FALSE(AppliedAsWanted(edited, members));
  edited = AsStored(objects[0].object);
  edited["metadata"]["labels"].RemoveMember(kTenantLabel);
  CHECK_FALSE(AppliedAsWanted(edited, objects[0].object));
  // Quantities compare by value only where they are amounts.
  tenant.spec.quota.cpu = "2";
  const std::vector<TenantObject> with_quota = BuildTenantManifest(tenant);
  const rapidjson::Value& quota = with_quota[5].object;
  edited = AsStored(quota);
  SetString(edited, {"spec", "hard", "requests.cpu"}, "2000m");
  CHECK(AppliedAsWanted(edited, quota));
  SetString(edited, {"spec", "hard", "requests.cpu"}, "100");
  CHECK_FALSE(AppliedAsWanted(edited, quota));
}

}  // namespace
}  // namespace spark_operator::controller
