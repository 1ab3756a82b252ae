#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "api/scheduled_application.h"
#include "common/base/json.h"
#include "common/base/yaml.h"
#include "fixtures.h"
#include "tools/crdgen/crd.h"
#include "tools/crdgen/reference.h"

namespace spark_operator::api {
namespace {

ScheduledSparkApplication Parse(const std::string& yaml) {
  const Result<rapidjson::Document> json = YamlToJson(yaml);
  REQUIRE(json.ok());
  Result<ScheduledSparkApplication> scheduled = ParseScheduledSparkApplication(*json);
  if (!scheduled.ok()) FAIL(scheduled.status().ToString());
  return *scheduled;
}

TEST_CASE("the ScheduledSparkApplication example reads, defaults, validates and writes back as written") {
  ScheduledSparkApplication s =
      Parse(testing::ReadSourceFile("deploy/examples/scheduled-spark-application-example.yaml"));
  CHECK(s.spec.schedule == "30 2 * * *");
  CHECK(s.spec.time_zone == "Europe/Berlin");
  CHECK(s.spec.concurrency_policy == ConcurrencyPolicy::kForbid);
  CHECK(s.spec.template_.main_class == "org.apache.spark.examples.SparkPi");
  CHECK(s.spec.template_.driver.cores == 0.1);
  const Result<rapidjson::Document> reread = ParseJson(ToJson(ScheduledToJson(s)));
  REQUIRE(reread.ok());
  CHECK(ParseScheduledSparkApplication(*reread).value() == s);
  ApplyDefaults(s);
  const Status valid = Validate(s);
  INFO(valid.message());
  CHECK(valid.ok());
  // The template is not defaulted: each run is a SparkApplication with its own defaults.
  CHECK_FALSE(s.spec.template_.image_pull_policy.has_value());
}

TEST_CASE("a ScheduledSparkApplication's defaults are UTC, Allow and one run of each kind kept") {
  ScheduledSparkApplication s = Parse(R"(
kind: ScheduledSparkApplication
metadata: {name: s}
spec: {schedule: "@daily", template: {type: Python, mainApplicationFile: local:///a.py, image: i}}
)");
  ApplyDefaults(s);
  CHECK(s.spec.time_zone == "UTC");
  CHECK(s.spec.concurrency_policy == ConcurrencyPolicy::kAllow);
  CHECK(s.spec.successful_run_history_limit == 1);
  CHECK(s.spec.failed_run_history_limit == 1);
  CHECK_FALSE(s.spec.suspend);
  CHECK(Validate(s).ok());
}

TEST_CASE("a ScheduledSparkApplication's problems are named by path, template ones under spec.template") {
  const Result<rapidjson::Document> json = YamlToJson(R"(
kind: ScheduledSparkApplication
metadata: {name: s}
spec: {schedule: "@daily", concurrencyPolicy: Sometimes, template: {type: Scala, colour: red}}
)");
  REQUIRE(json.ok());
  const Result<ScheduledSparkApplication> parsed = ParseScheduledSparkApplication(*json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message() ==
        "spec.template.colour: unknown field; spec.concurrencyPolicy: unknown value \"Sometimes\"; expected one of "
        "Allow, Forbid, Replace");

  ScheduledSparkApplication s = Parse(R"(
kind: ScheduledSparkApplication
metadata: {name: a-name-that-is-far-too-long-for-its-runs-to-fit-in-a-label}
spec:
  successfulRunHistoryLimit: -1
  template: {type: Scala, mainApplicationFile: local:///a.jar, driver: {memory: 1x}}
)");
  ApplyDefaults(s);
  const Status status = Validate(s);
  CHECK(status.message() ==
        "metadata.name: at most 52 characters, so that run names (<name>-<unix seconds>) fit in a label value; "
        "spec.schedule: required; spec.template.driver.memory: \"1x\" is not a memory amount: use a number with "
        "a Spark unit (512m, 2g, 2048k) or a Kubernetes unit (512Mi, 2Gi, 1G); spec.successfulRunHistoryLimit: must be "
        "at least 0; spec.template.mainClass: required for Scala "
        "applications; spec.template.image: required unless both spec.template.driver.image and "
        "spec.template.executor.image are set");
}

TEST_CASE("deploy/crd and docs hold the ScheduledSparkApplication CRD and reference generated from the fields") {
  constexpr char kCrdFile[] = "deploy/crd/spark-operator.k8s.io_scheduledsparkapplications.yaml";
  constexpr char kDocFile[] = "docs/scheduled-spark-application.md";
  if (testing::ReadSourceFile(kCrdFile) != ScheduledSparkApplicationCrdYaml()) {
    FAIL(kCrdFile << " is stale: run `make crd`");
  }
  if (testing::ReadSourceFile(kDocFile) != ScheduledSparkApplicationReferenceMarkdown()) {
    FAIL(kDocFile << " is stale: run `make crd`");
  }
  const Result<rapidjson::Document> yaml = YamlToJson(ScheduledSparkApplicationCrdYaml());
  REQUIRE(yaml.ok());
  CHECK(*yaml == ScheduledSparkApplicationCrd());
}

TEST_CASE("the ScheduledSparkApplication CRD: names, the template is the SparkApplication spec, enums, columns") {
  const rapidjson::Document crd = ScheduledSparkApplicationCrd();
  CHECK(GetString(crd, {"metadata", "name"}) == "scheduledsparkapplications.spark-operator.k8s.io");
  CHECK(GetString(crd, {"spec", "scope"}) == "Namespaced");
  CHECK(GetString(crd, {"spec", "names", "kind"}) == "ScheduledSparkApplication");
  CHECK(GetString(crd, {"spec", "names", "plural"}) == "scheduledsparkapplications");
  CHECK(ToJson(*FindPath(crd, {"spec", "names", "shortNames"})) == R"(["scheduledsparkapp"])");
  const rapidjson::Value& version = crd["spec"]["versions"][0];
  CHECK(FindPath(version, {"subresources", "status"}) != nullptr);
  const rapidjson::Value& root = version["schema"]["openAPIV3Schema"];
  const rapidjson::Value& spec = root["properties"]["spec"];
  CHECK(ToJson(spec["required"]) == R"(["schedule","template"])");
  CHECK(ToJson(spec["properties"]["concurrencyPolicy"]["enum"]) == R"(["Allow","Forbid","Replace"])");
  // Every SparkApplication spec field, from the same description.
  const rapidjson::Document app_crd = SparkApplicationCrd();
  const rapidjson::Value& app_spec = app_crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"];
  CHECK(ToJson(spec["properties"]["template"]["properties"]) == ToJson(app_spec["properties"]));
  CHECK(ToJson(spec["properties"]["template"]["required"]) == R"(["type","mainApplicationFile"])");
  CHECK(ToJson(root["properties"]["status"]["properties"]["scheduleState"]["enum"]) ==
        R"(["Scheduled","FailedValidation","Suspended"])");
  CHECK(GetString(root, {"properties", "status", "properties", "nextRun", "format"}) == "date-time");
  std::string columns;
  for (const auto& c : version["additionalPrinterColumns"].GetArray()) columns += GetString(c, {"name"}) + " ";
  CHECK(columns == "Schedule Suspend State Last-Run Next-Run Last-Run-Name Age ");
}

TEST_CASE("every default the ScheduledSparkApplication reference states is the one ApplyDefaults fills in") {
  std::map<std::string, std::string> defaults;
  for (const FieldReference& row : ScheduledSparkApplicationSpecReference()) {
    if (!row.default_value.empty()) defaults[row.path] = row.default_value;
  }
  ScheduledSparkApplication s;
  ApplyDefaults(s);
  CHECK(defaults == std::map<std::string, std::string>{{"spec.concurrencyPolicy", "Allow"},
                                                       {"spec.failedRunHistoryLimit", "1"},
                                                       {"spec.successfulRunHistoryLimit", "1"},
                                                       {"spec.suspend", "false"},
                                                       {"spec.timeZone", "UTC"}});
  CHECK(EnumName(*s.spec.concurrency_policy) == defaults["spec.concurrencyPolicy"]);
  CHECK(std::to_string(*s.spec.failed_run_history_limit) == defaults["spec.failedRunHistoryLimit"]);
  CHECK(std::to_string(*s.spec.successful_run_history_limit) == defaults["spec.successfulRunHistoryLimit"]);
  CHECK(s.spec.time_zone == defaults["spec.timeZone"]);
}

}  // namespace
}  // namespace spark_operator::api
