// Tenant preparation: the objects applied in an app's namespace, and the one service account name that both
// they and spark-submit use.
#include "controller/tenant.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "api/spark_application.h"
#include "common/base/json.h"
#include "common/base/yaml.h"
#include "common/kube/config.h"
#include "controller/submit/submission.h"
#include "tests/support/spark_app.h"

namespace spark_operator::controller {
namespace {

api::SparkApplication App(const std::string& service_account = "") {
  std::string yaml = R"(
apiVersion: spark-operator.k8s.io/v1alpha1
kind: SparkApplication
metadata: {name: pi, namespace: team-a}
spec:
  type: Scala
  mode: cluster
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  image: apache/spark:4.2.0
  executor: {instances: 1}
  driver: {)";
  if (!service_account.empty()) yaml += "serviceAccount: " + service_account;
  yaml += "}\n";
  return testing::LoadApp(yaml);
}

std::string Conf(const std::vector<std::string>& argv, const std::string& key) {
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == "--conf" && argv[i + 1].rfind(key + "=", 0) == 0) return argv[i + 1].substr(key.size() + 1);
  }
  return "<absent>";
}

std::vector<std::string> Kinds(const std::vector<TenantObject>& objects) {
  std::vector<std::string> kinds;
  for (const TenantObject& o : objects) kinds.push_back(o.kind + "/" + o.name);
  return kinds;
}

TEST_CASE("the driver runs as spec.driver.serviceAccount, else spark, and spark-submit is told the same name") {
  const SubmissionContext context{"/opt/spark/bin/spark-submit", "k8s://https://api:6443", 1, {}};
  const api::SparkApplication unset = App();
  CHECK(EffectiveServiceAccount(unset) == "spark");
  Result<std::vector<std::string>> argv = BuildSubmitArgs(unset, context);
  REQUIRE(argv.ok());
  CHECK(Conf(*argv, "spark.kubernetes.authenticate.driver.serviceAccountName") == "spark");

  const api::SparkApplication etl = App("etl-runner");
  CHECK(EffectiveServiceAccount(etl) == "etl-runner");
  argv = BuildSubmitArgs(etl, context);
  REQUIRE(argv.ok());
  CHECK(Conf(*argv, "spark.kubernetes.authenticate.driver.serviceAccountName") == "etl-runner");
}

TEST_CASE("without quota options the namespace gets the service account, Role and RoleBinding spark-driver") {
  const std::vector<TenantObject> objects = BuildTenantObjects(App(), TenantOptions{});
  CHECK(Kinds(objects) ==
        std::vector<std::string>{"ServiceAccount/spark", "Role/spark-driver", "RoleBinding/spark-driver"});
  for (const TenantObject& o : objects) {
    INFO(ToJson(o.object));
    CHECK(NamespaceOf(o.object) == "team-a");
    CHECK(NameOf(o.object) == o.name);
    CHECK(GetString(o.object, {"kind"}) == o.kind);
    CHECK(GetString(o.object, {"metadata", "labels", "app.kubernetes.io/managed-by"}) == "spark-operator");
  }
  CHECK(GetString(objects[0].object, {"apiVersion"}) == "v1");
  CHECK(objects[0].resource == &kube::resources::kServiceAccounts);
  CHECK(GetString(objects[1].object, {"apiVersion"}) == "rbac.authorization.k8s.io/v1");
  CHECK(objects[1].resource == &kube::resources::kRoles);

  const rapidjson::Value& binding = objects[2].object;
  CHECK(objects[2].resource == &kube::resources::kRoleBindings);
  CHECK(ToJson(binding["roleRef"]) ==
        R"({"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"spark-driver"})");
  CHECK(ToJson(binding["subjects"]) == R"([{"kind":"ServiceAccount","name":"spark","namespace":"team-a"}])");
}

TEST_CASE("the Role lets the driver manage executor pods, services, ConfigMaps and PVCs") {
  const std::vector<TenantObject> objects = BuildTenantObjects(App(), TenantOptions{});
  const rapidjson::Value& rules = objects[1].object["rules"];
  REQUIRE(rules.Size() == 2);
  CHECK(ToJson(rules[0]) == R"({"apiGroups":[""],"resources":["pods"],)"
                            R"("verbs":["create","get","list","watch","delete","deletecollection","patch"]})");
  CHECK(ToJson(rules[1]) == R"({"apiGroups":[""],"resources":["services","configmaps","persistentvolumeclaims"],)"
                            R"("verbs":["create","get","list","watch","delete","deletecollection"]})");
}

TEST_CASE("the Role's rules are those of the kustomize component deploy/components/spark-job-rbac") {
  const char* dir = std::getenv("SO_SOURCE_DIR");
  const std::string source = dir != nullptr ? dir : SO_SOURCE_DIR_DEFAULT;
  const Result<std::string> yaml = ReadFile(source + "/deploy/components/spark-job-rbac/role.yaml");
  REQUIRE(yaml.ok());
  const Result<rapidjson::Document> component = YamlToJson(*yaml);
  REQUIRE(component.ok());
  const std::vector<TenantObject> objects = BuildTenantObjects(App(), TenantOptions{});
  CHECK(ToJson((*component)["rules"]) == ToJson(objects[1].object["rules"]));
}

TEST_CASE("another service account gets its own binding to the same Role") {
  const std::vector<TenantObject> objects = BuildTenantObjects(App("etl-runner"), TenantOptions{});
  CHECK(Kinds(objects) == std::vector<std::string>{"ServiceAccount/etl-runner", "Role/spark-driver",
                                                   "RoleBinding/spark-driver-etl-runner"});
  CHECK(ToJson(objects[2].object["subjects"]) ==
        R"([{"kind":"ServiceAccount","name":"etl-runner","namespace":"team-a"}])");
  CHECK(GetString(objects[2].object, {"roleRef", "name"}) == "spark-driver");
}

TEST_CASE("quota options add spark-quota with Kubernetes quantities for the limits that are set") {
  TenantOptions options;
  options.quota_pods = 20;
  options.quota_cpu = "8000m";
  options.quota_memory = "64g";  // Spark's gibibytes; Kubernetes would read "m" as milli.
  std::vector<TenantObject> objects = BuildTenantObjects(App(), options);
  REQUIRE(objects.size() == 4);
  CHECK(objects[3].kind == "ResourceQuota");
  CHECK(objects[3].name == "spark-quota");
  CHECK(objects[3].resource == &kube::resources::kResourceQuotas);
  CHECK(ToJson(objects[3].object["spec"]["hard"]) == R"({"pods":"20","requests.cpu":"8","requests.memory":"64Gi"})");

  options = {};
  options.quota_cpu = "1500m";
  options.quota_memory = "1G";  // Kubernetes' decimal gigabyte, kept as written.
  objects = BuildTenantObjects(App(), options);
  REQUIRE(objects.size() == 4);
  CHECK(ToJson(objects[3].object["spec"]["hard"]) == R"({"requests.cpu":"1500m","requests.memory":"1G"})");

  options = {};
  options.quota_memory = "1536m";
  objects = BuildTenantObjects(App(), options);
  REQUIRE(objects.size() == 4);
  CHECK(ToJson(objects[3].object["spec"]["hard"]) == R"({"requests.memory":"1536Mi"})");
}

TEST_CASE("quota options that are not quantities are refused, naming the flag") {
  TenantOptions options;
  CHECK(ValidateTenantOptions(options).ok());
  options.quota_memory = "lots";
  Status s = ValidateTenantOptions(options);
  CHECK_FALSE(s.ok());
  CHECK(s.message().rfind("--tenant-quota-memory", 0) == 0);
  options = {};
  options.quota_cpu = "two";
  s = ValidateTenantOptions(options);
  CHECK(s.message().rfind("--tenant-quota-cpu", 0) == 0);
  options = {};
  options.quota_pods = -1;
  CHECK_FALSE(ValidateTenantOptions(options).ok());
}

}  // namespace
}  // namespace spark_operator::controller

namespace spark_operator::controller {
namespace {

TEST_CASE("the managers named in a server-side apply conflict are read from the server's message") {
  CHECK(ConflictingManagers(R"(Apply failed with 2 conflicts: conflict with "platform-team" using )"
                            R"(rbac.authorization.k8s.io/v1: .rules; conflict with "kubectl-edit": .metadata.x; )"
                            R"(conflict with "platform-team": .y)") ==
        std::vector<std::string>{"platform-team", "kubectl-edit"});
  CHECK(ConflictingManagers("conflict").empty());
  CHECK(ConflictingManagers(R"(conflict with "unterminated)").empty());
}

TEST_CASE("an object is the operator's when its field manager is among the managedFields") {
  const auto object = [](const std::string& managers) {
    Result<rapidjson::Document> doc = ParseJson(R"({"metadata":{"managedFields":[)" + managers + "]}}");
    REQUIRE(doc.ok());
    return std::move(*doc);
  };
  CHECK(ManagedByOperator(object(R"({"manager":"kubectl"},{"manager":"spark-operator","operation":"Apply"})")));
  CHECK_FALSE(ManagedByOperator(object(R"({"manager":"kubectl-create","operation":"Update"})")));
  CHECK_FALSE(ManagedByOperator(object("")));
  CHECK_FALSE(
      ManagedByOperator(*ParseJson(R"({"metadata":{"labels":{"app.kubernetes.io/managed-by":"spark-operator"}}})")));
}

}  // namespace
}  // namespace spark_operator::controller
