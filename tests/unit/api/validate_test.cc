#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "api/spark_application.h"
#include "fixtures.h"

namespace spark_operator::api {
namespace {

using testing::ReadSourceFile;
using testing::Yaml;

// A valid Scala application with defaults applied; each test breaks one thing.
SparkApplication Valid() {
  SparkApplication app = testing::PiApp();
  ApplyDefaults(app);
  return app;
}

std::string Problems(const SparkApplication& app) {
  const Status status = Validate(app);
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == StatusCode::kInvalidArgument);
  return status.message();
}

TEST_CASE("the example in deploy/examples parses, defaults and validates as written") {
  const Result<SparkApplication> parsed =
      ParseSparkApplication(Yaml(ReadSourceFile("deploy/examples/spark-application-example.yaml")));
  REQUIRE(parsed.ok());
  SparkApplication app = *parsed;
  ApplyDefaults(app);
  const Status status = Validate(app);
  INFO(status.message());
  CHECK(status.ok());
  CHECK(app.metadata.name == "spark-app-example");
  CHECK(app.spec.driver.cores == 0.1);
  CHECK(app.spec.executor.instances == 1);
}

TEST_CASE("every SparkApplication in deploy/examples is accepted") {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::SourceDir() + "/deploy/examples")) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string relative = "deploy/examples/" + entry.path().filename().string();
    Result<std::vector<rapidjson::Document>> docs = YamlStreamToJson(ReadSourceFile(relative));
    REQUIRE(docs.ok());
    for (const rapidjson::Document& doc : *docs) {
      if (GetString(doc, {"kind"}) != kKind) continue;
      INFO(relative << ": " << GetString(doc, {"metadata", "name"}));
      Result<SparkApplication> app = ParseSparkApplication(doc);
      REQUIRE(app.ok());
      ApplyDefaults(*app);
      const Status status = Validate(*app);
      INFO(status.message());
      CHECK(status.ok());
      ++checked;
    }
  }
  CHECK(checked >= 1);
}

TEST_CASE("the example's image matches SPARK_VERSION in tools/versions.env") {
  const std::string versions = ReadSourceFile("tools/versions.env");
  const size_t at = versions.find("\nSPARK_VERSION=");
  REQUIRE(at != std::string::npos);
  const size_t start = at + std::string("\nSPARK_VERSION=").size();
  const std::string version = versions.substr(start, versions.find('\n', start) - start);
  CHECK_THAT(ReadSourceFile("deploy/examples/spark-application-example.yaml"),
             Catch::Contains("image: apache/spark:" + version + "\n"));
}

TEST_CASE("defaults match Spark's and leave set values alone") {
  SparkApplication app;
  ApplyDefaults(app);
  const SparkApplicationSpec& spec = app.spec;
  CHECK(spec.mode == DeployMode::kCluster);
  CHECK(spec.image_pull_policy == PullPolicy::kIfNotPresent);
  CHECK(spec.driver.cores == 1);
  CHECK(spec.driver.memory == "1g");
  CHECK(spec.executor.cores == 1);
  CHECK(spec.executor.memory == "1g");
  CHECK(spec.executor.instances == 1);
  CHECK(spec.restart_policy.type == RestartPolicyType::kNever);
  CHECK_FALSE(spec.restart_policy.on_failure_retries.has_value());
  CHECK_FALSE(spec.restart_policy.on_failure_retry_interval.has_value());
  CHECK(spec.driver.memory_overhead.empty());
  CHECK(spec.driver.core_limit.empty());
  CHECK_FALSE(spec.time_to_live_seconds.has_value());

  SparkApplication set;
  set.spec.mode = DeployMode::kClient;
  set.spec.driver.memory = "4g";
  set.spec.executor.instances = 7;
  set.spec.driver.secrets.push_back({.name = "s", .path = "/s", .secret_type = std::nullopt});
  ApplyDefaults(set);
  CHECK(set.spec.mode == DeployMode::kClient);
  CHECK(set.spec.driver.memory == "4g");
  CHECK(set.spec.executor.instances == 7);
  CHECK(set.spec.driver.secrets[0].secret_type == SecretType::kGeneric);
  SparkApplication twice = set;
  ApplyDefaults(twice);
  CHECK(twice == set);
}

TEST_CASE("OnFailure defaults to 3 retries 5 seconds apart - Always only to the intervals") {
  SparkApplication on_failure;
  on_failure.spec.restart_policy.type = RestartPolicyType::kOnFailure;
  ApplyDefaults(on_failure);
  const RestartPolicy& r = on_failure.spec.restart_policy;
  CHECK(r.on_failure_retries == 3);
  CHECK(r.on_submission_failure_retries == 3);
  CHECK(r.on_failure_retry_interval == 5);
  CHECK(r.on_submission_failure_retry_interval == 5);

  SparkApplication always;
  always.spec.restart_policy.type = RestartPolicyType::kAlways;
  ApplyDefaults(always);
  CHECK_FALSE(always.spec.restart_policy.on_failure_retries.has_value());
  CHECK(always.spec.restart_policy.on_failure_retry_interval == 5);
}

TEST_CASE("a valid application passes validation") {
  CHECK(Validate(Valid()).ok());
  SparkApplication full = *ParseSparkApplication(Yaml(testing::kFullApplication));
  ApplyDefaults(full);
  INFO(Validate(full).message());
  CHECK(Validate(full).ok());
}

TEST_CASE("required fields are reported by path") {
  SparkApplication app;
  ApplyDefaults(app);
  const std::string message = Problems(app);
  CHECK_THAT(message, Catch::Contains("spec.type: required"));
  CHECK_THAT(message, Catch::Contains("spec.mainApplicationFile: required"));
  CHECK_THAT(message, Catch::Contains("spec.image: required unless both spec.driver.image and "
                                      "spec.executor.image are set"));
}

TEST_CASE("mainClass is required for Java and Scala but not Python or R") {
  SparkApplication app = Valid();
  app.spec.main_class.clear();
  CHECK_THAT(Problems(app), Catch::Contains("spec.mainClass: required for Scala applications"));
  app.spec.type = AppType::kJava;
  CHECK_THAT(Problems(app), Catch::Contains("spec.mainClass: required for Java applications"));
  app.spec.type = AppType::kPython;
  CHECK(Validate(app).ok());
  app.spec.type = AppType::kR;
  CHECK(Validate(app).ok());
}

TEST_CASE("per-pod images can replace spec.image") {
  SparkApplication app = Valid();
  app.spec.image.clear();
  app.spec.driver.image = "d";
  CHECK_THAT(Problems(app), Catch::Contains("spec.image: required"));
  app.spec.executor.image = "e";
  CHECK(Validate(app).ok());
}

TEST_CASE("memory and CPU amounts must parse and be positive") {
  SparkApplication app = Valid();
  app.spec.driver.memory = "1024";
  app.spec.executor.memory_overhead = "lots";
  app.spec.executor.memory = "0g";
  app.spec.driver.core_limit = "1.5m";
  const std::string message = Problems(app);
  CHECK_THAT(message, Catch::Contains("spec.driver.memory: \"1024\" is not a memory amount"));
  CHECK_THAT(message, Catch::Contains("spec.executor.memoryOverhead: \"lots\" is not a memory amount"));
  CHECK_THAT(message, Catch::Contains("spec.executor.memory: must be more than zero"));
  CHECK_THAT(message, Catch::Contains("spec.driver.coreLimit: \"1.5m\" is not a CPU amount"));
}

TEST_CASE("cores must be positive, instances at least 1, retries and TTL not negative") {
  SparkApplication app = Valid();
  app.spec.driver.cores = 0;
  app.spec.executor.cores = -1;
  app.spec.executor.instances = 0;
  app.spec.time_to_live_seconds = -5;
  std::string message = Problems(app);
  CHECK_THAT(message, Catch::Contains("spec.driver.cores: must be more than 0"));
  CHECK_THAT(message, Catch::Contains("spec.executor.cores: must be more than 0"));
  CHECK_THAT(message, Catch::Contains("spec.executor.instances: must be at least 1"));
  CHECK_THAT(message, Catch::Contains("spec.timeToLiveSeconds: must be at least 0"));

  app = Valid();
  app.spec.restart_policy = {.type = RestartPolicyType::kOnFailure,
                             .on_failure_retries = -1,
                             .on_failure_retry_interval = -2,
                             .on_submission_failure_retries = -3,
                             .on_submission_failure_retry_interval = -4};
  message = Problems(app);
  CHECK_THAT(message, Catch::Contains("spec.restartPolicy.onFailureRetries: must be at least 0"));
  CHECK_THAT(message, Catch::Contains("spec.restartPolicy.onFailureRetryInterval: must be at least 0"));
  CHECK_THAT(message, Catch::Contains("spec.restartPolicy.onSubmissionFailureRetries: must be at least 0"));
  CHECK_THAT(message, Catch::Contains("spec.restartPolicy.onSubmissionFailureRetryInterval: must be at least 0"));
}

TEST_CASE("retry settings that the restart type ignores are rejected") {
  SparkApplication app = Valid();  // type Never
  app.spec.restart_policy.on_submission_failure_retries = 3;
  app.spec.restart_policy.on_failure_retry_interval = 10;
  std::string message = Problems(app);
  CHECK_THAT(message, Catch::Contains("spec.restartPolicy.onSubmissionFailureRetries: has no effect when type is "
                                      "Never; it is only used with OnFailure"));
  CHECK_THAT(message, Catch::Contains("spec.restartPolicy.onFailureRetryInterval: has no effect when type is Never"));
  app.spec.restart_policy.type = RestartPolicyType::kAlways;
  message = Problems(app);
  CHECK_THAT(message, Catch::Contains("onSubmissionFailureRetries: has no effect when type is Always"));
  CHECK_THAT(message, !Catch::Contains("onFailureRetryInterval"));
}

TEST_CASE("ConfigMap, Secret and other object names must be DNS-1123 subdomains") {
  SparkApplication app = Valid();
  app.spec.driver.config_maps.push_back({.name = "My_Conf", .path = "/etc/conf"});
  app.spec.executor.secrets.push_back({.name = "-bad", .path = "/etc/s", .secret_type = SecretType::kGeneric});
  app.spec.driver.service_account = "Spark";
  app.spec.image_pull_secrets = {"ok", "NotOk"};
  app.spec.spark_config_map = "a_b";
  app.spec.hadoop_config_map = "c..d";
  const std::string message = Problems(app);
  CHECK_THAT(message, Catch::Contains("spec.driver.configMaps[0].name: \"My_Conf\" must be a DNS-1123 subdomain"));
  CHECK_THAT(message, Catch::Contains("spec.executor.secrets[0].name: \"-bad\" must be a DNS-1123 subdomain"));
  CHECK_THAT(message, Catch::Contains("spec.driver.serviceAccount: \"Spark\""));
  CHECK_THAT(message, Catch::Contains("spec.imagePullSecrets[1]: \"NotOk\""));
  CHECK_THAT(message, !Catch::Contains("spec.imagePullSecrets[0]"));
  CHECK_THAT(message, Catch::Contains("spec.sparkConfigMap: \"a_b\""));
  CHECK_THAT(message, Catch::Contains("spec.hadoopConfigMap: \"c..d\""));
}

TEST_CASE("mount paths must be absolute, without .., and unique within a pod") {
  SparkApplication app = Valid();
  app.spec.driver.config_maps = {{.name = "a", .path = "etc/a"},
                                 {.name = "b", .path = "/etc/../b"},
                                 {.name = "c", .path = "/etc/c"},
                                 {.name = "e", .path = ""}};
  app.spec.driver.secrets = {{.name = "d", .path = "/etc/c", .secret_type = SecretType::kGeneric}};
  const std::string message = Problems(app);
  CHECK_THAT(message, Catch::Contains("spec.driver.configMaps[0].path: \"etc/a\" must be an absolute path"));
  CHECK_THAT(message, Catch::Contains("spec.driver.configMaps[1].path: \"/etc/../b\" must be an absolute path "
                                      "without '..' segments"));
  CHECK_THAT(message, Catch::Contains("spec.driver.configMaps[3].path: required"));
  CHECK_THAT(message, Catch::Contains("spec.driver.secrets[0].path: \"/etc/c\" is already used by "
                                      "spec.driver.configMaps[2].path"));
}

TEST_CASE("environment variable names, label keys and values are checked") {
  SparkApplication app = Valid();
  app.spec.driver.env = {{.name = "1BAD", .value = "x"}, {.name = "", .value = "y"}};
  app.spec.executor.labels = {{"bad key", "v"}, {"ok", "bad value"}};
  app.spec.driver.annotations = {{"example.com/a/b", "anything goes"}};
  app.spec.node_selector = {{"/zone", "a"}};
  const std::string message = Problems(app);
  CHECK_THAT(message, Catch::Contains("spec.driver.env[0].name: \"1BAD\" must be an environment variable name"));
  CHECK_THAT(message, Catch::Contains("spec.driver.env[1].name: required"));
  CHECK_THAT(message, Catch::Contains("spec.executor.labels: \"bad key\" must be a qualified name"));
  CHECK_THAT(message, Catch::Contains("spec.executor.labels[ok]: \"bad value\" must be a label value"));
  CHECK_THAT(message, Catch::Contains("spec.driver.annotations: \"example.com/a/b\" must be a qualified name"));
  CHECK_THAT(message, !Catch::Contains("anything goes"));
  CHECK_THAT(message, Catch::Contains("spec.nodeSelector: \"/zone\""));
}

TEST_CASE("coreLimit below cores is rejected, as Kubernetes would reject the pod") {
  SparkApplication app = Valid();
  app.spec.executor.cores = 2;
  app.spec.executor.core_limit = "1500m";
  CHECK_THAT(Problems(app), Catch::Contains("spec.executor.coreLimit: \"1500m\" is less than cores (2)"));
  app.spec.executor.core_limit = "2";
  CHECK(Validate(app).ok());
}

TEST_CASE("pyFiles are only accepted for Python applications") {
  SparkApplication app = Valid();
  app.spec.deps.py_files = {"local:///x.zip"};
  CHECK_THAT(Problems(app), Catch::Contains("spec.deps.pyFiles: only used by Python applications"));
}

TEST_CASE("every problem is reported in one message") {
  SparkApplication app = Valid();
  app.spec.main_class.clear();
  app.spec.driver.memory = "x";
  app.spec.executor.instances = 0;
  const std::string message = Problems(app);
  CHECK_THAT(message, Catch::Contains("spec.mainClass") && Catch::Contains("spec.driver.memory") &&
                          Catch::Contains("spec.executor.instances"));
  CHECK(std::count(message.begin(), message.end(), ';') == 2);
}

}  // namespace
}  // namespace spark_operator::api
