// Bad SparkApplications, as a table: each row breaks one rule of a valid manifest and states the exact text the
// user reads in .status.applicationState.errorMessage after "invalid SparkApplication: " (the controller adds
// that prefix and records the same text in a Warning Event SparkApplicationValidationFailed; the integration test
// tests/integration/controller/bad_input_test.cc checks both through the real API server).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "api/spark_application.h"
#include "fixtures.h"

namespace spark_operator::api {
namespace {

using testing::Yaml;

std::string ValidYaml() {
  return testing::PiYaml(R"(
  driver: {cores: 1, memory: 512m}
  executor: {cores: 1, memory: 512m, instances: 1}
)");
}

// RFC 7386 merge: objects merge member by member, null removes, anything else replaces.
void Merge(rapidjson::Value& target, const rapidjson::Value& patch, rapidjson::Document::AllocatorType& a) {
  if (!patch.IsObject() || !target.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  for (const auto& m : patch.GetObject()) {
    const auto it = target.FindMember(m.name);
    if (m.value.IsNull()) {
      if (it != target.MemberEnd()) target.RemoveMember(it);
    } else if (it != target.MemberEnd()) {
      Merge(it->value, m.value, a);
    } else {
      rapidjson::Value name(m.name, a), value(m.value, a);
      target.AddMember(name, value, a);
    }
  }
}

// What the user reads for the valid manifest with `spec_patch` (YAML, merged into .spec): the controller's
// pipeline of parse, defaults and validate; "" when the application is accepted.
std::string UserSees(const std::string& spec_patch) {
  rapidjson::Document doc = Yaml(ValidYaml());
  const rapidjson::Document patch = Yaml(spec_patch);
  Merge(doc["spec"], patch, doc.GetAllocator());
  Result<SparkApplication> app = ParseSparkApplication(doc);
  if (!app.ok()) return app.status().message();
  ApplyDefaults(*app);
  const Status valid = Validate(*app);
  return valid.ok() ? "" : valid.message();
}

struct Row {
  std::string name;
  std::string spec_patch;  // YAML merged into the valid spec.
  std::string message;     // Exact.
};

void RunRows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    INFO("row: " << row.name << "\nspec patch: " << row.spec_patch);
    CHECK(UserSees(row.spec_patch) == row.message);
  }
}

const std::string kDns =
    " must be a DNS-1123 subdomain: at most 253 lower-case letters, digits, '-' and '.', starting and ending with "
    "a letter or digit";
const std::string kMemoryForms =
    " is not a memory amount: use a number with a Spark unit (512m, 2g, 2048k) or a Kubernetes unit (512Mi, 2Gi, "
    "1G)";

TEST_CASE("bad input: the valid manifest of the table is accepted") { CHECK(UserSees("{}") == ""); }

TEST_CASE("bad input: SparkApplications that break one rule fail with the exact message") {
  RunRows({
      {"Scala without mainClass", "{mainClass: null}", "spec.mainClass: required for Scala applications"},
      {"Java without mainClass", "{type: Java, mainClass: null}", "spec.mainClass: required for Java applications"},
      {"type missing", "{type: null}", "spec.type: required"},
      {"type unknown", "{type: Go}", R"(spec.type: unknown value "Go"; expected one of Java, Scala, Python, R)"},
      {"type in the wrong case", "{type: scala}",
       R"(spec.type: unknown value "scala"; expected one of Java, Scala, Python, R)"},
      {"mode unknown", "{mode: local}", R"(spec.mode: unknown value "local"; expected one of cluster, client)"},
      {"mainApplicationFile missing", "{mainApplicationFile: null}", "spec.mainApplicationFile: required"},
      {"no image anywhere", "{image: null}",
       "spec.image: required unless both spec.driver.image and spec.executor.image are set"},
      {"an image for the driver only", "{image: null, driver: {image: 'apache/spark:4.2.0'}}",
       "spec.image: required unless both spec.driver.image and spec.executor.image are set"},
      {"memory 12q", "{driver: {memory: 12q}}", "spec.driver.memory: \"12q\"" + kMemoryForms},
      {"memory negative", "{executor: {memory: -1g}}", "spec.executor.memory: \"-1g\"" + kMemoryForms},
      {"memory zero", "{executor: {memory: 0g}}", "spec.executor.memory: must be more than zero"},
      {"memory too large", "{driver: {memory: 9999999999g}}", R"(spec.driver.memory: "9999999999g" is too large)"},
      {"memory a number", "{driver: {memory: 512}}",
       "spec.driver.memory: expected a string, got a number (quote it in YAML)"},
      {"memoryOverhead 1.5.0g", "{driver: {memoryOverhead: 1.5.0g}}",
       "spec.driver.memoryOverhead: \"1.5.0g\"" + kMemoryForms},
      {"cores 0", "{driver: {cores: 0}}", "spec.driver.cores: must be more than 0"},
      {"cores negative", "{executor: {cores: -2}}", "spec.executor.cores: must be more than 0"},
      {"cores a string", "{executor: {cores: two}}", R"(spec.executor.cores: "two" is not a number)"},
      {"coreLimit below cores", "{driver: {cores: 2, coreLimit: 500m}}",
       R"(spec.driver.coreLimit: "500m" is less than cores (2); Kubernetes rejects a limit below the request)"},
      {"coreLimit not a CPU amount", "{driver: {coreLimit: 1.5cores}}",
       R"(spec.driver.coreLimit: "1.5cores" is not a CPU amount: use cores (2, 0.5) or millicores (1200m))"},
      {"instances negative", "{executor: {instances: -1}}", "spec.executor.instances: must be at least 1"},
      {"instances zero", "{executor: {instances: 0}}", "spec.executor.instances: must be at least 1"},
      {"instances past int32", "{executor: {instances: 2147483648}}",
       "spec.executor.instances: 2147483648 is out of range"},
      {"instances fractional", "{executor: {instances: 1.5}}",
       "spec.executor.instances: expected an integer, got a number"},
      {"restart type unknown", "{restartPolicy: {type: Sometimes}}",
       R"(spec.restartPolicy.type: unknown value "Sometimes"; expected one of Never, OnFailure, Always)"},
      {"onFailureRetries negative", "{restartPolicy: {type: OnFailure, onFailureRetries: -1}}",
       "spec.restartPolicy.onFailureRetries: must be at least 0"},
      {"onSubmissionFailureRetryInterval negative",
       "{restartPolicy: {type: Always, onSubmissionFailureRetryInterval: -5}}",
       "spec.restartPolicy.onSubmissionFailureRetryInterval: must be at least 0"},
      {"retries with Never", "{restartPolicy: {type: Never, onFailureRetries: 3}}",
       "spec.restartPolicy.onFailureRetries: has no effect when type is Never; it is only used with OnFailure"},
      {"timeToLiveSeconds negative", "{timeToLiveSeconds: -1}", "spec.timeToLiveSeconds: must be at least 0"},
      {"ConfigMap name invalid", "{driver: {configMaps: [{name: My_Conf, path: /etc/conf}]}}",
       "spec.driver.configMaps[0].name: \"My_Conf\"" + kDns},
      {"ConfigMap without a path", "{driver: {configMaps: [{name: conf}]}}",
       "spec.driver.configMaps[0].path: required"},
      {"Secret path relative", "{executor: {secrets: [{name: creds, path: creds}]}}",
       R"(spec.executor.secrets[0].path: "creds" must be an absolute path without '..' segments)"},
      {"Secret path climbing out", "{executor: {secrets: [{name: creds, path: /mnt/../etc}]}}",
       R"(spec.executor.secrets[0].path: "/mnt/../etc" must be an absolute path without '..' segments)"},
      {"Secret type unknown", "{driver: {secrets: [{name: creds, path: /creds, secretType: Opaque}]}}",
       R"(spec.driver.secrets[0].secretType: unknown value "Opaque"; expected one of Generic, GCPServiceAccount)"},
      {"two mounts on one path", "{driver: {configMaps: [{name: a, path: /m}], secrets: [{name: b, path: /m}]}}",
       R"(spec.driver.secrets[0].path: "/m" is already used by spec.driver.configMaps[0].path)"},
      {"env name starting with a digit", "{driver: {env: [{name: 1PATH, value: x}]}}",
       "spec.driver.env[0].name: \"1PATH\" must be an environment variable name: letters, digits, '_', '-' and "
       "'.', not starting with a digit"},
      {"env without a name", "{driver: {env: [{value: x}]}}", "spec.driver.env[0].name: required"},
      {"label key invalid", "{driver: {labels: {'bad key': x}}}",
       "spec.driver.labels: \"bad key\" must be a qualified name: an optional DNS subdomain prefix and '/', then at "
       "most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit"},
      {"label value invalid", "{executor: {labels: {team: 'data science'}}}",
       "spec.executor.labels[team]: \"data science\" must be a label value: empty, or at most 63 letters, digits, "
       "'-', '_' and '.', starting and ending with a letter or digit"},
      {"serviceAccount invalid", "{driver: {serviceAccount: Spark}}", "spec.driver.serviceAccount: \"Spark\"" + kDns},
      {"imagePullSecrets invalid", "{imagePullSecrets: [ok, not_ok]}", "spec.imagePullSecrets[1]: \"not_ok\"" + kDns},
      {"sparkConfigMap invalid", "{sparkConfigMap: -conf}", "spec.sparkConfigMap: \"-conf\"" + kDns},
      {"imagePullPolicy unknown", "{imagePullPolicy: Sometimes}",
       R"(spec.imagePullPolicy: unknown value "Sometimes"; expected one of Always, IfNotPresent, Never)"},
      {"pyFiles for Scala", "{deps: {pyFiles: [local:///opt/lib.zip]}}",
       "spec.deps.pyFiles: only used by Python applications"},
      {"an unknown field", "{mainclass: Foo}", "spec.mainclass: unknown field (did you mean mainClass?)"},
      {"an empty sparkConf key", "{sparkConf: {'': x}}", "spec.sparkConf: keys must not be empty"},
      {"arguments not a list", "{arguments: --verbose}", "spec.arguments: expected a list, got a string"},
      {"driver a list", "{driver: [1]}", "spec.driver: expected an object, got a list"},
      {"a remote executor template beside executor fields that need the controller's",
       "{sparkConf: {spark.kubernetes.executor.podTemplateFile: 'https://t.example.com/e.yaml'}, "
       "executor: {tolerations: [{key: spot, operator: Exists}], sidecars: [{name: agent, image: busybox}]}}",
       "spec.sparkConf[spark.kubernetes.executor.podTemplateFile]: \"https://t.example.com/e.yaml\" cannot be used "
       "with spec.executor.tolerations, spec.executor.sidecars: the controller gives executors a pod template of its "
       "own for those fields, which would replace this file; put the file's content in spec.executor.podTemplate "
       "instead"},
      {"a remote driver template",
       "{sparkConf: {spark.kubernetes.driver.podTemplateFile: 'https://t.example.com/d.yaml'}}",
       "spec.sparkConf[spark.kubernetes.driver.podTemplateFile]: refused: the controller gives the driver a pod "
       "template of its own, which makes the application the pod's owner from its creation, and Spark reads one "
       "template: put yours in spec.driver.podTemplate"},
      {"every problem at once", "{type: null, executor: {instances: 0, memory: 12q}}",
       "spec.type: required; spec.executor.memory: \"12q\"" + kMemoryForms +
           "; spec.executor.instances: must be at least 1"},
  });
}

// Defect without an owner yet: cores has no maximum, and the controller converts it to int and int64 without a
// range check (api::SparkCores, api::CpuQuantity: undefined behaviour past their range), so the driver pod gets a
// nonsense CPU request. The user should read a validation message naming the field instead.
TEST_CASE("bad input: an absurd number of cores is refused by validation") {
  CHECK_THAT(UserSees("{driver: {cores: 1.0e300}}"), Catch::StartsWith("spec.driver.cores: "));
  CHECK_THAT(UserSees("{executor: {cores: 1.0e12}}"), Catch::StartsWith("spec.executor.cores: "));
}

// Issue 9 ("Security of submission", "Durations"): each row is refused with a message naming the field; the
// wording is api/submission_policy.cc's.
TEST_CASE("bad input: settings that would turn spark-submit against the operator are refused") {
  struct Named {
    std::string name, spec_patch, field;
  };
  for (const Named& row : std::vector<Named>{
           {"submission OAuth token file",
            "{sparkConf: {spark.kubernetes.authenticate.submission.oauthTokenFile: "
            "/var/run/secrets/kubernetes.io/serviceaccount/token}}",
            "spark.kubernetes.authenticate.submission.oauthTokenFile"},
           {"submission CA file", "{sparkConf: {spark.kubernetes.authenticate.submission.caCertFile: /etc/ssl/x}}",
            "spark.kubernetes.authenticate.submission.caCertFile"},
           {"upload path", "{sparkConf: {spark.kubernetes.file.upload.path: 's3a://bucket/x'}}",
            "spark.kubernetes.file.upload.path"},
           {"kerberos krb5.conf from the controller's disk",
            "{sparkConf: {spark.kubernetes.kerberos.krb5.path: /etc/krb5.conf}}",
            "spark.kubernetes.kerberos.krb5.path"},
           {"kerberos keytab", "{sparkConf: {spark.kerberos.keytab: /etc/krb5.keytab}}", "spark.kerberos.keytab"},
           {"driver pod template from the controller's disk",
            "{sparkConf: {spark.kubernetes.driver.podTemplateFile: /etc/passwd}}",
            "spark.kubernetes.driver.podTemplateFile"},
           {"main file from the controller's disk", "{mainApplicationFile: 'file:///etc/passwd'}",
            "spec.mainApplicationFile"},
           {"main file as a plain path", "{mainApplicationFile: /etc/passwd}", "spec.mainApplicationFile"},
           {"a jar from the controller's disk", "{deps: {jars: ['file:///var/run/secrets/x.jar']}}", "spec.deps.jars"},
           {"timeToLiveSeconds past any sensible maximum", "{timeToLiveSeconds: 9223372036854775807}",
            "spec.timeToLiveSeconds"},
           {"a retry interval past any sensible maximum",
            "{restartPolicy: {type: Always, onFailureRetryInterval: 9223372036854775807}}",
            "spec.restartPolicy.onFailureRetryInterval"},
       }) {
    INFO("row: " << row.name);
    CHECK_THAT(UserSees(row.spec_patch), Catch::Contains(row.field));
  }
}

}  // namespace
}  // namespace spark_operator::api
