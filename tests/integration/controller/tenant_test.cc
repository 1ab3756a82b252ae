// Tenant preparation against the local cluster: an app in a fresh namespace needs no hand-made RBAC, a
// controller that may not write Roles fails the app with the server's reason, and prepared namespaces are
// applied again once the cache entry expires.
#include <cstdio>
#include <fstream>

#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

constexpr auto kSubmitTimeout = std::chrono::seconds(120);

ManagerOptions Options(const std::string& ns, const std::string& kubeconfig = ClusterDir() + "/kubeconfig") {
  ManagerOptions options;
  options.kubeconfig = kubeconfig;
  options.namespaces = {ns};
  options.spark_submit = SparkSubmitPath();
  options.metrics_port = 0;
  options.driver_startup_grace = std::chrono::seconds(60);
  options.submission_timeout = std::chrono::seconds(120);
  return options;
}

// RunningController with options of the test's choosing.
class Controller {
 public:
  explicit Controller(const ManagerOptions& options) {
    auto manager = Manager::Create(options);
    if (!manager.ok()) FAIL("creating the manager: " << manager.status().ToString());
    manager_ = std::move(*manager);
    REQUIRE(manager_->Start().ok());
  }
  ~Controller() { manager_->Stop(); }

 private:
  std::unique_ptr<Manager> manager_;
};

rapidjson::Document Get(kube::Client& client, const kube::Resource& resource, const std::string& ns,
                        const std::string& name) {
  Result<rapidjson::Document> object = client.Get(resource, ns, name);
  if (!object.ok()) FAIL(resource.plural << " " << name << ": " << object.status().ToString());
  return std::move(*object);
}

TEST_CASE("an app in a fresh namespace completes as the `spark` service account the controller prepared") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "tenant");
  ManagerOptions options = Options(ns.name());
  options.tenant.quota_pods = 20;
  options.tenant.quota_cpu = "8";
  options.tenant.quota_memory = "16g";
  Controller controller(options);
  CreateApp(*client, ExampleApp(ns.name(), "pi"));

  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "pi-1-driver") == "Running"; }, kSubmitTimeout));
  const rapidjson::Document driver = Get(*client, kube::resources::kPods, ns.name(), "pi-1-driver");
  CHECK(GetString(driver, {"spec", "serviceAccountName"}) == "spark");
  FinishPod(*client, ns.name(), "pi-1-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "pi") == "COMPLETED"; }));

  const rapidjson::Document sa = Get(*client, kube::resources::kServiceAccounts, ns.name(), "spark");
  CHECK(GetString(sa, {"metadata", "labels", "app.kubernetes.io/managed-by"}) == "spark-operator");

  const rapidjson::Document role = Get(*client, kube::resources::kRoles, ns.name(), "spark-driver");
  CHECK(ToJson(role["rules"]) ==
        R"([{"verbs":["create","get","list","watch","delete","deletecollection","patch"],"apiGroups":[""],)"
        R"("resources":["pods"]},{"verbs":["create","get","list","watch","delete","deletecollection"],)"
        R"("apiGroups":[""],"resources":["services","configmaps","persistentvolumeclaims"]}])");
  // Written by server-side apply under the operator's field manager.
  CHECK(ToJson(role["metadata"]["managedFields"]).find(R"("manager":"spark-operator","operation":"Apply")") !=
        std::string::npos);

  const rapidjson::Document binding = Get(*client, kube::resources::kRoleBindings, ns.name(), "spark-driver");
  CHECK(GetString(binding, {"roleRef", "kind"}) == "Role");
  CHECK(GetString(binding, {"roleRef", "name"}) == "spark-driver");
  CHECK(ToJson(binding["subjects"]) ==
        R"([{"kind":"ServiceAccount","name":"spark","namespace":")" + ns.name() + R"("}])");

  const rapidjson::Document quota = Get(*client, kube::resources::kResourceQuotas, ns.name(), "spark-quota");
  CHECK(ToJson(quota["spec"]["hard"]) == R"({"pods":"20","requests.cpu":"8","requests.memory":"16Gi"})");

  // What the Role grants is what the driver needs: the API server's own answer for its service account.
  const std::string review = R"({"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{
      "user":"system:serviceaccount:)" +
                             ns.name() + R"(:spark","groups":["system:serviceaccounts"],
      "resourceAttributes":{"namespace":")" +
                             ns.name() + R"(","verb":"deletecollection","resource":"pods"}}})";
  const Result<http::Response> answer =
      client->Raw("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review);
  REQUIRE(answer.ok());
  const Result<rapidjson::Document> allowed = ParseJson(answer->body);
  REQUIRE(allowed.ok());
  CHECK(GetBool(*allowed, {"status", "allowed"}));
}

TEST_CASE("an app with its own service account gets it and its own binding, and no quota without options") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "tenant");
  Controller controller(Options(ns.name()));
  rapidjson::Document app = ExampleApp(ns.name(), "etl");
  SetString(app, {"spec", "driver", "serviceAccount"}, "etl-runner");
  CreateApp(*client, app);

  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "etl-1-driver") == "Running"; }, kSubmitTimeout));
  CHECK(GetString(Get(*client, kube::resources::kPods, ns.name(), "etl-1-driver"), {"spec", "serviceAccountName"}) ==
        "etl-runner");
  (void)Get(*client, kube::resources::kServiceAccounts, ns.name(), "etl-runner");
  (void)Get(*client, kube::resources::kRoles, ns.name(), "spark-driver");
  const rapidjson::Document binding =
      Get(*client, kube::resources::kRoleBindings, ns.name(), "spark-driver-etl-runner");
  CHECK(GetString(binding["subjects"][0], {"name"}) == "etl-runner");
  CHECK(IsNotFound(client->Get(kube::resources::kResourceQuotas, ns.name(), "spark-quota").status()));
  FinishPod(*client, ns.name(), "etl-1-driver", 0);
  CHECK(Eventually([&] { return State(*client, ns.name(), "etl") == "COMPLETED"; }));
}

// A controller identity that may run apps in `ns` but not write Roles there: a service account token in a
// kubeconfig of its own.
std::string RestrictedKubeconfig(kube::Client& admin, const std::string& ns) {
  const std::string name = "limited-controller";
  REQUIRE(admin
              .Create(kube::resources::kServiceAccounts, ns,
                      Json(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":")" + name + "\"}}"))
              .ok());
  REQUIRE(admin
              .Create(kube::resources::kRoles, ns, Json(R"({"apiVersion":"rbac.authorization.k8s.io/v1",
      "kind":"Role","metadata":{"name":")" + name + R"("},"rules":[
      {"apiGroups":["spark-operator.k8s.io"],"resources":["sparkapplications"],
       "verbs":["get","list","watch","update","patch"]},
      {"apiGroups":["spark-operator.k8s.io"],"resources":["sparkapplications/status"],"verbs":["get","update","patch"]},
      {"apiGroups":[""],"resources":["pods"],"verbs":["get","list","watch"]},
      {"apiGroups":[""],"resources":["events"],"verbs":["create","patch"]},
      {"apiGroups":[""],"resources":["serviceaccounts"],"verbs":["get","create","patch"]}]})"))
              .ok());
  REQUIRE(admin
              .Create(kube::resources::kRoleBindings, ns,
                      Json(R"({"apiVersion":"rbac.authorization.k8s.io/v1",
      "kind":"RoleBinding","metadata":{"name":")" +
                           name + R"("},
      "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":")" +
                           name + R"("},
      "subjects":[{"kind":"ServiceAccount","name":")" +
                           name + R"(","namespace":")" + ns + R"("}]})"))
              .ok());
  const std::string value = spark_operator::testing::ServiceAccountToken(admin, ns, name);
  const std::string path = "/tmp/spark-operator-tenant-" + ns + ".kubeconfig";
  std::ofstream out(path);
  out << "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: " << admin.config().server
      << "\n    certificate-authority: " << ClusterDir() << "/pki/ca.crt\nusers:\n- name: limited\n  user:\n"
      << "    token: " << value << "\ncontexts:\n- name: limited\n  context: {cluster: local, user: limited}\n"
      << "current-context: limited\n";
  return path;
}

TEST_CASE("a controller that may not write Roles fails the app with the server's reason, and does not crash") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "tenant");
  const std::string kubeconfig = RestrictedKubeconfig(*client, ns.name());
  {
    Controller controller(Options(ns.name(), kubeconfig));
    CreateApp(*client, ExampleApp(ns.name(), "denied"));
    REQUIRE(Eventually([&] { return State(*client, ns.name(), "denied") == "SUBMISSION_FAILED"; }));
    const std::string message =
        GetString(GetApp(*client, ns.name(), "denied"), {"status", "applicationState", "errorMessage"});
    INFO(message);
    CHECK(message.rfind("preparing namespace " + ns.name() + ": creating Role spark-driver: ", 0) == 0);
    CHECK(message.find("forbidden") != std::string::npos);
    CHECK(
        Eventually([&] { return HasEvent(*client, ns.name(), "denied", "Warning/SparkApplicationSubmissionFailed"); }));
    // The step before the refused one was done; nothing was submitted.
    CHECK(client->Get(kube::resources::kServiceAccounts, ns.name(), "spark").ok());
    CHECK(PodNames(*client, ns.name(), "spark-role=driver").empty());
  }
  std::remove(kubeconfig.c_str());
}

TEST_CASE("a controller with tenant preparation off (--prepare-tenant=false) applies nothing") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "tenant");
  // A spark-submit that reports success and does nothing: the app fails after the grace period, well after the
  // point where the namespace would have been prepared.
  const std::string fake = "/tmp/spark-operator-fake-submit-" + ns.name() + ".sh";
  {
    std::ofstream out(fake);
    out << "#!/bin/sh\nexit 0\n";
  }
  REQUIRE(chmod(fake.c_str(), 0755) == 0);
  ManagerOptions options = Options(ns.name());
  options.spark_submit = fake;
  options.driver_startup_grace = std::chrono::seconds(2);
  options.tenant.enabled = false;
  options.tenant.quota_pods = 5;
  {
    Controller controller(options);
    CreateApp(*client, ExampleApp(ns.name(), "byo"));
    REQUIRE(Eventually([&] { return State(*client, ns.name(), "byo") == "FAILED"; }));
  }
  CHECK(IsNotFound(client->Get(kube::resources::kServiceAccounts, ns.name(), "spark").status()));
  CHECK(IsNotFound(client->Get(kube::resources::kRoles, ns.name(), "spark-driver").status()));
  CHECK(IsNotFound(client->Get(kube::resources::kRoleBindings, ns.name(), "spark-driver").status()));
  CHECK(IsNotFound(client->Get(kube::resources::kResourceQuotas, ns.name(), "spark-quota").status()));
  std::remove(fake.c_str());
}

TEST_CASE("a prepared namespace is not applied again within the TTL, and is repaired after it") {
  auto client = AdminClient();
  const TestNamespace ns(client, "tenant");
  auto now = std::chrono::steady_clock::now();
  TenantOptions options;
  options.cache_ttl = std::chrono::seconds(30);
  TenantPreparer preparer(client, options, [&] { return now; });
  api::SparkApplication app;
  app.metadata.name = "pi";
  app.metadata.namespace_ = ns.name();

  REQUIRE(preparer.Prepare(app).ok());
  CHECK(preparer.applies() == 3);
  REQUIRE(client->Delete(kube::resources::kRoles, ns.name(), "spark-driver").ok());
  now += std::chrono::seconds(10);
  REQUIRE(preparer.Prepare(app).ok());
  CHECK(preparer.applies() == 3);  // Trusted: nothing sent.
  CHECK(IsNotFound(client->Get(kube::resources::kRoles, ns.name(), "spark-driver").status()));

  now += std::chrono::seconds(25);
  REQUIRE(preparer.Prepare(app).ok());
  CHECK(preparer.applies() == 6);
  CHECK(client->Get(kube::resources::kRoles, ns.name(), "spark-driver").ok());

  // Another service account in the same namespace is prepared on its own.
  app.spec.driver.service_account = "other";
  REQUIRE(preparer.Prepare(app).ok());
  CHECK(preparer.applies() == 9);
  CHECK(client->Get(kube::resources::kRoleBindings, ns.name(), "spark-driver-other").ok());
}

// An Event about `app` whose "type/reason: message" starts with `prefix` and contains `text`.
bool HasEventWith(kube::Client& client, const std::string& ns, const std::string& app, const std::string& prefix,
                  const std::string& text) {
  for (const std::string& e : Events(client, ns, app)) {
    if (e.rfind(prefix, 0) == 0 && e.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("a service account the operator did not make is not bound to the driver Role - an Event says why") {
  auto client = AdminClient();
  const TestNamespace ns(client, "tenant");
  REQUIRE(client
              ->Create(kube::resources::kServiceAccounts, ns.name(),
                       Json(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"admin-made"}})"))
              .ok());
  TenantPreparer preparer(client, TenantOptions{});
  api::SparkApplication app;
  app.metadata.name = "borrow";
  app.metadata.namespace_ = ns.name();
  app.spec.driver.service_account = "admin-made";

  REQUIRE(preparer.Prepare(app).ok());
  CHECK(IsNotFound(client->Get(kube::resources::kRoleBindings, ns.name(), "spark-driver-admin-made").status()));
  const rapidjson::Document sa = Get(*client, kube::resources::kServiceAccounts, ns.name(), "admin-made");
  CHECK(FindPath(sa, {"metadata", "labels"}) == nullptr);  // Not taken over either.
  CHECK(client->Get(kube::resources::kRoles, ns.name(), "spark-driver").ok());
  CHECK(Eventually([&] {
    return HasEventWith(*client, ns.name(), "borrow", "Warning/ServiceAccountNotManaged",
                        "ServiceAccount " + ns.name() + "/admin-made exists and is not managed by spark-operator");
  }));

  // The account the operator made itself is bound as before.
  app.spec.driver.service_account = "own";
  REQUIRE(preparer.Prepare(app).ok());
  const rapidjson::Document binding = Get(*client, kube::resources::kRoleBindings, ns.name(), "spark-driver-own");
  CHECK(GetString(binding["subjects"][0], {"name"}) == "own");
  // ... and stays bound on the next round, now that it exists.
  TenantPreparer again(client, TenantOptions{});
  REQUIRE(again.Prepare(app).ok());
  CHECK(again.applies() == 3);
}

TEST_CASE("a Role someone else manages is not taken over - the conflict is an Event naming that manager") {
  auto client = AdminClient();
  const TestNamespace ns(client, "tenant");
  const std::string admin_role = R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role",
      "metadata":{"name":"spark-driver","namespace":")" +
                                 ns.name() + R"("},
      "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get","list","create","delete"]}]})";
  kube::PatchOptions admin_apply;
  admin_apply.field_manager = "platform-team";
  REQUIRE(
      client
          ->Patch(kube::resources::kRoles, ns.name(), "spark-driver", kube::PatchType::kApply, admin_role, admin_apply)
          .ok());
  const std::string rules_before = ToJson(Get(*client, kube::resources::kRoles, ns.name(), "spark-driver")["rules"]);

  TenantPreparer preparer(client, TenantOptions{});
  api::SparkApplication app;
  app.metadata.name = "pi";
  app.metadata.namespace_ = ns.name();
  REQUIRE(preparer.Prepare(app).ok());

  CHECK(ToJson(Get(*client, kube::resources::kRoles, ns.name(), "spark-driver")["rules"]) == rules_before);
  CHECK(Eventually([&] {
    return HasEventWith(*client, ns.name(), "pi", "Warning/TenantObjectConflict",
                        "Role " + ns.name() + "/spark-driver is managed by \"platform-team\"");
  }));
  // The rest is prepared: the app runs with the Role the platform team wrote.
  const rapidjson::Document binding = Get(*client, kube::resources::kRoleBindings, ns.name(), "spark-driver");
  CHECK(GetString(binding["subjects"][0], {"name"}) == "spark");
}

}  // namespace
}  // namespace spark_operator::controller::testing
