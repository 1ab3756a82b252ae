#include "tools/crdgen/crd.h"

#include <catch2/catch.hpp>

#include "common/base/json.h"
#include "common/base/yaml.h"
#include "fixtures.h"

namespace spark_operator::api {
namespace {

constexpr char kCrdFile[] = "deploy/crd/spark-operator.k8s.io_sparkapplications.yaml";

TEST_CASE("deploy/crd holds the CRD generated from api/fields.h") {
  const bool up_to_date = testing::ReadSourceFile(kCrdFile) == SparkApplicationCrdYaml();
  if (!up_to_date) FAIL(kCrdFile << " is out of date with api/fields.h: run `make crd` to regenerate it");
}

TEST_CASE("the CRD YAML reads back as the generated object") {
  const Result<rapidjson::Document> yaml = YamlToJson(SparkApplicationCrdYaml());
  REQUIRE(yaml.ok());
  CHECK(*yaml == SparkApplicationCrd());
}

TEST_CASE("the CRD names the resource, its status subresource and printer columns") {
  const rapidjson::Document crd = SparkApplicationCrd();
  CHECK(GetString(crd, {"metadata", "name"}) == "sparkapplications.spark-operator.k8s.io");
  CHECK(GetString(crd, {"spec", "group"}) == "spark-operator.k8s.io");
  CHECK(GetString(crd, {"spec", "scope"}) == "Namespaced");
  CHECK(GetString(crd, {"spec", "names", "kind"}) == "SparkApplication");
  CHECK(GetString(crd, {"spec", "names", "plural"}) == "sparkapplications");
  CHECK(ToJson(*FindPath(crd, {"spec", "names", "shortNames"})) == R"(["sparkapp"])");
  const rapidjson::Value& version = crd["spec"]["versions"][0];
  CHECK(GetString(version, {"name"}) == "v1alpha1");
  CHECK(GetBool(version, {"served"}));
  CHECK(GetBool(version, {"storage"}));
  CHECK(FindPath(version, {"subresources", "status"}) != nullptr);
  std::string columns;
  for (const auto& c : version["additionalPrinterColumns"].GetArray()) {
    columns += GetString(c, {"name"}) + "=" + GetString(c, {"jsonPath"}) + " ";
  }
  CHECK(columns ==
        "State=.status.applicationState.state Attempts=.status.executionAttempts "
        "Driver=.status.driverInfo.podName Age=.metadata.creationTimestamp ");
}

TEST_CASE("the spec schema describes every field, with enums, requirements and no unknown-field escape") {
  const rapidjson::Document crd = SparkApplicationCrd();
  const rapidjson::Value& root = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
  const rapidjson::Value& spec = root["properties"]["spec"];
  CHECK(ToJson(spec["required"]) == R"(["type","mainApplicationFile"])");
  CHECK(ToJson(spec["properties"]["type"]["enum"]) == R"(["Java","Scala","Python","R"])");
  CHECK(GetString(spec, {"properties", "driver", "properties", "memory", "type"}) == "string");
  CHECK(FindPath(spec, {"properties", "driver", "properties", "memory", "pattern"}) != nullptr);
  CHECK(GetString(spec, {"properties", "driver", "properties", "cores", "type"}) == "number");
  CHECK(GetInt(spec, {"properties", "executor", "properties", "instances", "minimum"}) == 1);
  CHECK(GetString(spec, {"properties", "sparkConf", "additionalProperties", "type"}) == "string");
  CHECK(ToJson(spec["properties"]["driver"]["properties"]["secrets"]["items"]["required"]) == R"(["name","path"])");
  CHECK(ToJson(spec["properties"]["restartPolicy"]["properties"]["type"]["enum"]) ==
        R"(["Never","OnFailure","Always"])");
  CHECK(GetString(root, {"properties", "status", "properties", "submissionTime", "format"}) == "date-time");
  CHECK(ToJson(*FindPath(root,
                         {"properties", "status", "properties", "applicationState", "properties", "state", "enum"})) ==
        R"(["NEW","SUBMITTED","RUNNING","COMPLETED","FAILED","SUBMISSION_FAILED","PENDING_RERUN","UNKNOWN","QUEUED","SUSPENDED"])");
  CHECK(ToJson(crd).find("x-kubernetes-preserve-unknown-fields") == std::string::npos);
}

}  // namespace
}  // namespace spark_operator::api
