#include "tools/crdgen/crd.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/base/json.h"
#include "common/base/yaml.h"
#include "fixtures.h"

namespace spark_operator::api {
namespace {

constexpr char kCrdFile[] = "deploy/crd/spark-operator.k8s.io_sparkapplications.yaml";

// The paths of the properties under `schema` (through lists and maps) that have no description.
void CollectUndescribed(const rapidjson::Value& schema, const std::string& path, std::vector<std::string>& out) {
  if (const auto properties = schema.FindMember("properties"); properties != schema.MemberEnd()) {
    for (const auto& property : properties->value.GetObject()) {
      const std::string child = path + "." + property.name.GetString();
      if (!property.value.HasMember("description")) out.push_back(child);
      CollectUndescribed(property.value, child, out);
    }
  }
  if (const auto items = schema.FindMember("items"); items != schema.MemberEnd() && items->value.IsObject()) {
    CollectUndescribed(items->value, path + "[]", out);
  }
  if (const auto values = schema.FindMember("additionalProperties");
      values != schema.MemberEnd() && values->value.IsObject()) {
    CollectUndescribed(values->value, path + "{}", out);
  }
}

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
  // cores takes a number or a string holding one: no single type (the controller's parser checks it).
  const rapidjson::Value& cores = spec["properties"]["driver"]["properties"]["cores"];
  CHECK(!cores.HasMember("type"));
  CHECK(GetBool(cores, {"x-kubernetes-preserve-unknown-fields"}));
  CHECK(GetInt(spec, {"properties", "executor", "properties", "instances", "minimum"}) == 1);
  CHECK(GetString(spec, {"properties", "sparkConf", "additionalProperties", "type"}) == "string");
  CHECK(ToJson(spec["properties"]["driver"]["properties"]["secrets"]["items"]["required"]) == R"(["name","path"])");
  CHECK(ToJson(spec["properties"]["restartPolicy"]["properties"]["type"]["enum"]) ==
        R"(["Never","OnFailure","Always"])");
  CHECK(GetString(root, {"properties", "status", "properties", "submissionTime", "format"}) == "date-time");
  CHECK(
      ToJson(
          *FindPath(root, {"properties", "status", "properties", "applicationState", "properties", "state", "enum"})) ==
      R"(["NEW","SUBMITTED","RUNNING","COMPLETED","FAILED","SUBMISSION_FAILED","PENDING_RERUN","UNKNOWN","QUEUED","SUSPENDED"])");
  // The only untyped fields are the number-or-string ones: no unknown field escapes the schema elsewhere.
  size_t untyped = 0;
  const std::string text = ToJson(crd);
  for (size_t at = text.find("x-kubernetes-preserve-unknown-fields"); at != std::string::npos;
       at = text.find("x-kubernetes-preserve-unknown-fields", at + 1)) {
    ++untyped;
  }
  CHECK(untyped == 2);  // spec.driver.cores and spec.executor.cores.
}

TEST_CASE("core objects carry Kubernetes' own schema: typed, references inlined, no defaults") {
  const rapidjson::Document crd = SparkApplicationCrd();
  const rapidjson::Value& driver =
      crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["driver"];
  const rapidjson::Value& toleration = driver["properties"]["tolerations"]["items"];
  CHECK(GetString(toleration, {"properties", "tolerationSeconds", "type"}) == "integer");
  CHECK(GetString(toleration, {"properties", "tolerationSeconds", "format"}) == "int64");
  const rapidjson::Value* container =
      FindPath(driver, {"properties", "podTemplate", "properties", "spec", "properties", "containers", "items"});
  REQUIRE(container != nullptr);
  CHECK(ToJson((*container)["required"]) == R"(["name"])");
  // Quantities are integers or strings, as controller-gen writes them.
  const rapidjson::Value* limits = FindPath(*container, {"properties", "resources", "properties", "limits"});
  REQUIRE(limits != nullptr);
  CHECK(GetBool((*limits)["additionalProperties"], {"x-kubernetes-int-or-string"}));
  // A template's metadata is the labels and annotations Spark takes.
  const rapidjson::Value* metadata = FindPath(driver, {"properties", "podTemplate", "properties", "metadata"});
  REQUIRE(metadata != nullptr);
  CHECK((*metadata)["properties"].MemberCount() == 2);
  // A template need not list containers: Spark builds its own.
  const rapidjson::Value* pod_spec = FindPath(driver, {"properties", "podTemplate", "properties", "spec"});
  REQUIRE(pod_spec != nullptr);
  CHECK(!pod_spec->HasMember("required"));
  const std::string text = ToJson(driver);
  CHECK(text.find("$ref") == std::string::npos);
  CHECK(text.find("\"default\"") == std::string::npos);
  CHECK(text.find("ephemeralContainers") == std::string::npos);
}

// `kubectl explain` shows what the CRD's schema says: inside core objects, the first sentence of Kubernetes' own
// description, on every field however deep (tools/crdgen/kube_schema.cc says why not all of it).
TEST_CASE("core objects' fields carry the first sentence of Kubernetes' description at every depth") {
  const rapidjson::Document crd = SparkApplicationCrd();
  const rapidjson::Value& driver =
      crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["driver"];
  const rapidjson::Value* spec = FindPath(driver, {"properties", "podTemplate", "properties", "spec"});
  REQUIRE(spec != nullptr);
  CHECK(GetString(*spec, {"description"}).starts_with("Specification of the desired behavior of the pod."));
  const rapidjson::Value* containers = FindPath(*spec, {"properties", "containers"});
  REQUIRE(containers != nullptr);
  CHECK(GetString(*containers, {"description"}) == "List of containers belonging to the pod.");
  CHECK(GetString(*containers, {"items", "properties", "image", "description"}) == "Container image name.");
  CHECK(GetString(driver, {"properties", "tolerations", "items", "properties", "effect", "description"}) ==
        "Effect indicates the taint effect to match.");
  // Neither "e.g." nor "etc." ends a sentence.
  CHECK(GetString(driver, {"properties", "affinity", "properties", "podAffinity", "description"}) ==
        "Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other "
        "pod(s)).");
  // Deep inside a container: a probe's port, and a resource limit.
  const rapidjson::Value* container = FindPath(*containers, {"items", "properties"});
  REQUIRE(container != nullptr);
  CHECK(GetString(*container, {"livenessProbe", "properties", "httpGet", "properties", "port", "description"}) ==
        "Name or number of the port to access on the container.");
  CHECK(GetString(*container, {"resources", "properties", "limits", "description"}) ==
        "Limits describes the maximum amount of compute resources allowed.");
  // The field's own description stays the operator's.
  CHECK(GetString(driver, {"properties", "podTemplate", "description"}).starts_with("A Kubernetes PodTemplateSpec"));
}

// `kubectl explain` describes every field of every kind, ours and the core objects' inside them (the object's
// metadata is described by the API server itself).
TEST_CASE("every field of every CRD has a description") {
  for (const rapidjson::Document& crd : {SparkApplicationCrd(), ScheduledSparkApplicationCrd(), SparkTenantCrd()}) {
    INFO(GetString(crd, {"metadata", "name"}));
    std::vector<std::string> undescribed;
    CollectUndescribed(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"], "", undescribed);
    std::erase(undescribed, ".metadata");
    INFO(undescribed.size() << " fields without a description, the first: "
                            << (undescribed.empty() ? "" : undescribed.front()));
    CHECK(undescribed.empty());
  }
}

// etcd refuses a request over 1.5 MiB, and the API server stores a CRD as JSON; client-side apply would double
// it with its annotation, so the README says to apply server-side.
TEST_CASE("every CRD stays well under etcd's request limit") {
  for (const rapidjson::Document& crd : {SparkApplicationCrd(), ScheduledSparkApplicationCrd(), SparkTenantCrd()}) {
    INFO(GetString(crd, {"metadata", "name"}));
    CHECK(ToJson(crd).size() < 1'000'000);
  }
}

}  // namespace
}  // namespace spark_operator::api
