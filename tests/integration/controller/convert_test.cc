// `spark-operator-controller convert` against the local cluster: YAML written in kubeflow's format
// (sparkoperator.k8s.io/v1beta2) for each of its documented feature groups converts with nothing dropped, the API
// server with this project's CRD accepts the result (a real create), and each SparkApplication runs to COMPLETED
// with the real controller (native submission; the simulated node ends the driver with exit code 0).
//
#include <string>

#include "controller/convert/kubeflow.h"
#include "tests/integration/harness.h"
#include "tests/support/kubeflow.h"

namespace spark_operator::controller::testing {
namespace {

constexpr auto kRunTimeout = std::chrono::seconds(120);

// The header every kubeflow example starts with, then `spec_lines` (indented two spaces, under spec:).
std::string Kubeflow(const std::string& name, const std::string& spec_lines) {
  return "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata:\n  name: " + name +
         "\n  namespace: default\n" + spark_operator::testing::KubeflowPiSpec(spec_lines);
}

// Converted, with nothing dropped, and moved into the test's namespace.
rapidjson::Document Converted(const std::string& kubeflow_yaml, const std::string& ns) {
  const Result<convert::Conversion> c = convert::ConvertKubeflowYaml(kubeflow_yaml);
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  INFO(convert::FormatFindings(c->findings));
  for (const convert::Finding& f : c->findings) CHECK(f.severity == convert::Finding::Severity::kNote);
  Result<rapidjson::Document> doc = YamlToJson(c->yaml);
  REQUIRE(doc.ok());
  SetString(*doc, {"metadata", "namespace"}, ns);
  return std::move(*doc);
}

// Created for real (the API server validates it against the CRD), then run: the driver comes up on the simulated
// node, ends with 0, and the app is COMPLETED.
void RunToCompleted(kube::Client& client, const rapidjson::Document& app) {
  const std::string ns = NamespaceOf(app);
  const std::string name = NameOf(app);
  INFO(name);
  CreateApp(client, app);
  REQUIRE(Eventually([&] { return PodPhase(client, ns, name + "-1-driver") == "Running"; }, kRunTimeout));
  FinishPod(client, ns, name + "-1-driver", 0);
  REQUIRE(Eventually([&] { return State(client, ns, name) == "COMPLETED"; }));
}

RunningController NativeController(const std::string& ns) {
  return RunningController(ns, std::chrono::seconds(60), SparkSubmitPath(),
                           [](ManagerOptions& o) { o.native_submission = true; });
}

// The common case: in a fresh namespace with its own controller, the kubeflow app `name` with `spec_lines`
// converts with nothing dropped and runs to COMPLETED. Returns the stored app and its driver pod.
struct Ran {
  rapidjson::Document app;
  rapidjson::Document driver;
};
Ran ConvertAndRun(const std::string& name, const std::string& spec_lines) {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "cvt");
  RunningController controller = NativeController(ns.name());
  RunToCompleted(*client, Converted(Kubeflow(name, spec_lines), ns.name()));
  Result<rapidjson::Document> driver = client->Get(kube::resources::kPods, ns.name(), name + "-1-driver");
  REQUIRE(driver.ok());
  return {GetApp(*client, ns.name(), name), std::move(*driver)};
}

TEST_CASE("kubeflow's spark-pi converts, is accepted by the API server and runs to COMPLETED") {
  const Ran ran = ConvertAndRun("spark-pi", R"(  arguments: ["100"]
  sparkConf: {spark.ui.showConsoleProgress: "false"}
  timeToLiveSeconds: 3600
)" + std::string(spark_operator::testing::kKubeflowPiDriver) +
                                                R"(  executor:
    cores: 1
    instances: 1
    memory: 512m
)");
  CHECK(GetString(ran.app, {"spec", "sparkConf", "spark.ui.showConsoleProgress"}) == "false");
  CHECK(ToJson(*FindPath(ran.app, {"spec", "arguments"})) == R"(["100"])");
  CHECK(GetString(ran.driver, {"spec", "serviceAccountName"}) == "spark");
}

TEST_CASE("kubeflow apps with ConfigMaps, Secrets, env, labels, annotations and a restart policy run to COMPLETED") {
  // The mounts are made by the initializer webhook, here in-process and registered for this namespace only.
  initializer::testing::WebhookHarness webhook;
  webhook.PublishAndWaitUntilActive();
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string ns = webhook.ns();
  REQUIRE(client
              ->Create(kube::resources::kConfigMaps, ns,
                       spark_operator::testing::ConfigMap(ns, "spark-conf", {{"spark-defaults.conf", ""}}))
              .ok());
  REQUIRE(client
              ->Create(kube::resources::kConfigMaps, ns,
                       spark_operator::testing::ConfigMap(ns, "settings", {{"a.properties", "a=1"}}))
              .ok());
  const rapidjson::Document secret = Json(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"gcp-key"},
                                              "stringData":{"key.json":"{}"}})");
  REQUIRE(client->Create(kube::resources::kSecrets, ns, secret).ok());
  RunningController controller = NativeController(ns);

  // The mounts group of kubeflow's user guide (Mounting ConfigMaps, Mounting Secrets).
  const rapidjson::Document mounts = Converted(Kubeflow("mounts", R"(  sparkConfigMap: spark-conf
  driver:
    cores: 1
    configMaps: [{name: settings, path: /etc/settings}]
    secrets: [{name: gcp-key, path: /mnt/secrets, secretType: GCPServiceAccount}]
  executor:
    instances: 1
    configMaps: [{name: settings, path: /etc/settings}]
)"),
                                               ns);
  // Environment variables (env and the deprecated envVars), pod labels and annotations.
  const rapidjson::Document env = Converted(Kubeflow("env", R"(  driver:
    cores: 1
    env: [{name: FROM_ENV, value: "1"}]
    envVars: {FROM_ENV_VARS: "2"}
    labels: {version: 3.5.1, team: data}
    annotations: {example.com/owner: alice}
  executor:
    instances: 1
    labels: {version: 3.5.1}
)"),
                                            ns);
  // restartPolicy OnFailure: the first run fails, the rerun completes.
  const rapidjson::Document retried = Converted(Kubeflow("retried", R"(  restartPolicy:
    type: OnFailure
    onFailureRetries: 2
    onFailureRetryInterval: 1
    onSubmissionFailureRetries: 1
    onSubmissionFailureRetryInterval: 1
  driver: {cores: 1}
  executor: {instances: 1}
)"),
                                                ns);

  RunToCompleted(*client, mounts);
  const Result<rapidjson::Document> mounted = client->Get(kube::resources::kPods, ns, "mounts-1-driver");
  REQUIRE(mounted.ok());
  const std::string mounted_json = ToJson(*mounted);
  CHECK(mounted_json.find(R"("mountPath":"/etc/settings")") != std::string::npos);
  CHECK(mounted_json.find(R"("mountPath":"/mnt/secrets")") != std::string::npos);
  CHECK(mounted_json.find(R"("mountPath":"/etc/spark/conf")") != std::string::npos);

  RunToCompleted(*client, env);
  const Result<rapidjson::Document> pod = client->Get(kube::resources::kPods, ns, "env-1-driver");
  REQUIRE(pod.ok());
  CHECK(GetString(*pod, {"metadata", "labels", "team"}) == "data");
  CHECK(GetString(*pod, {"metadata", "annotations", "example.com/owner"}) == "alice");
  const std::string containers = ToJson(*FindPath(*pod, {"spec", "containers"}));
  CHECK(containers.find(R"({"name":"FROM_ENV","value":"1"})") != std::string::npos);
  CHECK(containers.find(R"({"name":"FROM_ENV_VARS","value":"2"})") != std::string::npos);

  CreateApp(*client, retried);
  REQUIRE(Eventually([&] { return PodPhase(*client, ns, "retried-1-driver") == "Running"; }, kRunTimeout));
  FinishPod(*client, ns, "retried-1-driver", 1);
  REQUIRE(Eventually([&] { return PodPhase(*client, ns, "retried-2-driver") == "Running"; }, kRunTimeout));
  FinishPod(*client, ns, "retried-2-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns, "retried") == "COMPLETED"; }));
  CHECK(GetInt(GetApp(*client, ns, "retried"), {"status", "executionAttempts"}) == 2);
}

TEST_CASE("a kubeflow app with jars and files in deps converts and runs to COMPLETED") {
  const Ran ran = ConvertAndRun("deps", R"(  deps:
    jars: [local:///opt/spark/examples/jars/scopt_2.12-3.7.1.jar]
    files: [local:///opt/spark/examples/src/main/resources/people.txt]
  driver: {cores: 1}
  executor: {instances: 1}
)");
  CHECK(ToJson(*FindPath(ran.app, {"spec", "deps", "files"})) ==
        R"(["local:///opt/spark/examples/src/main/resources/people.txt"])");
}

TEST_CASE("a kubeflow ScheduledSparkApplication converts, and its template is accepted as a SparkApplication") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "cvt");
  const std::string scheduled = R"(apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata: {name: nightly, namespace: default}
spec:
  schedule: "@every 5m"
  concurrencyPolicy: Allow
  successfulRunHistoryLimit: 2
  failedRunHistoryLimit: 1
  template:
    type: Scala
    mode: cluster
    sparkVersion: 3.5.1
    image: spark:3.5.1
    mainClass: org.apache.spark.examples.SparkPi
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples_2.12-3.5.1.jar
    restartPolicy: {type: Never}
    driver: {cores: 1, memory: 512m, serviceAccount: spark}
    executor: {cores: 1, instances: 1, memory: 512m}
)";
  const rapidjson::Document converted = Converted(scheduled, ns.name());
  CHECK(GetString(converted, {"kind"}) == "ScheduledSparkApplication");
  CHECK(GetString(converted, {"spec", "schedule"}) == "@every 5m");
  // The template alone, as the spec of a SparkApplication (each run is one); the kind itself: the next test.
  rapidjson::Document app = Json(R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication",
                                     "metadata":{"name":"nightly-template"}})");
  SetString(app, {"metadata", "namespace"}, ns.name());
  SetPath(app, {"spec"}, rapidjson::Value(*FindPath(converted, {"spec", "template"}), app.GetAllocator()));
  CreateApp(*client, app);
}

TEST_CASE("a kubeflow app with packages, repositories, excludePackages and archives runs") {
  const Ran ran = ConvertAndRun("deps-all", R"(  deps:
    packages: [org.apache.spark:spark-avro_2.12:3.5.1]
    repositories: [https://repo1.maven.org/maven2]
    excludePackages: [org.slf4j:slf4j-api]
    archives: [local:///opt/data/archive.zip#data]
  driver: {cores: 1}
  executor: {instances: 1}
)");
  CHECK(FindPath(ran.app, {"spec", "deps", "packages"}) != nullptr);
}

TEST_CASE("a kubeflow app with dynamicAllocation runs") {
  const Ran ran = ConvertAndRun("dynamic", R"(  dynamicAllocation:
    enabled: true
    initialExecutors: 1
    minExecutors: 1
    maxExecutors: 3
    shuffleTrackingEnabled: true
    shuffleTrackingTimeout: 60000
  driver: {cores: 1}
  executor: {cores: 1}
)");
  CHECK(GetBool(ran.app, {"spec", "dynamicAllocation", "enabled"}));
}

TEST_CASE("a kubeflow app with tolerations and affinity runs with them on its driver") {
  const Ran ran = ConvertAndRun("placed", R"(  driver:
    cores: 1
    tolerations: [{key: dedicated, operator: Equal, value: spark, effect: NoSchedule}]
    affinity:
      nodeAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 1
            preference: {matchExpressions: [{key: kubernetes.io/os, operator: In, values: [linux]}]}
  executor:
    instances: 1
    tolerations: [{key: dedicated, operator: Equal, value: spark, effect: NoSchedule}]
)");
  CHECK(ToJson(*FindPath(ran.driver, {"spec", "tolerations"})).find("\"dedicated\"") != std::string::npos);
  CHECK(FindPath(ran.driver, {"spec", "affinity", "nodeAffinity"}) != nullptr);
}

TEST_CASE("a kubeflow app with volumes, volumeMounts, env valueFrom and envFrom runs") {
  const Ran ran = ConvertAndRun("volumes", R"(  volumes:
    - {name: scratch, emptyDir: {}}
    - {name: host, hostPath: {path: /tmp, type: Directory}}
  driver:
    cores: 1
    volumeMounts: [{name: scratch, mountPath: /scratch}, {name: host, mountPath: /host}]
    env: [{name: FROM_SECRET, valueFrom: {secretKeyRef: {name: db, key: password, optional: true}}}]
    envFrom: [{configMapRef: {name: env-source, optional: true}}]
  executor:
    instances: 1
    volumeMounts: [{name: scratch, mountPath: /scratch}]
)");
  const std::string containers = ToJson(*FindPath(ran.driver, {"spec", "containers"}));
  CHECK(containers.find(R"("mountPath":"/scratch")") != std::string::npos);
  CHECK(containers.find(R"("name":"FROM_SECRET")") != std::string::npos);
}

TEST_CASE("a kubeflow ScheduledSparkApplication converts and is accepted as this project's") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "cvt");
  const rapidjson::Document converted = Converted(R"(apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata: {name: nightly}
spec:
  schedule: "0 2 * * *"
  timeZone: Europe/Paris
  concurrencyPolicy: Forbid
  suspend: true
  successfulRunHistoryLimit: 3
  failedRunHistoryLimit: 1
  template:
    type: Scala
    image: spark:3.5.1
    mainClass: org.apache.spark.examples.SparkPi
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples_2.12-3.5.1.jar
)",
                                                  ns.name());
  const kube::Resource scheduled{"spark-operator.k8s.io", "v1alpha1", "scheduledsparkapplications", true};
  const Result<rapidjson::Document> created = client->Create(scheduled, ns.name(), converted);
  INFO(created.status().ToString());
  CHECK(created.ok());
}

}  // namespace
}  // namespace spark_operator::controller::testing
