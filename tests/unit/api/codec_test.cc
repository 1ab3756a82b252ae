#include <catch2/catch.hpp>

#include "api/spark_application.h"
#include "common/base/json.h"
#include "fixtures.h"

namespace spark_operator::api {
namespace {

using testing::kFullApplication;
using testing::Yaml;

// A minimal valid object with `spec_yaml` (indented by four spaces) added to its spec.
rapidjson::Document WithSpec(const std::string& spec_yaml) {
  return Yaml(
      "apiVersion: spark-operator.k8s.io/v1alpha1\nkind: SparkApplication\nmetadata: {name: a}\n"
      "spec:\n  type: Scala\n  mainClass: M\n  mainApplicationFile: local:///a.jar\n  image: i\n" +
      spec_yaml);
}

std::string ParseError(const rapidjson::Value& object) {
  const Result<SparkApplication> app = ParseSparkApplication(object);
  REQUIRE_FALSE(app.ok());
  CHECK(app.status().code() == StatusCode::kInvalidArgument);
  return app.status().message();
}

TEST_CASE("a full SparkApplication reads every field and writes back the same JSON") {
  const rapidjson::Document input = Yaml(kFullApplication);
  const Result<SparkApplication> app = ParseSparkApplication(input);
  REQUIRE(app.ok());
  CHECK(app->metadata.name == "full");
  CHECK(app->metadata.namespace_ == "jobs");
  CHECK(app->metadata.generation == 3);
  CHECK(app->spec.type == AppType::kPython);
  CHECK(app->spec.driver.cores == 0.5);
  CHECK(app->spec.driver.secrets[0].secret_type == SecretType::kGCPServiceAccount);
  CHECK(app->spec.executor.instances == 4);
  CHECK(app->spec.submission_by_user);
  CHECK(app->spec.restart_policy.type == RestartPolicyType::kOnFailure);
  CHECK(app->spec.spark_conf.at("spark.eventLog.enabled") == "true");
  CHECK(app->status.application_state.state == AppState::kRunning);
  CHECK(app->status.driver_info.web_ui_port == 4040);
  CHECK(app->status.executor_state.at("full-exec-2") == ExecutorState::kPending);

  const rapidjson::Document output = ToJson(*app);
  INFO(ToPrettyJson(output));
  CHECK(output == input);
  const Result<SparkApplication> again = ParseSparkApplication(output);
  REQUIRE(again.ok());
  CHECK(*again == *app);
}

TEST_CASE("unset fields are left out of the JSON, except the status counters") {
  SparkApplication app;
  app.metadata.name = "x";
  const rapidjson::Document json = ToJson(app);
  CHECK(ToJson(json) ==
        R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication","metadata":{"name":"x",)"
        R"("generation":0},"spec":{},"status":{"submissionAttempts":0,"executionAttempts":0}})");
}

TEST_CASE("submissionNumber is written once set and SubmissionNumber reads submissionAttempts from older statuses") {
  SparkApplicationStatus status;
  CHECK(SubmissionNumber(status) == 0);
  CHECK(FindPath(StatusToJson(status), {"submissionNumber"}) == nullptr);
  // Written by a controller without the field: the current submission is the attempt it counted.
  status.submission_attempts = 3;
  CHECK(SubmissionNumber(status) == 3);
  // After a spec change, attempts start again and the number goes on.
  status.submission_attempts = 1;
  status.submission_number = 5;
  CHECK(SubmissionNumber(status) == 5);
  const rapidjson::Document json = StatusToJson(status);
  CHECK(GetInt(json, {"submissionNumber"}) == 5);
  const Result<SparkApplicationStatus> back = ParseSparkApplicationStatus(json);
  REQUIRE(back.ok());
  CHECK(*back == status);
}

TEST_CASE("StatusToJson writes the status alone and reads back") {
  SparkApplicationStatus status;
  status.application_state.state = AppState::kSubmissionFailed;
  status.application_state.error_message = "spark-submit exited with 1";
  status.executor_state["e-1"] = ExecutorState::kFailed;
  status.submission_attempts = 2;
  const rapidjson::Document json = StatusToJson(status);
  CHECK(GetString(json, {"applicationState", "state"}) == "SUBMISSION_FAILED");
  CHECK(GetString(json, {"executorState", "e-1"}) == "FAILED");
  CHECK(GetInt(json, {"submissionAttempts"}) == 2);
  const Result<SparkApplicationStatus> back = ParseSparkApplicationStatus(json);
  REQUIRE(back.ok());
  CHECK(*back == status);
}

TEST_CASE("an unknown spec field is an error naming it, with a hint for a case typo") {
  const std::string message = ParseError(WithSpec("  mainclass: Other\n  driver: {memroy: 1g}\n"));
  CHECK_THAT(message, Catch::Contains("spec.mainclass: unknown field (did you mean mainClass?)"));
  CHECK_THAT(message, Catch::Contains("spec.driver.memroy: unknown field"));
}

TEST_CASE("unknown metadata and status fields are ignored, so newer writers do not break the operator") {
  const rapidjson::Document input = Yaml(
      "metadata: {name: a, managedFields: []}\nspec: {type: R, mainApplicationFile: x}\n"
      "status: {futureField: 1, applicationState: {state: NEW, reason: x}}\n");
  const Result<SparkApplication> app = ParseSparkApplication(input);
  REQUIRE(app.ok());
  CHECK(app->status.application_state.state == AppState::kNew);
}

TEST_CASE("an unknown enum value is an error listing the accepted values") {
  CHECK_THAT(ParseError(WithSpec("  mode: Cluster\n")),
             Catch::Contains("spec.mode: unknown value \"Cluster\"; expected one of cluster, client"));
  CHECK_THAT(ParseError(Yaml("spec: {type: scala}")),
             Catch::Contains("spec.type: unknown value \"scala\"; expected one of Java, Scala, Python, R"));
  CHECK_THAT(ParseError(WithSpec("  restartPolicy: {type: Sometimes}\n")),
             Catch::Contains("spec.restartPolicy.type: unknown value \"Sometimes\""));
  CHECK_THAT(ParseError(WithSpec("  driver: {secrets: [{name: s, path: /s, secretType: Opaque}]}\n")),
             Catch::Contains("spec.driver.secrets[0].secretType: unknown value \"Opaque\""));
  CHECK_THAT(ParseError(WithSpec("  imagePullPolicy: always\n")),
             Catch::Contains("expected one of Always, IfNotPresent, Never"));
  CHECK_THAT(ParseError(Yaml("status: {executorState: {e1: GONE}}")),
             Catch::Contains("status.executorState[e1]: unknown value \"GONE\""));
}

TEST_CASE("a value of the wrong type is an error with its JSON path") {
  CHECK_THAT(ParseError(WithSpec("  driver: {memory: 512}\n")),
             Catch::Contains("spec.driver.memory: expected a string, got a number (quote it in YAML)"));
  CHECK_THAT(ParseError(WithSpec("  sparkConf: {spark.executor.instances: 2}\n")),
             Catch::Contains("spec.sparkConf[spark.executor.instances]: expected a string, got a number"));
  CHECK_THAT(ParseError(WithSpec("  executor: {instances: two}\n")),
             Catch::Contains("spec.executor.instances: expected an integer, got a string"));
  CHECK_THAT(ParseError(WithSpec("  executor: {instances: 1.5}\n")),
             Catch::Contains("spec.executor.instances: expected an integer, got a number"));
  CHECK_THAT(ParseError(WithSpec("  executor: {instances: 9999999999}\n")),
             Catch::Contains("spec.executor.instances: 9999999999 is out of range"));
  CHECK_THAT(ParseError(WithSpec("  driver: {cores: one}\n")),
             Catch::Contains(R"(spec.driver.cores: "one" is not a number)"));
  CHECK_THAT(ParseError(WithSpec("  arguments: --verbose\n")),
             Catch::Contains("spec.arguments: expected a list, got a string"));
  CHECK_THAT(ParseError(WithSpec("  driver: {env: [{name: 5}]}\n")),
             Catch::Contains("spec.driver.env[0].name: expected a string"));
  CHECK_THAT(ParseError(WithSpec("  submissionByUser: \"yes\"\n")),
             Catch::Contains("spec.submissionByUser: expected a boolean, got a string"));
  CHECK_THAT(ParseError(WithSpec("  deps: []\n")), Catch::Contains("spec.deps: expected an object, got a list"));
}

TEST_CASE("all parse errors are reported together") {
  const std::string message = ParseError(WithSpec("  mode: x\n  driver: {memory: 1}\n  typo: 1\n"));
  CHECK_THAT(message,
             Catch::Contains("spec.mode:") && Catch::Contains("spec.driver.memory:") && Catch::Contains("spec.typo:"));
}

TEST_CASE("SpecFieldErrors gives the same problems one by one, with paths from where the spec is") {
  const rapidjson::Document object = WithSpec("  mode: x\n  driver: {memory: 1}\n  typo: 1\n");
  const std::vector<FieldError> errors = SpecFieldErrors(*FindPath(object, {"spec"}), "spec.template");
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].path == "spec.template.mode");
  CHECK(errors[0].message == "unknown value \"x\"; expected one of cluster, client");
  CHECK(errors[1].path == "spec.template.driver.memory");
  CHECK(errors[2].path == "spec.template.typo");
  CHECK(errors[2].message == "unknown field");
  CHECK(SpecFieldErrors(*FindPath(WithSpec(""), {"spec"})).empty());
}

TEST_CASE("null fields count as absent, as in Kubernetes") {
  const Result<SparkApplication> app = ParseSparkApplication(WithSpec("  mode:\n  driver:\n"));
  REQUIRE(app.ok());
  CHECK_FALSE(app->spec.mode.has_value());
}

TEST_CASE("another kind or API version is rejected") {
  CHECK_THAT(ParseError(Yaml("apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nspec: {}")),
             Catch::Contains("expected apiVersion spark-operator.k8s.io/v1alpha1"));
  CHECK_THAT(ParseError(Yaml("apiVersion: spark-operator.k8s.io/v1alpha1\nkind: Pod\n")),
             Catch::Contains("kind SparkApplication"));
  CHECK_THAT(ParseError(Yaml("[1, 2]")), Catch::Contains("must be a JSON object"));
}

}  // namespace
}  // namespace spark_operator::api
