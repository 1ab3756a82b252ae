// Reading and checking the pod fields that carry Kubernetes core objects, and cores written as a string.
#include <catch2/catch.hpp>
#include <string>

#include "api/spark_application.h"
#include "common/base/json.h"
#include "fixtures.h"

namespace spark_operator::api {
namespace {

using testing::Yaml;

constexpr char kPodFields[] = R"(
  volumes: [{name: scratch, emptyDir: {}}]
  driver:
    cores: "0.1"
    volumeMounts: [{name: scratch, mountPath: /scratch}]
    tolerations: [{key: a, operator: Exists, someFutureField: kept}]
    podTemplate: {spec: {containers: [{name: sidecar, image: busybox}]}}
  executor:
    cores: 2
)";

std::string AppYaml() { return testing::PiYaml(kPodFields, "{name: pi, namespace: default}"); }

Result<SparkApplication> Parse(const std::string& yaml) { return ParseSparkApplication(Yaml(yaml)); }

std::string WithDriver(const std::string& driver_fields) {
  std::string yaml = AppYaml();
  const size_t at = yaml.find("  executor:");
  return yaml.insert(at, driver_fields);
}

TEST_CASE("cores reads a number or a string holding one, as the original API's example writes it") {
  const Result<SparkApplication> app = Parse(AppYaml());
  INFO(app.status().ToString());
  REQUIRE(app.ok());
  CHECK(app->spec.driver.cores == 0.1);
  CHECK(app->spec.executor.cores == 2);
  std::string yaml = AppYaml();
  yaml.replace(yaml.find("\"0.1\""), 5, "\"lots\"");
  const Result<SparkApplication> bad = Parse(yaml);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "spec.driver.cores: \"lots\" is not a number");
}

TEST_CASE("core objects are kept as written and written back unchanged") {
  const Result<SparkApplication> app = Parse(AppYaml());
  REQUIRE(app.ok());
  REQUIRE(app->spec.driver.tolerations.size() == 1);
  CHECK(app->spec.driver.tolerations[0].json == R"({"key":"a","operator":"Exists","someFutureField":"kept"})");
  const rapidjson::Document json = ToJson(*app);
  CHECK(ToJson(json["spec"]["driver"]["podTemplate"]) ==
        R"({"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}})");
  CHECK(ToJson(json["spec"]["volumes"]) == R"([{"name":"scratch","emptyDir":{}}])");
  const Result<SparkApplication> again = ParseSparkApplication(json);
  REQUIRE(again.ok());
  CHECK(again->spec == app->spec);
}

TEST_CASE("a core field that is not an object is an error naming it") {
  const Result<SparkApplication> app = Parse(WithDriver("    affinity: [nodeAffinity]\n"));
  REQUIRE_FALSE(app.ok());
  CHECK(app.status().message() == "spec.driver.affinity: expected an object, got a list");
}

TEST_CASE("a volumeMount must name one of spec.volumes, and volume names are unique") {
  Result<SparkApplication> app = Parse(WithDriver("    sidecars: [{name: x, image: y}]\n"));
  REQUIRE(app.ok());
  ApplyDefaults(*app);
  CHECK(Validate(*app).ok());
  app->spec.driver.volume_mounts.push_back({R"({"name":"missing","mountPath":"/m"})"});
  app->spec.volumes.push_back({R"({"name":"scratch","hostPath":{"path":"/tmp"}})"});
  const Status status = Validate(*app);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message().find("spec.volumes[1]: a second volume named \"scratch\"") != std::string::npos);
  CHECK(status.message().find("spec.driver.volumeMounts[1]: no volume named \"missing\" in spec.volumes") !=
        std::string::npos);
}

TEST_CASE("dynamicAllocation bounds must be in order") {
  Result<SparkApplication> app = Parse(AppYaml());
  REQUIRE(app.ok());
  ApplyDefaults(*app);
  app->spec.dynamic_allocation = {.enabled = true, .initial_executors = 20, .min_executors = 5, .max_executors = 2};
  const Status status = Validate(*app);
  REQUIRE_FALSE(status.ok());
  CHECK(status.message().find("spec.dynamicAllocation.minExecutors: more than maxExecutors") != std::string::npos);
  CHECK(status.message().find("spec.dynamicAllocation.initialExecutors: more than maxExecutors") != std::string::npos);
}

TEST_CASE("gpu, memoryOverheadFactor and coreRequest are checked") {
  Result<SparkApplication> app = Parse(AppYaml());
  REQUIRE(app.ok());
  ApplyDefaults(*app);
  app->spec.driver.gpu = GpuSpec{.name = "nvidia.com/gpu!", .quantity = 0};
  app->spec.memory_overhead_factor = "twenty";
  app->spec.executor.core_request = "lots";
  const Status status = Validate(*app);
  REQUIRE_FALSE(status.ok());
  const std::string& m = status.message();
  CHECK(m.find("spec.driver.gpu.name") != std::string::npos);
  CHECK(m.find("spec.driver.gpu.quantity: must be at least 1") != std::string::npos);
  CHECK(m.find("spec.memoryOverheadFactor: \"twenty\"") != std::string::npos);
  CHECK(m.find("spec.executor.coreRequest") != std::string::npos);
}

}  // namespace
}  // namespace spark_operator::api
