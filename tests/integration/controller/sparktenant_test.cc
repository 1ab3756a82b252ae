// SparkTenants against the local cluster, whose RBAC and ResourceQuota admission do the enforcing: a tenant
// makes its namespace, RBAC, quota and limits and repairs them; members may run applications in their namespace
// only; deletionPolicy decides the namespace's fate.
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "controller/scheduled_reconciler.h"
#include "tests/integration/controller/tenant_harness.h"

namespace spark_operator::controller::testing {
namespace {

using kube::resources::kNamespaces;

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

// Native submission, watching `namespaces`: with --namespaces, the tenants of those namespaces only.
std::function<void(ManagerOptions&)> Watching(std::vector<std::string> namespaces) {
  return [namespaces = std::move(namespaces)](ManagerOptions& options) {
    NativeOptions(options);
    options.namespaces = namespaces;
  };
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

TEST_CASE("a member may run applications in its tenant's namespace only, and cannot grant anything") {
  auto client = AdminClient();
  EnsureCrd(*client);
  EnsureMemberRole(*client);
  const TestNamespace people(client, "people");
  const std::string a = UniqueName("team");
  const std::string b = UniqueName("team");
  RunningController controller(a, std::chrono::seconds(60), "", Watching({a, b}));
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
  RunningController controller(gone, std::chrono::seconds(60), "", Watching({gone, kept}));
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
  RunningController controller(name, std::chrono::seconds(60), "", Watching({theirs.name()}));
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

// Requests the API server has served, from its own metrics: `verb` on any of `resources`.
double ServedRequests(kube::Client& admin, const std::string& verb, const std::vector<std::string>& resources) {
  const Result<http::Response> metrics = admin.Raw("GET", "/metrics");
  REQUIRE(metrics.ok());
  double total = 0;
  size_t start = 0;
  const std::string& body = metrics->body;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    const std::string line = body.substr(start, end - start);
    start = end + 1;
    if (line.rfind("apiserver_request_total{", 0) != 0 || line.find("verb=\"" + verb + "\"") == std::string::npos) {
      continue;
    }
    for (const std::string& resource : resources) {
      if (line.find("resource=\"" + resource + "\"") != std::string::npos) {
        total += std::stod(line.substr(line.rfind(' ') + 1));
      }
    }
  }
  return total;
}

TEST_CASE("a tenant in shape costs no request while its application runs, and a hand edit is still undone at once") {
  auto client = AdminClient();
  EnsureCrd(*client);
  EnsureMemberRole(*client);
  const std::string name = UniqueName("team");
  RunningController controller(name, std::chrono::seconds(60), "", NativeOptions);
  const Tenant tenant(client, name, R"({"members": [{"kind": "User", "name": "alice"}],
      "quota": {"cpu": "4", "memory": "8Gi", "pods": 10},
      "defaults": {"requests": {"cpu": "100m", "memory": "128Mi"}}, "deletionPolicy": "Delete"})",
                      /*wait_ready=*/true);
  CreateApp(*client, ExampleApp(name, "pi"));
  REQUIRE(Eventually([&] { return PodPhase(*client, name, "pi-1-driver") == "Running"; }, std::chrono::seconds(60)));
  REQUIRE(Eventually([&] { return GetInt(GetTenant(*client, name), {"status", "applications", "running"}) == 1; }));

  const std::vector<std::string> kinds = {"namespaces",   "serviceaccounts", "roles",
                                          "rolebindings", "resourcequotas",  "limitranges"};
  const double applies = ServedRequests(*client, "APPLY", kinds);
  const double reads = ServedRequests(*client, "GET", kinds) + ServedRequests(*client, "LIST", {"sparkapplications"});
  // A measurement window, not a wait for a condition: the tenant used to be reconciled every 10 s while an
  // application ran, each time applying its 7 objects and reading its namespace, quota and applications.
  constexpr auto kWindow = std::chrono::seconds(30);
  std::this_thread::sleep_for(kWindow);
  const double applied = ServedRequests(*client, "APPLY", kinds) - applies;
  const double read =
      ServedRequests(*client, "GET", kinds) + ServedRequests(*client, "LIST", {"sparkapplications"}) - reads;
  std::printf("figure: a tenant in shape with a running app, in %llds: %.0f applies, %.0f reads\n",
              static_cast<long long>(kWindow.count()), applied, read);
  CHECK(applied == 0);

  // Only what differs is applied again, and at once.
  REQUIRE(client
              ->Patch(kube::resources::kRoleBindings, name, "spark-tenant-members", kube::PatchType::kMerge,
                      R"({"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"mallory"}]})")
              .ok());
  const auto edited_at = std::chrono::steady_clock::now();
  CHECK(Eventually(
      [&] {
        const auto b = client->Get(kube::resources::kRoleBindings, name, "spark-tenant-members");
        return b.ok() && GetString((*b)["subjects"][0], {"name"}) == "alice";
      },
      std::chrono::seconds(10)));
  const auto undo_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - edited_at).count();
  // The binding alone; this also shows the server's count sees the controller's applies.
  const double repair_applies = ServedRequests(*client, "APPLY", kinds) - applies - applied;
  std::printf("figure: members' binding edited -> undone in %lld ms, with %.0f applies\n",
              static_cast<long long>(undo_ms), repair_applies);
  CHECK(repair_applies == 1);
}

TEST_CASE("with --namespaces, the tenants of other namespaces are left alone") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string mine = UniqueName("team");
  const std::string other = UniqueName("team");
  RunningController controller(mine, std::chrono::seconds(60), "", Watching({mine}));
  // The other first: a controller that took it on would have started on it before the one it watches.
  const Tenant t2(client, other, R"({"deletionPolicy": "Delete"})");
  const Tenant t1(client, mine, R"({"deletionPolicy": "Delete"})");
  REQUIRE(Eventually([&] { return Ready(*client, mine) == "True/Applied"; }));
  // Left to another operator, the other has nothing: no finalizer, no status, no namespace.
  const rapidjson::Document left = GetTenant(*client, other);
  CHECK_FALSE(left["metadata"].HasMember("finalizers"));
  CHECK_FALSE(left.HasMember("status"));
  CHECK(!Exists(*client, kNamespaces, "", other));
}

}  // namespace
}  // namespace spark_operator::controller::testing
