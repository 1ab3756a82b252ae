// The operator's own least privilege, proved by the local API server's RBAC: a service account bound to the
// ClusterRole(s) deploy/rbac gives the operator may bind, in a tenant's namespace, only the two roles it ships (the
// members' ClusterRole and the drivers' Role), and cannot grant anything else by a binding, a role or an edit of
// the roles it ships.
#include <set>

#include "tests/integration/controller/tenant_harness.h"

namespace spark_operator::controller::testing {
namespace {

const kube::Resource kClusterRoles{"rbac.authorization.k8s.io", "v1", "clusterroles", false};
const kube::Resource kClusterRoleBindings{"rbac.authorization.k8s.io", "v1", "clusterrolebindings", false};
constexpr char kOperatorAccount[] = "spark-operator-controller";

// Every object of deploy/rbac's kustomization, as its files hold them.
std::vector<rapidjson::Document> RbacManifests() {
  const std::string dir = SourceDir() + "/deploy/rbac/";
  const Result<std::string> kustomization = ReadFile(dir + "kustomization.yaml");
  REQUIRE(kustomization.ok());
  const Result<rapidjson::Document> k = YamlToJson(*kustomization);
  REQUIRE(k.ok());
  std::vector<rapidjson::Document> objects;
  for (const rapidjson::Value& file : (*k)["resources"].GetArray()) {
    const Result<std::string> yaml = ReadFile(dir + file.GetString());
    REQUIRE(yaml.ok());
    Result<rapidjson::Document> object = YamlToJson(*yaml);
    REQUIRE(object.ok());
    objects.push_back(std::move(*object));
  }
  return objects;
}

// Applies the ClusterRoles deploy/rbac binds to the operator's service account and binds them, under a
// ClusterRoleBinding of the test's own, to `ns`/`account`; the binding goes at the end of the test.
class OperatorBinding {
 public:
  OperatorBinding(std::shared_ptr<kube::Client> admin, const std::string& ns, const std::string& account)
      : admin_(std::move(admin)), name_(UniqueName("operator-under-test")) {
    const std::vector<rapidjson::Document> objects = RbacManifests();
    std::set<std::string> roles;
    for (const rapidjson::Value& o : objects) {
      if (GetString(o, {"kind"}) != "ClusterRoleBinding") continue;
      for (const rapidjson::Value& s : o["subjects"].GetArray()) {
        if (GetString(s, {"kind"}) == "ServiceAccount" && GetString(s, {"name"}) == kOperatorAccount) {
          roles.insert(GetString(o, {"roleRef", "name"}));
        }
      }
    }
    REQUIRE_FALSE(roles.empty());
    kube::PatchOptions apply;
    apply.field_manager = "integration-test";
    apply.force = true;
    for (const rapidjson::Value& o : objects) {
      if (GetString(o, {"kind"}) != "ClusterRole") continue;
      const auto applied = admin_->Patch(kClusterRoles, "", NameOf(o), kube::PatchType::kApply, ToJson(o), apply);
      if (!applied.ok()) FAIL(applied.status().ToString());
    }
    for (const std::string& role : roles) {
      const std::string binding = name_ + "-" + std::to_string(bindings_.size());
      const auto created = admin_->Create(
          kClusterRoleBindings, "",
          Json(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":")" +
               binding + R"("},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":")" +
               role + R"("},"subjects":[{"kind":"ServiceAccount","namespace":")" + ns + R"(","name":")" + account +
               R"("}]})"));
      if (!created.ok()) FAIL(created.status().ToString());
      bindings_.push_back(binding);
    }
  }
  ~OperatorBinding() {
    for (const std::string& b : bindings_) (void)admin_->Delete(kClusterRoleBindings, "", b);
  }

 private:
  std::shared_ptr<kube::Client> admin_;
  std::string name_;
  std::vector<std::string> bindings_;
};

rapidjson::Document RoleBinding(const std::string& name, const std::string& kind, const std::string& role) {
  return Json(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":")" + name +
              R"("},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":")" + kind + R"(","name":")" + role +
              R"("},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"mallory"}]})");
}

TEST_CASE("the operator may bind only the roles it ships, in a tenant's namespace, and grant nothing else") {
  auto admin = AdminClient();
  EnsureCrd(*admin);
  EnsureMemberRole(*admin);
  const std::string ns = UniqueName("team");
  RunningController controller(ns, std::chrono::seconds(60), "", [](ManagerOptions& options) {
    options.native_submission = true;
    options.spark_submit.clear();
  });
  const Tenant tenant(admin, ns, R"({"deletionPolicy": "Delete"})", /*wait_ready=*/true);
  const TestNamespace home(admin, "operator");
  const OperatorBinding binding(admin, home.name(), kOperatorAccount);
  const std::shared_ptr<kube::Client> op = ClientAs(*admin, home.name(), kOperatorAccount);
  // A Role in the tenant's namespace that the operator does not ship, with a permission it does not hold.
  REQUIRE(admin
              ->Create(kube::resources::kRoles, ns, Json(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role",
                  "metadata":{"name":"secret-reader"},
                  "rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}]})"))
              .ok());

  // What the tenant controller makes: the drivers' and the members' bindings, under names of the test's own.
  const auto driver = op->Create(kube::resources::kRoleBindings, ns, RoleBinding("drivers", "Role", "spark-driver"));
  INFO(driver.status().ToString());
  CHECK(driver.ok());
  const auto members = op->Create(kube::resources::kRoleBindings, ns,
                                  RoleBinding("members", "ClusterRole", "spark-operator-tenant-member"));
  INFO(members.status().ToString());
  CHECK(members.ok());

  // Anything else is an escalation the API server refuses.
  for (const auto& [kind, role] : std::vector<std::pair<std::string, std::string>>{{"ClusterRole", "cluster-admin"},
                                                                                   {"ClusterRole", "admin"},
                                                                                   {"ClusterRole", "edit"},
                                                                                   {"ClusterRole", "view"},
                                                                                   {"Role", "secret-reader"}}) {
    const auto escalation = op->Create(kube::resources::kRoleBindings, ns, RoleBinding("to-" + role, kind, role));
    INFO(kind << " " << role << ": " << escalation.status().ToString());
    CHECK(escalation.status().code() == StatusCode::kForbidden);
  }
  // Nor by a ClusterRoleBinding, by a Role with rules it does not hold, or by editing the roles it ships.
  const auto cluster_binding = op->Create(
      kClusterRoleBindings, "",
      Json(R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":")" +
           UniqueName("escalate") +
           R"("},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole",)"
           R"("name":"spark-operator-tenant-member"},"subjects":[{"kind":"User","name":"mallory"}]})"));
  CHECK(cluster_binding.status().code() == StatusCode::kForbidden);
  const auto role = op->Create(kube::resources::kRoles, ns, Json(R"({"apiVersion":"rbac.authorization.k8s.io/v1",
      "kind":"Role","metadata":{"name":"escalate"},
      "rules":[{"apiGroups":[""],"resources":["secrets"],"verbs":["get","list"]}]})"));
  INFO(role.status().ToString());
  CHECK(role.status().code() == StatusCode::kForbidden);
  const auto widened = op->Patch(kClusterRoles, "", "spark-operator-tenant-member", kube::PatchType::kJson,
                                 R"([{"op":"add","path":"/rules/-","value":)"
                                 R"({"apiGroups":["*"],"resources":["*"],"verbs":["*"]}}])");
  CHECK(widened.status().code() == StatusCode::kForbidden);
  // The drivers' Role stays as the tenant controller wrote it: the operator cannot widen it beyond what it holds.
  const auto driver_role = op->Patch(kube::resources::kRoles, ns, "spark-driver", kube::PatchType::kJson,
                                     R"([{"op":"add","path":"/rules/-","value":)"
                                     R"({"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}}])");
  INFO(driver_role.status().ToString());
  CHECK(driver_role.status().code() == StatusCode::kForbidden);
}

}  // namespace
}  // namespace spark_operator::controller::testing
