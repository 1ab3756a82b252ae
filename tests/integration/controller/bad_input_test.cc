// Bad SparkApplications through the real API server with the controller running: what the user sees is either
// the API server's refusal at apply time (the CRD schema) or, for rules the schema cannot express, state FAILED
// with errorMessage and a Warning Event. A valid app in the same namespace still completes.
#include <string>
#include <vector>

#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

constexpr auto kSubmitTimeout = std::chrono::seconds(120);

// The example app named `name` with `spec_patch` (JSON) merged into .spec: null removes a member.
rapidjson::Document App(const std::string& ns, const std::string& name, const std::string& spec_patch) {
  rapidjson::Document app = ExampleApp(ns, name);
  const rapidjson::Document patch = Json(spec_patch);
  auto& a = app.GetAllocator();
  for (const auto& m : patch.GetObject()) {
    rapidjson::Value& spec = app["spec"];
    if (spec.HasMember(m.name)) spec.RemoveMember(m.name);
    if (m.value.IsNull()) continue;
    rapidjson::Value key(m.name, a), value;
    value.CopyFrom(m.value, a);
    // Nested objects replace the example's whole member (driver, executor): the rows spell out what they keep.
    spec.AddMember(key, value, a);
  }
  return app;
}

struct Refused {
  std::string name, spec_patch, message;  // message: exact, as kubectl prints it after "Error from server".
};

struct Failed {
  std::string name, spec_patch, state, reason, message;  // message: exact errorMessage and Event message.
};

TEST_CASE(
    "bad SparkApplications: refused by the API server or FAILED with a message and an Event, and "
    "a valid app still completes") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "bad");
  RunningController controller(ns.name());

  const std::string kind = "SparkApplication.spark-operator.k8s.io ";
  const std::vector<Refused> refused = {
      {"bad-memory", R"({"driver":{"cores":0.1,"memory":"12q"}})",
       kind + R"("bad-memory" is invalid: spec.driver.memory: Invalid value: "12q": spec.driver.memory in body )"
              R"(should match '^[0-9]+(\.[0-9]+)?(k|m|g|t|p|kb|mb|gb|tb|pb|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)$')"},
      {"no-executors", R"({"executor":{"cores":1,"instances":0,"memory":"512m"}})",
       kind + R"("no-executors" is invalid: spec.executor.instances: Invalid value: 0: spec.executor.instances in )"
              R"(body should be greater than or equal to 1)"},
      {"unknown-type", R"({"type":"Go"})",
       kind + R"("unknown-type" is invalid: spec.type: Unsupported value: "Go": supported values: "Java", "Scala", )"
              R"("Python", "R")"},
      {"relative-path", R"({"driver":{"cores":0.1,"memory":"512m","secrets":[{"name":"creds","path":"creds"}]}})",
       kind + R"("relative-path" is invalid: spec.driver.secrets[0].path: Invalid value: "creds": )"
              R"(spec.driver.secrets[0].path in body should match '^/')"},
      {"Bad_Name", "{}",
       kind + R"("Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain )"
              R"(must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an )"
              R"(alphanumeric character (e.g. 'example.com', regex used for validation is )"
              R"('[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'))"},
  };
  const std::string invalid = "invalid SparkApplication: ";
  const std::vector<Failed> failed = {
      {"no-main-class", R"({"mainClass":null})", "FAILED", "SparkApplicationValidationFailed",
       invalid + "spec.mainClass: required for Scala applications"},
      // The API server drops the unknown field (kubectl shows a warning), so mainClass is missing.
      {"main-class-typo", R"({"mainClass":null,"mainclass":"org.apache.spark.examples.SparkPi"})", "FAILED",
       "SparkApplicationValidationFailed", invalid + "spec.mainClass: required for Scala applications"},
      // cores takes a number or a string, so the schema leaves it untyped and the controller checks it.
      {"zero-cores", R"({"driver":{"cores":0,"memory":"512m"}})", "FAILED", "SparkApplicationValidationFailed",
       invalid + "spec.driver.cores: must be more than 0"},
      {"word-cores", R"({"driver":{"cores":"two","memory":"512m"}})", "FAILED", "SparkApplicationValidationFailed",
       invalid + R"(spec.driver.cores: "two" is not a number)"},
      {"zero-memory", R"({"executor":{"cores":1,"instances":1,"memory":"0g"}})", "FAILED",
       "SparkApplicationValidationFailed", invalid + "spec.executor.memory: must be more than zero"},
      {"low-core-limit", R"({"driver":{"cores":2,"coreLimit":"500m","memory":"512m"}})", "FAILED",
       "SparkApplicationValidationFailed",
       invalid + R"(spec.driver.coreLimit: "500m" is less than cores (2); Kubernetes rejects a limit below the )"
                 "request"},
      {"climbing-path", R"({"driver":{"cores":0.1,"memory":"512m","secrets":[{"name":"c","path":"/mnt/../etc"}]}})",
       "FAILED", "SparkApplicationValidationFailed",
       invalid + R"(spec.driver.secrets[0].path: "/mnt/../etc" must be an absolute path without '..' segments)"},
      {"same-path",
       R"({"driver":{"cores":0.1,"memory":"512m","configMaps":[{"name":"a","path":"/m"}],)"
       R"("secrets":[{"name":"b","path":"/m"}]}})",
       "FAILED", "SparkApplicationValidationFailed",
       invalid + R"(spec.driver.secrets[0].path: "/m" is already used by spec.driver.configMaps[0].path)"},
      {"retries-never", R"({"restartPolicy":{"type":"Never","onFailureRetries":3}})", "FAILED",
       "SparkApplicationValidationFailed",
       invalid + "spec.restartPolicy.onFailureRetries: has no effect when type is Never; it is only used with "
                 "OnFailure"},
      {"no-image", R"({"image":null})", "FAILED", "SparkApplicationValidationFailed",
       invalid + "spec.image: required unless both spec.driver.image and spec.executor.image are set"},
      // Spark reads one executor template; the controller's, for the tolerations, would replace the user's.
      {"own-executor-template",
       R"({"sparkConf":{"spark.kubernetes.executor.podTemplateFile":"https://t.example.com/e.yaml"},)"
       R"("executor":{"cores":1,"instances":1,"memory":"512m","tolerations":[{"key":"spot","operator":"Exists"}]}})",
       "FAILED", "SparkApplicationValidationFailed",
       invalid +
           "spec.sparkConf[spark.kubernetes.executor.podTemplateFile]: \"https://t.example.com/e.yaml\" cannot be "
           "used with spec.executor.tolerations: the controller gives executors a pod template of its own for those "
           "fields, which would replace this file; put the file's content in spec.executor.podTemplate instead"},
      // Decided when the controller builds the spark-submit command, not by validation.
      {"client-mode", R"({"mode":"client"})", "SUBMISSION_FAILED", "SparkApplicationSubmissionFailed",
       "spec.mode: client mode is not supported: it would run the driver inside the operator"},
  };

  for (const Refused& row : refused) {
    INFO("row: " << row.name);
    const auto created =
        client->Create(kube::resources::kSparkApplications, ns.name(), App(ns.name(), row.name, row.spec_patch));
    REQUIRE_FALSE(created.ok());
    CHECK(created.status().message() == row.message);
  }
  for (const Failed& row : failed) CreateApp(*client, App(ns.name(), row.name, row.spec_patch));
  CreateApp(*client, ExampleApp(ns.name(), "good"));

  for (const Failed& row : failed) {
    INFO("row: " << row.name);
    CHECK(Eventually([&] { return State(*client, ns.name(), row.name) == row.state; }, kSubmitTimeout));
    const rapidjson::Document app = GetApp(*client, ns.name(), row.name);
    CHECK(GetString(app, {"status", "applicationState", "errorMessage"}) == row.message);
    CHECK(GetInt(app, {"status", "submissionAttempts"}) == (row.state == "FAILED" ? 0 : 1));
    const std::string event = "Warning/" + row.reason + ": " + row.message;
    CHECK(Eventually([&] {
      for (const std::string& e : Events(*client, ns.name(), row.name)) {
        if (e == event) return true;
      }
      return false;
    }));
    CHECK(PodNames(*client, ns.name(), std::string(kAppNameLabel) + "=" + row.name).empty());
  }

  // Nothing else stopped working: the valid app in the same namespace runs and completes.
  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "good-1-driver") == "Running"; }, kSubmitTimeout));
  FinishPod(*client, ns.name(), "good-1-driver", 0);
  CHECK(Eventually([&] { return State(*client, ns.name(), "good") == "COMPLETED"; }));
}

}  // namespace
}  // namespace spark_operator::controller::testing
