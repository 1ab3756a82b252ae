// The pod fields of a SparkApplication that go beyond the basics (issue 14): each maps to Spark's own setting
// where Spark has one (the spark-submit argv), to the pod template otherwise (controller/pod_template.h).
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "api/mounts.h"
#include "api/template_fields.h"
#include "common/base/json.h"
#include "controller/driver_pod.h"
#include "controller/pod_template.h"
#include "controller/submit/submission.h"
#include "tests/support/spark_app.h"
#include "tests/support/submit_args.h"

namespace spark_operator::controller {
namespace {

using testing::Conf;
using testing::FlagValue;

constexpr char kApp[] = R"(
apiVersion: spark-operator.k8s.io/v1alpha1
kind: SparkApplication
metadata: {name: wide, namespace: jobs, uid: 0f7c7c2e-1111-2222-3333-444455556666}
spec:
  type: Scala
  mainClass: org.example.Main
  mainApplicationFile: local:///opt/app.jar
  image: example/spark:1
  proxyUser: alice
  memoryOverheadFactor: "0.2"
  deps:
    archives: [s3a://bucket/env.tar.gz#env]
    packages: [org.apache.hadoop:hadoop-aws:3.4.1]
    repositories: [https://repo.example.com/maven]
    excludePackages: [com.amazonaws:aws-java-sdk-bundle]
  dynamicAllocation: {enabled: true, initialExecutors: 2, minExecutors: 1, maxExecutors: 10, shuffleTrackingTimeout: 60000}
  volumes:
    - {name: scratch, emptyDir: {medium: Memory, sizeLimit: 1Gi}}
    - {name: data, persistentVolumeClaim: {claimName: data-pvc}}
    - {name: settings, configMap: {name: app-settings}}
    - {name: shared, nfs: {server: nfs.example.com, path: /exports}}
  driver:
    cores: "0.5"
    coreRequest: 250m
    javaOptions: -XX:+UseG1GC
    schedulerName: volcano
    serviceAnnotations: {example.com/scrape: "true"}
    serviceLabels: {tier: spark}
    env:
      - {name: PLAIN, value: "1"}
      - name: TOKEN
        valueFrom: {secretKeyRef: {name: creds, key: token}}
    envFrom: [{configMapRef: {name: common-env}}]
    volumeMounts:
      - {name: scratch, mountPath: /scratch}
      - {name: settings, mountPath: /etc/settings, readOnly: true}
    tolerations: [{key: dedicated, operator: Equal, value: spark, effect: NoSchedule}]
    affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [spark]}]}]}}}
    securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false}
    podSecurityContext: {fsGroup: 185}
    lifecycle: {preStop: {exec: {command: [sh, -c, "sleep 5"]}}}
    sidecars: [{name: proxy, image: example/proxy:1}]
    initContainers: [{name: fetch, image: example/fetch:1, command: [sh, -c, "true"]}]
    hostAliases: [{ip: 10.0.0.9, hostnames: [metastore]}]
    dnsConfig: {options: [{name: ndots, value: "2"}]}
    priorityClassName: batch-high
    terminationGracePeriodSeconds: 45
    gpu: {name: nvidia.com/gpu, quantity: 1}
    podTemplate:
      metadata: {labels: {from-template: "yes"}}
      spec:
        tolerations: [{key: template, operator: Exists}]
        affinity: {podAffinity: {}}
        schedulerName: ignored-by-spark
  executor:
    instances: 2
    coreRequest: "1.5"
    deleteOnTermination: false
    volumeMounts:
      - {name: data, mountPath: /data, subPath: part, readOnly: true}
      - {name: shared, mountPath: /shared}
)";

SubmissionContext Context() { return {"/opt/spark/bin/spark-submit", "k8s://https://10.0.0.1:6443", 1, {}}; }

std::vector<std::string> Argv(const api::SparkApplication& app, const SubmissionContext& context = Context()) {
  return testing::SubmitArgv(app, context);
}

rapidjson::Document Template(const api::SparkApplication& app, PodRole role, const rapidjson::Value* base = nullptr) {
  Result<SpecMounts> mounts = SplitMounts(app.spec);
  INFO(mounts.status().ToString());
  REQUIRE(mounts.ok());
  Result<std::string> text = PodTemplate(app.spec, role, *mounts, base);
  INFO(text.status().ToString());
  REQUIRE(text.ok());
  if (text->empty()) return rapidjson::Document();
  Result<rapidjson::Document> pod = ParseJson(*text);
  REQUIRE(pod.ok());
  return std::move(*pod);
}

TEST_CASE("cores given as a string, coreRequest, javaOptions and schedulerName map to Spark settings") {
  const auto argv = Argv(testing::LoadApp(kApp));
  CHECK(Conf(argv, "spark.driver.cores") == "1");
  CHECK(Conf(argv, "spark.kubernetes.driver.request.cores") == "250m");  // coreRequest wins over cores.
  CHECK(Conf(argv, "spark.kubernetes.executor.request.cores") == "1.5");
  CHECK(Conf(argv, "spark.driver.extraJavaOptions") == "-XX:+UseG1GC");
  CHECK(Conf(argv, "spark.kubernetes.driver.scheduler.name") == "volcano");
  CHECK(Conf(argv, "spark.kubernetes.executor.scheduler.name") == "<missing>");
}

TEST_CASE("deps, proxyUser and memoryOverheadFactor map to spark-submit's options") {
  const auto argv = Argv(testing::LoadApp(kApp));
  CHECK(FlagValue(argv, "--archives") == "s3a://bucket/env.tar.gz#env");
  CHECK(FlagValue(argv, "--packages") == "org.apache.hadoop:hadoop-aws:3.4.1");
  CHECK(FlagValue(argv, "--repositories") == "https://repo.example.com/maven");
  CHECK(FlagValue(argv, "--exclude-packages") == "com.amazonaws:aws-java-sdk-bundle");
  CHECK(FlagValue(argv, "--proxy-user") == "alice");
  CHECK(Conf(argv, "spark.driver.memoryOverheadFactor") == "0.2");
  CHECK(Conf(argv, "spark.executor.memoryOverheadFactor") == "0.2");
}

TEST_CASE("dynamicAllocation maps to spark.dynamicAllocation, with shuffle tracking on by default") {
  api::SparkApplication app = testing::LoadApp(kApp);
  auto argv = Argv(app);
  CHECK(Conf(argv, "spark.dynamicAllocation.enabled") == "true");
  CHECK(Conf(argv, "spark.dynamicAllocation.initialExecutors") == "2");
  CHECK(Conf(argv, "spark.dynamicAllocation.minExecutors") == "1");
  CHECK(Conf(argv, "spark.dynamicAllocation.maxExecutors") == "10");
  CHECK(Conf(argv, "spark.dynamicAllocation.shuffleTracking.enabled") == "true");
  CHECK(Conf(argv, "spark.dynamicAllocation.shuffleTracking.timeout") == "60000ms");
  app.spec.dynamic_allocation.shuffle_tracking_enabled = false;
  CHECK(Conf(Argv(app), "spark.dynamicAllocation.shuffleTracking.enabled") == "false");
  app.spec.dynamic_allocation.enabled = false;
  CHECK(Conf(Argv(app), "spark.dynamicAllocation.enabled") == "<missing>");
}

TEST_CASE("the driver's Service annotations and labels, and executors kept after they end") {
  const auto argv = Argv(testing::LoadApp(kApp));
  CHECK(Conf(argv, "spark.kubernetes.driver.service.annotation.example.com/scrape") == "true");
  CHECK(Conf(argv, "spark.kubernetes.driver.service.label.tier") == "spark");
  CHECK(Conf(argv, "spark.kubernetes.executor.deleteOnTermination") == "false");
}

TEST_CASE("volumes Spark mounts itself go through Spark's volume settings") {
  const auto argv = Argv(testing::LoadApp(kApp));
  const std::string d = "spark.kubernetes.driver.volumes.";
  CHECK(Conf(argv, d + "emptyDir.scratch.mount.path") == "/scratch");
  CHECK(Conf(argv, d + "emptyDir.scratch.options.medium") == "Memory");
  CHECK(Conf(argv, d + "emptyDir.scratch.options.sizeLimit") == "1Gi");
  CHECK(Conf(argv, d + "configMap.settings.mount.path") == "<missing>");  // Not a kind Spark mounts.
  const std::string e = "spark.kubernetes.executor.volumes.";
  CHECK(Conf(argv, e + "persistentVolumeClaim.data.mount.path") == "/data");
  CHECK(Conf(argv, e + "persistentVolumeClaim.data.mount.subPath") == "part");
  CHECK(Conf(argv, e + "persistentVolumeClaim.data.mount.readOnly") == "true");
  CHECK(Conf(argv, e + "persistentVolumeClaim.data.options.claimName") == "data-pvc");
  CHECK(Conf(argv, e + "nfs.shared.options.server") == "nfs.example.com");
  CHECK(Conf(argv, e + "nfs.shared.options.path") == "/exports");
  CHECK(Conf(argv, d + "persistentVolumeClaim.data.mount.path") == "<missing>");  // Only the executor mounts it.
}

TEST_CASE("a volume with a field Spark's settings cannot say goes through the template") {
  api::SparkApplication app = testing::LoadApp(kApp);
  app.spec.volumes[0].json = R"({"name":"scratch","emptyDir":{}})";
  app.spec.driver.volume_mounts[0].json = R"({"name":"scratch","mountPath":"/scratch","mountPropagation":"None"})";
  CHECK(Conf(Argv(app), "spark.kubernetes.driver.volumes.emptyDir.scratch.mount.path") == "<missing>");
  const rapidjson::Document pod = Template(app, PodRole::kDriver);
  CHECK(ToJson(pod["spec"]["volumes"]).find("\"scratch\"") != std::string::npos);
}

TEST_CASE("a volume mounted twice in a pod goes through the template with every mount of it") {
  api::SparkApplication app = testing::LoadApp(kApp);
  // Spark's settings are keyed by the volume's name and hold one mount of it.
  app.spec.driver.volume_mounts.push_back({R"({"name":"scratch","mountPath":"/spill"})"});
  app.spec.executor.volume_mounts.push_back({R"({"name":"shared","mountPath":"/in","mountPropagation":"None"})"});
  const auto argv = Argv(app);
  CHECK(Conf(argv, "spark.kubernetes.driver.volumes.emptyDir.scratch.mount.path") == "<missing>");
  CHECK(Conf(argv, "spark.kubernetes.executor.volumes.nfs.shared.mount.path") == "<missing>");
  for (const PodRole role : {PodRole::kDriver, PodRole::kExecutor}) {
    const rapidjson::Document pod = Template(app, role);
    const rapidjson::Value& spec = pod["spec"];
    const int spark = api::SparkContainerIndex(spec["containers"]);
    REQUIRE(spark >= 0);
    std::string paths;
    for (const rapidjson::Value& m : spec["containers"][spark]["volumeMounts"].GetArray()) {
      paths += GetString(m, {"mountPath"}) + " ";
    }
    std::string volumes;
    for (const rapidjson::Value& v : spec["volumes"].GetArray()) volumes += GetString(v, {"name"}) + " ";
    if (role == PodRole::kDriver) {
      CHECK(paths == "/scratch /etc/settings /spill ");
      CHECK(volumes == "scratch settings ");
    } else {
      CHECK(paths == "/shared /in ");
      CHECK(volumes == "shared ");
    }
  }
}

TEST_CASE("plain env values go to Spark, env from sources to the template") {
  const api::SparkApplication app = testing::LoadApp(kApp);
  const auto argv = Argv(app);
  CHECK(Conf(argv, "spark.kubernetes.driverEnv.PLAIN") == "1");
  CHECK(Conf(argv, "spark.kubernetes.driverEnv.TOKEN") == "<missing>");
  const rapidjson::Document pod = Template(app, PodRole::kDriver);
  const rapidjson::Value& spark = pod["spec"]["containers"][0];
  CHECK(GetString(spark, {"name"}) == "spark-kubernetes-driver");
  CHECK(ToJson(spark["env"]) == R"([{"name":"TOKEN","valueFrom":{"secretKeyRef":{"name":"creds","key":"token"}}}])");
  CHECK(ToJson(spark["envFrom"]) == R"([{"configMapRef":{"name":"common-env"}}])");
}

TEST_CASE("the driver template: the user's podTemplate with the pod fields over it, the Spark container first") {
  const api::SparkApplication app = testing::LoadApp(kApp);
  const rapidjson::Document pod = Template(app, PodRole::kDriver);
  CHECK(GetString(pod, {"metadata", "labels", "from-template"}) == "yes");
  const rapidjson::Value& spec = pod["spec"];
  // Lists are appended to the template's, single values replace them.
  CHECK(
      ToJson(spec["tolerations"]) ==
      R"([{"key":"template","operator":"Exists"},{"key":"dedicated","operator":"Equal","value":"spark","effect":"NoSchedule"}])");
  CHECK(spec["affinity"].HasMember("nodeAffinity"));
  CHECK(!spec["affinity"].HasMember("podAffinity"));
  CHECK(GetString(spec, {"schedulerName"}) == "ignored-by-spark");  // Spark's setting decides (argv).
  CHECK(GetInt(spec, {"securityContext", "fsGroup"}) == 185);
  CHECK(GetString(spec, {"priorityClassName"}) == "batch-high");
  CHECK(GetInt(spec, {"terminationGracePeriodSeconds"}) == 45);
  CHECK(GetString(spec["hostAliases"][0], {"ip"}) == "10.0.0.9");
  CHECK(GetString(spec["dnsConfig"]["options"][0], {"name"}) == "ndots");
  CHECK(GetString(spec["initContainers"][0], {"name"}) == "fetch");
  REQUIRE(spec["containers"].Size() == 2);
  const rapidjson::Value& spark = spec["containers"][0];
  CHECK(GetString(spec["containers"][1], {"name"}) == "proxy");
  CHECK(GetBool(spark, {"securityContext", "runAsNonRoot"}));
  CHECK(spark["lifecycle"].HasMember("preStop"));
  CHECK(GetString(spark, {"resources", "limits", "nvidia.com/gpu"}) == "1");
  // Only the mount Spark does not make itself, and its volume.
  REQUIRE(spark["volumeMounts"].Size() == 1);
  CHECK(GetString(spark["volumeMounts"][0], {"mountPath"}) == "/etc/settings");
  REQUIRE(spec["volumes"].Size() == 1);
  CHECK(GetString(spec["volumes"][0], {"configMap", "name"}) == "app-settings");
}

TEST_CASE("the caller's base gives the owner and spec defaults the user's template does not override") {
  api::SparkApplication app = testing::LoadApp(kApp);
  const Result<rapidjson::Document> base = ParseJson(
      R"({"metadata":{"ownerReferences":[{"kind":"SparkApplication","name":"wide"}]},"spec":{"enableServiceLinks":false,"schedulerName":"base"}})");
  REQUIRE(base.ok());
  const rapidjson::Document pod = Template(app, PodRole::kDriver, &*base);
  CHECK(GetString(pod["metadata"]["ownerReferences"][0], {"name"}) == "wide");
  CHECK(!GetBool(pod, {"spec", "enableServiceLinks"}, true));
  CHECK(GetString(pod, {"spec", "schedulerName"}) == "ignored-by-spark");
}

TEST_CASE("an executor template only when the spec asks the executor for something Spark has no setting for") {
  api::SparkApplication app = testing::LoadApp(kApp);
  // The executor mounts only volumes Spark mounts itself.
  CHECK(Template(app, PodRole::kExecutor).IsNull());
  app.spec.executor.tolerations.push_back({R"({"key":"spot","operator":"Exists"})"});
  const rapidjson::Document pod = Template(app, PodRole::kExecutor);
  CHECK(GetString(pod["spec"]["tolerations"][0], {"key"}) == "spot");
  CHECK(!pod["spec"].HasMember("containers"));  // Nothing for the container: Spark's own stays as it builds it.
}

// Validation refuses a remote spark.kubernetes.executor.podTemplateFile beside the executor fields that make the
// controller write a template of its own (api::PodTemplateFields): the list must be exactly the builder's.
TEST_CASE("the executor fields validation lists as template fields are exactly those that make a template") {
  struct Field {
    const char* name;
    void (*set)(api::ExecutorSpec&);
  };
  const Field fields[] = {
      {"env[].valueFrom",
       [](api::ExecutorSpec& e) {
         e.env.push_back({"T", "", {R"({"secretKeyRef":{"name":"c","key":"t"}})"}});
       }},
      {"gpu",
       [](api::ExecutorSpec& e) {
         e.gpu = api::GpuSpec{"nvidia.com/gpu", 1};
       }},
      {"podTemplate", [](api::ExecutorSpec& e) { e.pod_template = {R"({"metadata":{"labels":{"a":"b"}}})"}; }},
      {"envFrom", [](api::ExecutorSpec& e) { e.env_from.push_back({R"({"configMapRef":{"name":"env"}})"}); }},
      {"volumeMounts",
       [](api::ExecutorSpec& e) { e.volume_mounts.push_back({R"({"name":"settings","mountPath":"/s"})"}); }},
      {"volumeMounts",
       [](api::ExecutorSpec& e) { e.volume_mounts.push_back({R"({"name":"data","mountPath":"/d2"})"}); }},
      {"tolerations", [](api::ExecutorSpec& e) { e.tolerations.push_back({R"({"operator":"Exists"})"}); }},
      {"affinity", [](api::ExecutorSpec& e) { e.affinity = {R"({"podAffinity":{}})"}; }},
      {"securityContext", [](api::ExecutorSpec& e) { e.security_context = {R"({"runAsNonRoot":true})"}; }},
      {"podSecurityContext", [](api::ExecutorSpec& e) { e.pod_security_context = {R"({"fsGroup":185})"}; }},
      {"lifecycle", [](api::ExecutorSpec& e) { e.lifecycle = {R"({"preStop":{"exec":{"command":["true"]}}})"}; }},
      {"sidecars", [](api::ExecutorSpec& e) { e.sidecars.push_back({R"({"name":"s","image":"i"})"}); }},
      {"initContainers", [](api::ExecutorSpec& e) { e.init_containers.push_back({R"({"name":"s","image":"i"})"}); }},
      {"hostAliases", [](api::ExecutorSpec& e) { e.host_aliases.push_back({R"({"ip":"10.0.0.1"})"}); }},
      {"dnsConfig", [](api::ExecutorSpec& e) { e.dns_config = {R"({"nameservers":["1.1.1.1"]})"}; }},
      {"priorityClassName", [](api::ExecutorSpec& e) { e.priority_class_name = "high"; }},
      {"terminationGracePeriodSeconds", [](api::ExecutorSpec& e) { e.termination_grace_period_seconds = 5; }},
      {"hostNetwork", [](api::ExecutorSpec& e) { e.host_network = false; }},
      {"shareProcessNamespace", [](api::ExecutorSpec& e) { e.share_process_namespace = true; }},
  };
  const api::SparkApplication base = testing::LoadApp(kApp);
  REQUIRE(api::PodTemplateFields(base.spec, base.spec.executor, "spec.executor").empty());
  REQUIRE(Template(base, PodRole::kExecutor).IsNull());
  for (const Field& f : fields) {
    INFO(f.name);
    api::SparkApplication app = base;
    f.set(app.spec.executor);
    CHECK_FALSE(Template(app, PodRole::kExecutor).IsNull());
    CHECK(api::PodTemplateFields(app.spec, app.spec.executor, "spec.executor") ==
          std::vector<std::string>{"spec.executor." + std::string(f.name)});
  }
  // Spark's own settings say these: no template, nothing listed.
  api::SparkApplication app = base;
  app.spec.executor.volume_mounts.push_back({R"({"name":"scratch","mountPath":"/scratch"})"});
  app.spec.executor.env.push_back({"PLAIN", "1", {}});
  app.spec.executor.labels["team"] = "a";
  CHECK(Template(app, PodRole::kExecutor).IsNull());
  CHECK(api::PodTemplateFields(app.spec, app.spec.executor, "spec.executor").empty());
}

TEST_CASE("the templates' paths and Spark container names are given to spark-submit") {
  const api::SparkApplication app = testing::LoadApp(kApp);
  SubmissionContext context = Context();
  context.driver_pod_template = "/tmp/t/driver.json";
  context.driver_container = "spark-kubernetes-driver";
  context.executor_pod_template = "/tmp/t/executor.json";
  const auto argv = Argv(app, context);
  CHECK(Conf(argv, "spark.kubernetes.driver.podTemplateFile") == "/tmp/t/driver.json");
  CHECK(Conf(argv, "spark.kubernetes.driver.podTemplateContainerName") == "spark-kubernetes-driver");
  CHECK(Conf(argv, "spark.kubernetes.executor.podTemplateFile") == "/tmp/t/executor.json");
  CHECK(Conf(argv, "spark.kubernetes.executor.podTemplateContainerName") == "<missing>");
}

TEST_CASE("the written templates and spark-submit's volume settings split the mounts the same way") {
  const api::SparkApplication app = testing::LoadApp(kApp);
  const rapidjson::Document stored = api::ToJson(app);
  SubmissionContext context = Context();
  const Result<std::vector<Submitter::File>> files = PodTemplateFiles(stored, app, "/tmp/t", 1, context);
  REQUIRE(files.ok());
  REQUIRE(!files->empty());
  const auto argv = Argv(app, context);
  CHECK(Conf(argv, "spark.kubernetes.driver.volumes.emptyDir.scratch.mount.path") == "/scratch");
  const Result<rapidjson::Document> driver = ParseJson(files->front().content);
  REQUIRE(driver.ok());
  const std::string spec = ToJson((*driver)["spec"]);
  CHECK(spec.find("/etc/settings") != std::string::npos);
  CHECK(spec.find("/scratch") == std::string::npos);  // Spark mounts it.
}

TEST_CASE("a mount of a volume the spec does not have fails the submission, naming the role") {
  api::SparkApplication app = testing::LoadApp(kApp);
  app.spec.executor.volume_mounts.push_back({R"({"name":"missing","mountPath":"/m"})"});
  SubmissionContext context = Context();
  const Result<std::vector<Submitter::File>> files = PodTemplateFiles(api::ToJson(app), app, "/tmp/t", 1, context);
  REQUIRE_FALSE(files.ok());
  CHECK(files.status().message() == "spec.executor.volumeMounts: no volume named missing in spec.volumes");
  const Result<std::vector<std::string>> argv = BuildSubmitArgs(app, Context());
  REQUIRE_FALSE(argv.ok());
  CHECK(argv.status().message() == files.status().message());
}

TEST_CASE("a user's template container named by Spark is the Spark container, wherever it is") {
  api::SparkApplication app = testing::LoadApp(kApp);
  app.spec.driver.pod_template.json =
      R"({"spec":{"containers":[{"name":"logger","image":"l"},{"name":"spark-kubernetes-driver","workingDir":"/w"}]}})";
  const rapidjson::Document pod = Template(app, PodRole::kDriver);
  const rapidjson::Value& containers = pod["spec"]["containers"];
  REQUIRE(containers.Size() == 3);
  CHECK(GetString(containers[1], {"workingDir"}) == "/w");
  CHECK(GetBool(containers[1], {"securityContext", "runAsNonRoot"}));
  CHECK(GetString(containers[2], {"name"}) == "proxy");
  CHECK(TemplateSparkContainer(ToJson(pod)) == "spark-kubernetes-driver");
}

}  // namespace
}  // namespace spark_operator::controller
