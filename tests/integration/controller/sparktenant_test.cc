// SparkTenants against the local cluster, whose RBAC and ResourceQuota admission do the enforcing: a tenant
// makes its namespace, RBAC, quota and limits and repairs them; members may run applications in their namespace
// only; deletionPolicy decides the namespace's fate.
#include <cstdio>

#include "controller/scheduled_reconciler.h"
#include "tests/integration/controller/tenant_harness.h"

namespace spark_operator::controller::testing {
namespace {

using kube::resources::kNamespaces;

void EnsureMemberRole(kube::Client& client) {
  const Result<std::string> yaml = ReadFile(SourceDir() + "/deploy/rbac/tenant_member_role.yaml");
  REQUIRE(yaml.ok());
  const Result<rapidjson::Document> role = YamlToJson(*yaml);
  REQUIRE(role.ok());
  kube::PatchOptions apply;
  apply.field_manager = "integration-test";
  apply.force = true;
  const auto applied = client.Patch(kube::Resource{"rbac.authorization.k8s.io", "v1", "clusterroles", false}, "",
                                    "spark-operator-tenant-member", kube::PatchType::kApply, ToJson(*role), apply);
  if (!applied.ok()) FAIL(applied.status().ToString());
}

rapidjson::Document GetTenant(kube::Client& client, const std::string& name) {
  Result<rapidjson::Document> t = client.Get(kSparkTenants, "", name);
  return t.ok() ? std::move(*t) : rapidjson::Document(rapidjson::kObjectType);
}

// "True/Applied", "False/NamespaceNotOwned", ... of the Ready condition; "" before there is one.
std::string Ready(kube::Client& client, const std::string& name) {
  const rapidjson::Document t = GetTenant(client, name);
  const rapidjson::Value* conditions = FindPath(t, {"status", "conditions"});
  if (conditions == nullptr || !conditions->IsArray()) return "";
  for (const rapidjson::Value& c : conditions->GetArray()) {
    if (GetString(c, {"type"}) == "Ready") return GetString(c, {"status"}) + "/" + GetString(c, {"reason"});
  }
  return "";
}

bool Exists(kube::Client& client, const kube::Resource& resource, const std::string& ns, const std::string& name) {
  return client.Get(resource, ns, name).ok();
}

void NativeOptions(ManagerOptions& options) {
  options.native_submission = true;
  options.spark_submit.clear();
}

TEST_CASE("a tenant makes its namespace, RBAC, quota and limits, is Ready, and repairs deletions in seconds") {
  auto client = AdminClient();
  EnsureCrd(*client);
  EnsureMemberRole(*client);
  const std::string name = UniqueName("team");
  RunningController controller(name, std::chrono::seconds(60), "", NativeOptions);
  const auto created_at = std::chrono::steady_clock::now();
  const Tenant tenant(client, name, R"({
      "namespace": {"labels": {"cost-center": "42"}, "annotations": {"owner": "data-platform"}},
      "members": [{"kind": "User", "name": "alice"}, {"kind": "ServiceAccount", "name": "ci"}],
      "quota": {"cpu": "2", "memory": "4g", "pods": 10},
      "defaults": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "1g"}},
      "deletionPolicy": "Delete"})");
  REQUIRE(Eventually([&] { return Ready(*client, name) == "True/Applied"; }));
  const auto ready_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - created_at).count();
  std::printf("figure: tenant created -> Ready in %lld ms\n", static_cast<long long>(ready_ms));

  const rapidjson::Document ns = *client->Get(kNamespaces, "", name);
  CHECK(GetString(ns, {"metadata", "labels", "spark-operator.k8s.io/tenant"}) == name);
  CHECK(GetString(ns, {"metadata", "labels", "cost-center"}) == "42");
  CHECK(GetString(ns, {"metadata", "annotations", "owner"}) == "data-platform");
  CHECK(Exists(*client, kube::resources::kServiceAccounts, name, "spark"));
  CHECK(Exists(*client, kube::resources::kRoles, name, "spark-driver"));
  const rapidjson::Document driver_binding = *client->Get(kube::resources::kRoleBindings, name, "spark-driver");
  CHECK(GetString(driver_binding["subjects"][0], {"name"}) == "spark");
  const rapidjson::Document members = *client->Get(kube::resources::kRoleBindings, name, "spark-tenant-members");
  CHECK(GetString(members, {"roleRef", "name"}) == "spark-operator-tenant-member");
  CHECK(ToJson(members["subjects"]) == R"([{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"},)"
                                       R"({"kind":"ServiceAccount","name":"ci","namespace":")" +
                                           name + R"("}])");
  const rapidjson::Document quota = *client->Get(kube::resources::kResourceQuotas, name, "spark-tenant-quota");
  CHECK(ToJson(quota["spec"]["hard"]) == R"({"pods":"10","requests.cpu":"2","requests.memory":"4Gi"})");
  const rapidjson::Document limits = *client->Get(kLimitRanges, name, "spark-tenant-defaults");
  CHECK(ToJson(limits["spec"]["limits"][0]["default"]) == R"({"cpu":"1","memory":"1Gi"})");
  CHECK(ToJson(limits["spec"]["limits"][0]["defaultRequest"]) == R"({"cpu":"100m","memory":"128Mi"})");

  const rapidjson::Document status = GetTenant(*client, name);
  CHECK(GetString(status, {"status", "namespace"}) == name);
  CHECK(GetString(status, {"status", "quota", "hard", "cpu"}) == "2");
  CHECK(GetString(status, {"status", "quota", "hard", "memory"}) == "4Gi");
  CHECK(GetString(status, {"status", "quota", "used", "pods"}) == "0");
  CHECK(GetInt(status, {"status", "observedGeneration"}) == GetInt(status, {"metadata", "generation"}));

  // Hand deletions and edits are undone, well before any resync.
  for (const auto& [resource, object] : std::vector<std::pair<const kube::Resource*, std::string>>{
           {&kube::resources::kRoles, "spark-driver"},
           {&kube::resources::kResourceQuotas, "spark-tenant-quota"},
           {&kube::resources::kRoleBindings, "spark-tenant-members"},
           {&kLimitRanges, "spark-tenant-defaults"}}) {
    REQUIRE(client->Delete(*resource, name, object).ok());
    const auto deleted_at = std::chrono::steady_clock::now();
    CHECK(Eventually([&] { return Exists(*client, *resource, name, object); }, std::chrono::seconds(10)));
    std::printf("figure: %s %s deleted -> back in %lld ms\n", resource->plural.c_str(), object.c_str(),
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - deleted_at)
                        .count()));
  }
  REQUIRE(client
              ->Patch(kube::resources::kResourceQuotas, name, "spark-tenant-quota", kube::PatchType::kMerge,
                      R"({"spec":{"hard":{"requests.cpu":"100"}}})")
              .ok());
  CHECK(Eventually(
      [&] {
        const auto q = client->Get(kube::resources::kResourceQuotas, name, "spark-tenant-quota");
        return q.ok() && GetString(*q, {"spec", "hard", "requests.cpu"}) == "2";
      },
      std::chrono::seconds(10)));

  // An application in the tenant's namespace runs as the tenant's driver account, within its quota.
  rapidjson::Document app = ExampleApp(name, "pi");
  CreateApp(*client, app);
  REQUIRE(Eventually([&] { return PodPhase(*client, name, "pi-1-driver") == "Running"; }, std::chrono::seconds(60)));
  CHECK(Eventually([&] {
    const rapidjson::Document t = GetTenant(*client, name);
    return GetString(t, {"status", "quota", "used", "pods"}) == "1" &&
           GetInt(t, {"status", "applications", "running"}) == 1;
  }));
}

// A client authenticated as the service account `ns`/`name`, by a token the API server issues for it: the
// server's own authentication and RBAC decide what it may do.
std::shared_ptr<kube::Client> ClientAs(kube::Client& admin, const std::string& ns, const std::string& name) {
  REQUIRE(admin
              .Create(kube::resources::kServiceAccounts, ns,
                      Json(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":")" + name + "\"}}"))
              .ok());
  const Result<http::Response> token =
      admin.Raw("POST", "/api/v1/namespaces/" + ns + "/serviceaccounts/" + name + "/token",
                R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3600}})");
  REQUIRE(token.ok());
  const Result<rapidjson::Document> issued = ParseJson(token->body);
  REQUIRE(issued.ok());
  kube::RestConfig config = spark_operator::testing::AdminConfig();
  config.tls.client_cert_pem.clear();
  config.tls.client_key_pem.clear();
  config.bearer_token = GetString(*issued, {"status", "token"});
  REQUIRE_FALSE(config.bearer_token.empty());
  Result<std::shared_ptr<kube::Client>> client = kube::Client::Create(config);
  REQUIRE(client.ok());
  return *client;
}

TEST_CASE("a member may run applications in its tenant's namespace only, and cannot grant anything") {
  auto client = AdminClient();
  EnsureCrd(*client);
  EnsureMemberRole(*client);
  const TestNamespace people(client, "people");
  const std::string a = UniqueName("team");
  const std::string b = UniqueName("team");
  RunningController controller(a, std::chrono::seconds(60), "", NativeOptions);
  const std::string member = R"({"kind": "ServiceAccount", "namespace": ")" + people.name() + R"(", "name": ")";
  const Tenant ta(client, a, R"({"members": [)" + member + R"(alice"}], "deletionPolicy": "Delete"})");
  const Tenant tb(client, b, R"({"members": [)" + member + R"(bob"}], "deletionPolicy": "Delete"})");
  REQUIRE(Eventually([&] { return Ready(*client, a) == "True/Applied" && Ready(*client, b) == "True/Applied"; }));
  const std::shared_ptr<kube::Client> alice = ClientAs(*client, people.name(), "alice");

  const auto own = alice->Create(kube::resources::kSparkApplications, a, ExampleApp(a, "mine"));
  INFO(own.status().ToString());
  CHECK(own.ok());
  CHECK(alice->List(kube::resources::kPods, a).ok());
  CHECK(alice->List(kube::resources::kEvents, a).ok());
  CHECK(alice->Get(kube::resources::kSparkApplications, a, "mine").ok());
  CHECK(alice->Delete(kube::resources::kSparkApplications, a, "mine").ok());
  CHECK(alice->List(kScheduledSparkApplications, a).ok());  // Schedules too.
  CHECK(alice->List(kScheduledSparkApplications, b).status().code() == StatusCode::kForbidden);

  const auto other = alice->Create(kube::resources::kSparkApplications, b, ExampleApp(b, "theirs"));
  CHECK(other.status().code() == StatusCode::kForbidden);
  const auto in_default = alice->Create(kube::resources::kSparkApplications, "default", ExampleApp("default", "x"));
  CHECK(in_default.status().code() == StatusCode::kForbidden);
  const auto binding = alice->Create(kube::resources::kRoleBindings, a, Json(R"({
      "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "escalate"},
      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "spark-operator-tenant-member"},
      "subjects": [{"kind": "User", "name": "mallory", "apiGroup": "rbac.authorization.k8s.io"}]})"));
  INFO(binding.status().ToString());
  CHECK(binding.status().code() == StatusCode::kForbidden);
  CHECK(alice->Delete(kube::resources::kRoles, a, "spark-driver").code() == StatusCode::kForbidden);
  CHECK(alice->Get(kube::resources::kSecrets, a, "anything").status().code() == StatusCode::kForbidden);
}

TEST_CASE("deleting a tenant deletes its namespace with deletionPolicy Delete and keeps it with Retain") {
  auto client = AdminClient();
  EnsureCrd(*client);
  EnsureMemberRole(*client);
  const std::string gone = UniqueName("team");
  const std::string kept = UniqueName("team");
  RunningController controller(gone, std::chrono::seconds(60), "", NativeOptions);
  const Tenant t1(client, gone, R"({"deletionPolicy": "Delete"})");
  const Tenant t2(client, kept, R"({})");
  REQUIRE(Eventually([&] { return Ready(*client, gone) == "True/Applied" && Ready(*client, kept) == "True/Applied"; }));
  for (const std::string& ns : {gone, kept}) {
    REQUIRE(client->Create(kube::resources::kConfigMaps, ns, spark_operator::testing::ConfigMap(ns, "data")).ok());
  }
  REQUIRE(client->Delete(kSparkTenants, "", gone).ok());
  REQUIRE(client->Delete(kSparkTenants, "", kept).ok());
  CHECK(Eventually([&] { return !Exists(*client, kSparkTenants, "", kept); }));
  CHECK(Eventually([&] { return !Exists(*client, kNamespaces, "", gone); }, std::chrono::seconds(60)));
  // The controller lets the tenant go once it has seen its namespace go: a step after, not at the same moment.
  CHECK(Eventually([&] { return !Exists(*client, kSparkTenants, "", gone); }));
  CHECK(Exists(*client, kube::resources::kConfigMaps, kept, "data"));
  CHECK(Exists(*client, kube::resources::kRoles, kept, "spark-driver"));
}

TEST_CASE("a namespace someone else made is left alone, and survives the tenant's deletion") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace theirs(client, "theirs");
  const std::string name = UniqueName("team");
  RunningController controller(name, std::chrono::seconds(60), "", NativeOptions);
  const Tenant tenant(client, name,
                      R"({"namespace": {"name": ")" + theirs.name() + R"("}, "deletionPolicy": "Delete"})");
  REQUIRE(Eventually([&] { return Ready(*client, name) == "False/NamespaceNotOwned"; }));
  const rapidjson::Document t = GetTenant(*client, name);
  CHECK(GetString(t["status"]["conditions"][0], {"message"})
            .find("namespace " + theirs.name() + " exists and is not this tenant's") == 0);
  CHECK(!Exists(*client, kube::resources::kRoles, theirs.name(), "spark-driver"));
  REQUIRE(client->Delete(kSparkTenants, "", name).ok());
  REQUIRE(Eventually([&] { return !Exists(*client, kSparkTenants, "", name); }));
  CHECK(Exists(*client, kNamespaces, "", theirs.name()));
}

}  // namespace
}  // namespace spark_operator::controller::testing
