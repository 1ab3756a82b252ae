// The kubeflow converter (controller/convert/kubeflow.h): kubeflow-format YAML in, this project's YAML out, and
// every field left out named with its path and why. Where a kubeflow field may or may not be in this API yet
// (podTemplate, env valueFrom, monitoring), the test asks the API (ApiTakes) and expects the field carried if it
// does and reported if it does not: the converter is meant to need no change when fields are added.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "api/spark_application.h"
#include "common/base/json.h"
#include "common/base/yaml.h"
#include "controller/convert/kubeflow.h"
#include "tests/support/kubeflow.h"

namespace spark_operator::controller::convert {
namespace {

rapidjson::Document Yaml(const std::string& text) {
  Result<rapidjson::Document> doc = YamlToJson(text);
  INFO(doc.status().ToString());
  REQUIRE(doc.ok());
  return std::move(*doc);
}

Conversion Convert(const std::string& yaml) {
  Result<Conversion> conversion = ConvertKubeflowYaml(yaml);
  INFO(conversion.status().ToString());
  REQUIRE(conversion.ok());
  return std::move(*conversion);
}

const Finding* Find(const Conversion& c, const std::string& path) {
  for (const Finding& f : c.findings) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

bool Has(const Conversion& c, Finding::Severity severity, const std::string& path) {
  const Finding* f = Find(c, path);
  return f != nullptr && f->severity == severity;
}

// Whether this project's API takes `spec_yaml` as it is.
bool ApiTakes(const std::string& spec_yaml) { return api::SpecFieldErrors(Yaml(spec_yaml)).empty(); }

constexpr Finding::Severity kDropped = Finding::Severity::kDropped;
constexpr Finding::Severity kNote = Finding::Severity::kNote;

TEST_CASE("convert: kubeflow's spark-pi comes out as a v1alpha1 SparkApplication with every field carried") {
  // The spec comes out as it went in: every field of it is one this API has, under the same name.
  const std::string spec = spark_operator::testing::KubeflowPiSpec(R"(  arguments: ["1000"]
  sparkConf: {spark.ui.port: "4045", spark.eventLog.enabled: "false"}
  restartPolicy: {type: Never}
  timeToLiveSeconds: 3600
)" + std::string(spark_operator::testing::kKubeflowPiDriver) + R"(    labels: {version: 3.5.1}
  executor:
    cores: 1
    instances: 2
    memory: 512m
)");
  const Conversion c = Convert(R"(apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: spark-pi
  namespace: default
  uid: 0b6c4a1e-0000-4000-8000-000000000000
  resourceVersion: "4242"
  creationTimestamp: "2024-05-01T10:00:00Z"
  labels: {team: data}
  annotations: {owner: alice}
)" + spec + R"(status:
  applicationState: {state: COMPLETED}
  executionAttempts: 1
)");
  const rapidjson::Document expected = Yaml(R"(apiVersion: spark-operator.k8s.io/v1alpha1
kind: SparkApplication
metadata:
  name: spark-pi
  namespace: default
  labels: {team: data}
  annotations: {owner: alice}
)" + spec);
  INFO(c.yaml);
  CHECK(c.yaml.rfind("apiVersion: spark-operator.k8s.io/v1alpha1\nkind: SparkApplication\n", 0) == 0);
  // Read back as kubectl would: "1000" and "4045" must still be strings.
  CHECK(Yaml(c.yaml) == expected);
  CHECK_FALSE(c.Dropped());
  REQUIRE(Has(c, kNote, "metadata"));
  CHECK(Find(c, "metadata")->why == "uid, resourceVersion, creationTimestamp: set by the API server");
  CHECK(Has(c, kNote, "status"));
  CHECK(c.findings.size() == 2);
  // Converted output is this project's: its own parser and validation take it.
  Result<api::SparkApplication> app = api::ParseSparkApplication(Yaml(c.yaml));
  REQUIRE(app.ok());
  api::ApplyDefaults(*app);
  CHECK(api::Validate(*app).ok());
  CHECK(app->spec.driver.cores == 1);
}

TEST_CASE("convert: fields this API does not have are left out and named with their paths and reasons") {
  const Conversion c = Convert(R"(
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: gaps, namespace: jobs, generateName: gaps-, ownerReferences: []}
spec:
  type: Scala
  mode: in-cluster-client
  image: spark:3.5.1
  mainClass: Main
  mainApplicationFile: local:///app.jar
  failureRetries: 3
  retryInterval: 10
  batchScheduler: volcano
  batchSchedulerOptions: {queue: default}
  pythonVersion: "2"
  some.dotted.field: x
  sparkConf: {spark.a: "1", spark.b: 2}
  driver:
    podName: my-driver
    kubernetesMaster: https://example:6443
    secrets:
      - {name: token, path: /mnt/token, secretType: HadoopDelegationToken}
      - {name: gcp, path: /mnt/gcp, secretType: GCPServiceAccount}
  executor:
    deleteOnTermination: false
extra: true
)");
  INFO(FormatFindings(c.findings));
  CHECK(c.Dropped());
  CHECK(Has(c, kDropped, "metadata.generateName"));
  CHECK(Has(c, kDropped, "metadata.ownerReferences"));
  CHECK(Has(c, kDropped, "spec.mode"));
  CHECK(Find(c, "spec.mode")->why.find("in-cluster-client") != std::string::npos);
  CHECK(Has(c, kDropped, "spec.failureRetries"));
  CHECK(Find(c, "spec.failureRetries")->why.find("restartPolicy") != std::string::npos);
  CHECK(Has(c, kDropped, "spec.retryInterval"));
  CHECK(Has(c, kDropped, "spec.batchScheduler"));
  CHECK(Has(c, kDropped, "spec.batchSchedulerOptions"));
  CHECK(Has(c, kDropped, "spec.pythonVersion"));
  CHECK(Has(c, kDropped, "spec.some.dotted.field"));
  CHECK(Has(c, kDropped, "spec.sparkConf[spark.b]"));
  CHECK(Has(c, kDropped, "spec.driver.podName"));
  CHECK(Has(c, kDropped, "spec.driver.kubernetesMaster"));
  CHECK(Find(c, "spec.executor.deleteOnTermination") == nullptr);  // A field this API has, carried.
  // A list element is never left half: the secret whose type this API lacks goes whole, the next one stays.
  REQUIRE(Has(c, kDropped, "spec.driver.secrets[0].secretType"));
  CHECK(Find(c, "spec.driver.secrets[0].secretType")->why.find("spec.driver.secrets[0] is left out whole") !=
        std::string::npos);
  CHECK(Has(c, kDropped, "extra"));

  const rapidjson::Document out = Yaml(c.yaml);
  CHECK(api::SpecFieldErrors(*FindPath(out, {"spec"})).empty());
  CHECK(GetString(out, {"spec", "sparkConf", "spark.a"}) == "1");
  CHECK(FindPath(out, {"spec", "sparkConf", "spark.b"}) == nullptr);
  CHECK(FindPath(out, {"spec", "mode"}) == nullptr);
  const rapidjson::Value* secrets = FindPath(out, {"spec", "driver", "secrets"});
  REQUIRE(secrets != nullptr);
  REQUIRE(secrets->Size() == 1);
  CHECK(GetString((*secrets)[0], {"name"}) == "gcp");
  CHECK(FindPath(out, {"metadata", "generateName"}) == nullptr);
  CHECK(FindPath(out, {"extra"}) == nullptr);
  // Removing fields keeps the others in the user's order.
  CHECK(c.yaml.find("  driver:") < c.yaml.find("  executor:"));
  CHECK(c.yaml.find("  image:") < c.yaml.find("  sparkConf:"));
  CHECK(FormatFindings(c.findings).find("dropped: SparkApplication jobs/gaps: spec.driver.podName: unknown field") !=
        std::string::npos);
}

TEST_CASE("convert: envVars and envSecretKeyRefs become env entries, and template becomes podTemplate") {
  const Conversion c = Convert(R"(
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: env, namespace: default}
spec:
  type: Python
  image: spark-py:3.5.1
  mainApplicationFile: local:///app.py
  driver:
    env: [{name: A, value: "1"}]
    envVars: {A: from-map, B: "2"}
    envSecretKeyRefs: {PASSWORD: {name: db, key: password}}
    template: {metadata: {labels: {from: template}}}
  executor:
    envVars: {C: "3"}
)");
  INFO(FormatFindings(c.findings));
  const rapidjson::Document out = Yaml(c.yaml);
  CHECK(ToJson(*FindPath(out, {"spec", "executor", "env"})) == R"([{"name":"C","value":"3"}])");
  // env's own A wins over envVars' A, which is reported.
  CHECK(Has(c, kDropped, "spec.driver.envVars[A]"));
  const rapidjson::Value* env = FindPath(out, {"spec", "driver", "env"});
  REQUIRE(env != nullptr);
  CHECK(ToJson((*env)[0]) == R"({"name":"A","value":"1"})");
  CHECK(ToJson((*env)[1]) == R"({"name":"B","value":"2"})");
  if (ApiTakes("driver: {env: [{name: P, valueFrom: {secretKeyRef: {name: db, key: password}}}]}")) {
    REQUIRE(env->Size() == 3);
    CHECK(ToJson((*env)[2]) == R"({"name":"PASSWORD","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}})");
  } else {
    CHECK(env->Size() == 2);
    CHECK(Has(c, kDropped, "spec.driver.env[2].valueFrom"));
  }
  if (ApiTakes("driver: {podTemplate: {metadata: {labels: {a: b}}}}")) {
    CHECK(GetString(out, {"spec", "driver", "podTemplate", "metadata", "labels", "from"}) == "template");
  } else {
    CHECK(Has(c, kDropped, "spec.driver.podTemplate"));
  }
  CHECK(FindPath(out, {"spec", "driver", "template"}) == nullptr);
  CHECK(FindPath(out, {"spec", "driver", "envVars"}) == nullptr);
  CHECK(FindPath(out, {"spec", "driver", "envSecretKeyRefs"}) == nullptr);
}

TEST_CASE("convert: pythonVersion 3, the JMX exporter jar and kubectl's last-applied copy are notes, not drops") {
  const Conversion c = Convert(R"(
apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata:
  name: py
  annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
spec:
  type: Python
  pythonVersion: "3"
  image: spark-py:3.5.1
  mainApplicationFile: local:///app.py
  monitoring:
    exposeDriverMetrics: true
    exposeExecutorMetrics: true
    prometheus: {jmxExporterJar: /prometheus/jmx_prometheus_javaagent.jar}
)");
  INFO(FormatFindings(c.findings));
  CHECK(Has(c, kNote, "spec.pythonVersion"));
  CHECK(Has(c, kNote, "spec.monitoring.prometheus.jmxExporterJar"));
  CHECK(Has(c, kNote, "metadata.annotations[kubectl.kubernetes.io/last-applied-configuration]"));
  const rapidjson::Document out = Yaml(c.yaml);
  CHECK(FindPath(out, {"metadata", "annotations"}) == nullptr);
  CHECK(FindPath(out, {"spec", "pythonVersion"}) == nullptr);
  CHECK(FindPath(out, {"spec", "monitoring", "prometheus"}) == nullptr);  // It held only the jar.
  if (ApiTakes("monitoring: {exposeDriverMetrics: true, exposeExecutorMetrics: true}")) {
    CHECK(GetBool(out, {"spec", "monitoring", "exposeDriverMetrics"}));
  } else {
    CHECK(Has(c, kDropped, "spec.monitoring"));
  }
}

TEST_CASE("convert: a ScheduledSparkApplication keeps its schedule fields and has its template converted") {
  const Conversion c = Convert(R"(
apiVersion: sparkoperator.k8s.io/v1beta2
kind: ScheduledSparkApplication
metadata: {name: nightly, namespace: default}
spec:
  schedule: "@every 10m"
  timeZone: Europe/Paris
  concurrencyPolicy: Forbid
  suspend: false
  successfulRunHistoryLimit: 3
  failedRunHistoryLimit: 1
  runHistoryLimit: 5
  template:
    type: Scala
    sparkVersion: 3.5.1
    image: spark:3.5.1
    mainClass: org.apache.spark.examples.SparkPi
    mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
    failureRetries: 2
    driver: {cores: 1, envVars: {K: v}}
    executor: {instances: 1}
status: {lastRun: "2024-05-01T10:00:00Z"}
)");
  INFO(FormatFindings(c.findings));
  const rapidjson::Document out = Yaml(c.yaml);
  CHECK(GetString(out, {"apiVersion"}) == "spark-operator.k8s.io/v1alpha1");
  CHECK(GetString(out, {"kind"}) == "ScheduledSparkApplication");
  CHECK(GetString(out, {"spec", "schedule"}) == "@every 10m");
  CHECK(GetString(out, {"spec", "timeZone"}) == "Europe/Paris");
  CHECK(GetString(out, {"spec", "concurrencyPolicy"}) == "Forbid");
  CHECK(GetInt(out, {"spec", "successfulRunHistoryLimit"}) == 3);
  CHECK(GetInt(out, {"spec", "failedRunHistoryLimit"}) == 1);
  CHECK(FindPath(out, {"spec", "suspend"})->IsFalse());
  CHECK(Has(c, kDropped, "spec.runHistoryLimit"));
  CHECK(Has(c, kDropped, "spec.template.failureRetries"));
  CHECK(Has(c, kNote, "status"));
  CHECK(ToJson(*FindPath(out, {"spec", "template", "driver", "env"})) == R"([{"name":"K","value":"v"}])");
  CHECK(api::SpecFieldErrors(*FindPath(out, {"spec", "template"})).empty());
}

TEST_CASE("convert: several documents and a List come out as one document each, in order") {
  const std::string app = R"(apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: NAME}
spec: {type: Scala, image: spark:3.5.1, mainClass: M, mainApplicationFile: local:///a.jar}
)";
  const auto named = [&](const std::string& name) {
    std::string text = app;
    text.replace(text.find("NAME"), 4, name);
    return text;
  };
  std::string list = "apiVersion: v1\nkind: List\nitems:\n";
  for (const char* name : {"b", "c"}) {
    const rapidjson::Document item = Yaml(named(name));
    list += "- " + ToJson(item) + "\n";
  }
  const Conversion c = Convert(named("a") + "---\n" + list + "---\n");
  Result<std::vector<rapidjson::Document>> docs = YamlStreamToJson(c.yaml);
  REQUIRE(docs.ok());
  REQUIRE(docs->size() == 3);
  CHECK(NameOf((*docs)[0]) == "a");
  CHECK(NameOf((*docs)[1]) == "b");
  CHECK(NameOf((*docs)[2]) == "c");
  for (const rapidjson::Document& d : *docs) CHECK(GetString(d, {"apiVersion"}) == "spark-operator.k8s.io/v1alpha1");
}

TEST_CASE(
    "convert: malformed input, unknown kinds and objects that are not kubeflow's are errors naming the document") {
  const std::string good =
      "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata: {name: a}\n"
      "spec: {type: Scala, mainApplicationFile: local:///a.jar}\n";
  const auto error = [](const std::string& yaml) {
    const Result<Conversion> c = ConvertKubeflowYaml(yaml);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == StatusCode::kInvalidArgument);
    return c.status().message();
  };
  CHECK(error("spec: [unclosed").rfind("malformed YAML", 0) == 0);
  CHECK(error("") == "the input holds no YAML document");
  CHECK(error(good + "---\napiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkJob\nspec: {}\n") ==
        "document 2: kind \"SparkJob\" is not one the converter knows: expected SparkApplication or "
        "ScheduledSparkApplication");
  CHECK(error("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n") ==
        "document 1: apiVersion \"v1\": expected sparkoperator.k8s.io/v1beta2 (kubeflow's spark-operator)");
  CHECK(error("apiVersion: spark-operator.k8s.io/v1alpha1\nkind: SparkApplication\nspec: {}\n") ==
        "document 1: already spark-operator.k8s.io/v1alpha1; there is nothing to convert");
  CHECK(error("- a\n- b\n") == "document 1: expected a Kubernetes object (a YAML mapping)");
  CHECK(error("apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata: {name: a}\n") ==
        "document 1: spec: expected an object");
  CHECK(error("apiVersion: sparkoperator.k8s.io/v1beta2\nkind: ScheduledSparkApplication\nspec: {schedule: x}\n") ==
        "document 1: spec.template: required");
}

TEST_CASE("convert: the input is bounded in size and in nesting") {
  const Result<Conversion> big = ConvertKubeflowYaml(std::string(kMaxInputBytes + 1, '#'));
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().message().find("the converter reads at most 8388608") != std::string::npos);

  const auto nested = [](int depth) {
    return "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nspec: {sparkConf: " +
           std::string(depth, '[') + std::string(depth, ']') + "}\n";
  };
  const Result<Conversion> deep = ConvertKubeflowYaml(nested(300));
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.status().message() == "YAML nested deeper than 256 levels");
  // Far deeper: refused by the YAML reader itself, without exhausting the stack.
  CHECK_FALSE(ConvertKubeflowYaml(nested(100'000)).ok());
  CHECK(ConvertKubeflowYaml(nested(200)).ok());  // Converted; sparkConf then reported as the wrong type.
}

}  // namespace
}  // namespace spark_operator::controller::convert
