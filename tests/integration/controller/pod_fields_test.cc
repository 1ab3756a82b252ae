// The SparkApplication real users write (issue 14) against the local API server: the original README's example
// applies as written, the API server checks core objects with Kubernetes' own schema, and the pod fields reach
// the pods that spark-submit and the native submitter create.
#include "api/spark_application.h"
#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

constexpr auto kSubmitTimeout = std::chrono::seconds(120);

// The example object of the project's original README (spark-operator.k8s.io/v1alpha1, November 2017), as
// written there but for `metadata: ...`, which names it here: cores as strings, `memory: null`, `deps: {}` and
// the status it showed.
constexpr char kOriginalReadmeExample[] = R"(
apiVersion: spark-operator.k8s.io/v1alpha1
kind: SparkApplication
metadata:
  name: spark-app-example
spec:
  deps: {}
  driver:
    cores: "0.1"
    image: kubespark/spark-driver:v2.2.0-kubernetes-0.5.0
    memory: null
  executor:
    cores: "0.1"
    image: kubespark/spark-executor:v2.2.0-kubernetes-0.5.0
    instances: 1
    memory: 512m
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples_2.11-2.2.0-k8s-0.5.0.jar
  mainClass: org.apache.spark.examples.SparkPi
  mode: cluster
  submissionByUser: false
  type: Scala
status:
  appId: spark-app-example-1553506518
  applicationState:
    errorMessage: ""
    state: COMPLETED
  driverInfo:
    podName: spark-app-example-1510603652649-driver
    webUIPort: 4040
    webUIServiceName: spark-app-example-ui-1553506518
    webUIURL: 35.193.197.127:4040
  executorState:
    spark-app-example-1510603652649-exec-1: COMPLETED
)";

rapidjson::Document FromYaml(const std::string& yaml, const std::string& ns) {
  Result<rapidjson::Document> doc = YamlToJson(yaml);
  REQUIRE(doc.ok());
  SetString(*doc, {"metadata", "namespace"}, ns);
  return std::move(*doc);
}

// The example app with `spec_yaml` (a YAML object) merged into its spec.
rapidjson::Document AppWith(const std::string& ns, const std::string& name, const std::string& spec_yaml) {
  rapidjson::Document app = ExampleApp(ns, name);
  Result<rapidjson::Document> extra = YamlToJson(spec_yaml);
  REQUIRE(extra.ok());
  for (auto& m : extra->GetObject()) {
    app["spec"].RemoveMember(m.name);
    app["spec"].AddMember(rapidjson::Value(m.name, app.GetAllocator()), rapidjson::Value(m.value, app.GetAllocator()),
                          app.GetAllocator());
  }
  return app;
}

Status Create(kube::Client& client, const rapidjson::Value& app) {
  return client.Create(kube::resources::kSparkApplications, NamespaceOf(app), app).status();
}

TEST_CASE("the original README's example object applies unchanged and reads back with cores 0.1") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "readme");
  const Status created = Create(*client, FromYaml(kOriginalReadmeExample, ns.name()));
  INFO(created.ToString());
  REQUIRE(created.ok());
  const rapidjson::Document stored = GetApp(*client, ns.name(), "spark-app-example");
  CHECK(GetString(stored, {"spec", "driver", "cores"}) == "0.1");  // Stored as written.
  const Result<api::SparkApplication> app = api::ParseSparkApplication(stored);
  INFO(app.status().ToString());
  REQUIRE(app.ok());
  CHECK(app->spec.driver.cores == 0.1);
  CHECK(app->spec.executor.cores == 0.1);
  CHECK(app->spec.driver.memory.empty());
  CHECK(!stored.HasMember("status"));  // The status subresource: a create does not set it.
}

TEST_CASE("cores that are not a number fail the app with the field named, core objects are checked by the API server") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "schema");
  // cores has no single type in the schema (a number or a string), so the controller's parser is the judge.
  RunningController controller(ns.name());
  REQUIRE(Create(*client, AppWith(ns.name(), "bad-cores", "driver: {cores: \"lots\"}")).ok());
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "bad-cores") == "FAILED"; }));
  CHECK(GetString(GetApp(*client, ns.name(), "bad-cores"), {"status", "applicationState", "errorMessage"}) ==
        "invalid SparkApplication: spec.driver.cores: \"lots\" is not a number");
  CHECK(Eventually(
      [&] { return HasEvent(*client, ns.name(), "bad-cores", "Warning/SparkApplicationValidationFailed"); }));

  // tolerationSeconds is an integer in core/v1 Toleration.
  const Status toleration = Create(
      *client, AppWith(ns.name(), "bad-toleration", "driver: {tolerations: [{key: a, tolerationSeconds: soon}]}"));
  REQUIRE(toleration.code() == StatusCode::kInvalid);
  CHECK(toleration.message().find("spec.driver.tolerations[0].tolerationSeconds") != std::string::npos);
  // A container needs a name; the template's containers are checked as a Pod's are.
  const Status container =
      Create(*client, AppWith(ns.name(), "bad-sidecar", "executor: {instances: 1, sidecars: [{image: busybox}]}"));
  REQUIRE(container.code() == StatusCode::kInvalid);
  CHECK(container.message().find("spec.executor.sidecars[0].name: Required value") != std::string::npos);
  const Status volume =
      Create(*client, AppWith(ns.name(), "bad-volume", "volumes: [{name: v, emptyDir: {sizeLimit: {a: b}}}]"));
  CHECK(volume.code() == StatusCode::kInvalid);
}

// The pod fields of a kitchen-sink app: the ones that need the pod template's container send it to spark-submit.
constexpr char kPodFields[] = R"(
volumes:
  - {name: scratch, emptyDir: {}}
  - {name: settings, configMap: {name: app-settings, optional: true}}
driver:
  cores: "0.1"
  memory: 512m
  env:
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: creds, key: token, optional: true}}
  volumeMounts:
    - {name: scratch, mountPath: /scratch}
    - {name: settings, mountPath: /etc/settings}
  tolerations: [{key: dedicated, operator: Equal, value: spark, effect: NoSchedule}]
  podSecurityContext: {fsGroup: 185}
  securityContext: {allowPrivilegeEscalation: false}
  sidecars: [{name: proxy, image: busybox}]
  initContainers: [{name: fetch, image: busybox, command: [sh, -c, "true"]}]
  hostAliases: [{ip: 10.0.0.9, hostnames: [metastore]}]
  terminationGracePeriodSeconds: 45
  podTemplate: {metadata: {labels: {from-template: "yes"}}}
executor:
  cores: 1
  instances: 1
  memory: 512m
  tolerations: [{key: spot, operator: Exists}]
)";

TEST_CASE("pod fields reach the driver pod and the executors' template, and the app runs to COMPLETED") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "podf");
  RunningController controller(ns.name());
  CreateApp(*client, AppWith(ns.name(), "wide", kPodFields));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "wide") == "RUNNING"; }, kSubmitTimeout));

  const Result<rapidjson::Document> pod = client->Get(kube::resources::kPods, ns.name(), "wide-1-driver");
  REQUIRE(pod.ok());
  CHECK(GetString(*pod, {"metadata", "labels", "from-template"}) == "yes");
  const rapidjson::Value& spec = (*pod)["spec"];
  CHECK(ToJson(spec["tolerations"]).find("\"dedicated\"") != std::string::npos);
  CHECK(GetInt(spec, {"securityContext", "fsGroup"}) == 185);
  CHECK(GetInt(spec, {"terminationGracePeriodSeconds"}) == 45);
  CHECK(GetString(spec["hostAliases"][0], {"ip"}) == "10.0.0.9");
  CHECK(GetString(spec["initContainers"][0], {"name"}) == "fetch");
  // Spark puts its container after the template's others.
  REQUIRE(spec["containers"].Size() == 2);
  const rapidjson::Value& spark = spec["containers"][1];
  CHECK(GetString(spark, {"name"}) == "spark-kubernetes-driver");
  CHECK(GetString(spec["containers"][0], {"name"}) == "proxy");
  CHECK(!GetBool(spark, {"securityContext", "allowPrivilegeEscalation"}, true));
  const std::string container = ToJson(spark);
  CHECK(container.find(R"({"name":"TOKEN","valueFrom":{"secretKeyRef")") != std::string::npos);
  CHECK(container.find(R"("mountPath":"/scratch")") != std::string::npos);       // Mounted by Spark's setting.
  CHECK(container.find(R"("mountPath":"/etc/settings")") != std::string::npos);  // Through the template.
  CHECK(ToJson(spec["volumes"]).find(R"("configMap":{"name":"app-settings")") != std::string::npos);

  // spark-submit put the executors' template, with the toleration, into a ConfigMap the driver mounts (it creates
  // the ConfigMaps just after the pod).
  CHECK(Eventually([&] {
    const Result<rapidjson::Document> maps = client->List(kube::resources::kConfigMaps, ns.name());
    if (!maps.ok()) return false;
    for (const rapidjson::Value& cm : (*maps)["items"].GetArray()) {
      const rapidjson::Value* data = FindPath(cm, {"data"});
      if (data != nullptr && ToJson(*data).find(R"(\"key\":\"spot\")") != std::string::npos) return true;
    }
    return false;
  }));
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "wide", "Normal/SparkApplicationSubmitted"); }));

  FinishPod(*client, ns.name(), "wide-1-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "wide") == "COMPLETED"; }, kSubmitTimeout));
}

TEST_CASE(
    "with native submission, pod-level fields and executor templates keep the app native, and a sidecar sends it to "
    "spark-submit") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "podn");
  RunningController controller(ns.name(), std::chrono::seconds(60), SparkSubmitPath(),
                               [](ManagerOptions& options) { options.native_submission = true; });
  CreateApp(*client, AppWith(ns.name(), "levels", R"(
driver:
  cores: 0.1
  memory: 512m
  tolerations: [{key: dedicated, operator: Exists}]
  affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: {matchExpressions: [{key: pool, operator: In, values: [spark]}]}}]}}
  priorityClassName: system-cluster-critical
executor:
  instances: 1
  tolerations: [{key: executors-only, operator: Exists}]
dynamicAllocation: {enabled: true, maxExecutors: 3}
)"));
  CreateApp(*client,
            AppWith(ns.name(), "sidecar", "driver: {cores: 0.1, memory: 512m, sidecars: [{name: s, image: busybox}]}"));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "levels") == "RUNNING"; }, kSubmitTimeout));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "sidecar") == "RUNNING"; }, kSubmitTimeout));

  CHECK_FALSE(HasEvent(*client, ns.name(), "levels", "Normal/SparkApplicationSubmittedWithSparkSubmit"));
  const Result<rapidjson::Document> pod = client->Get(kube::resources::kPods, ns.name(), "levels-1-driver");
  REQUIRE(pod.ok());
  CHECK(ToJson((*pod)["spec"]["tolerations"]).find("\"dedicated\"") != std::string::npos);
  CHECK(FindPath(*pod, {"spec", "affinity", "nodeAffinity"}) != nullptr);
  CHECK(GetString(*pod, {"spec", "priorityClassName"}) == "system-cluster-critical");
  // The executors' template reaches the driver as spark-submit sends it: a ConfigMap mounted into the driver.
  std::string template_map;
  for (const rapidjson::Value& volume : (*pod)["spec"]["volumes"].GetArray()) {
    if (GetString(volume, {"name"}) == "pod-template-volume") template_map = GetString(volume, {"configMap", "name"});
  }
  REQUIRE_FALSE(template_map.empty());
  const Result<rapidjson::Document> map = client->Get(kube::resources::kConfigMaps, ns.name(), template_map);
  REQUIRE(map.ok());
  CHECK(GetString(*map, {"data", "podspec-configmap-key"}).find("executors-only") != std::string::npos);
  CHECK(Eventually([&] {
    return HasEvent(*client, ns.name(), "sidecar",
                    "Normal/SparkApplicationSubmittedWithSparkSubmit: submitting with spark-submit: the native "
                    "submitter does not build");
  }));
}

}  // namespace
}  // namespace spark_operator::controller::testing
