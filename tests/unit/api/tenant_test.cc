#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "api/spark_tenant.h"
#include "common/base/json.h"
#include "common/base/yaml.h"
#include "fixtures.h"
#include "tools/crdgen/crd.h"
#include "tools/crdgen/reference.h"

namespace spark_operator::api {
namespace {

constexpr char kTenant[] = R"(
apiVersion: spark-operator.k8s.io/v1alpha1
kind: SparkTenant
metadata: {name: team-a, generation: 2}
spec:
  namespace: {labels: {cost-center: "42"}, annotations: {owner: data-platform}}
  members:
    - {kind: User, name: alice}
    - {kind: Group, name: analysts}
    - {kind: ServiceAccount, name: ci}
  quota: {cpu: "8", memory: 16g, pods: 40, maxRunningApplications: 3}
  defaults:
    requests: {cpu: 100m, memory: 128Mi}
    limits: {cpu: "2", memory: 2g}
  deletionPolicy: Delete
)";

SparkTenant Parse(const char* yaml) {
  const Result<rapidjson::Document> json = YamlToJson(yaml);
  REQUIRE(json.ok());
  Result<SparkTenant> tenant = ParseSparkTenant(*json);
  if (!tenant.ok()) FAIL(tenant.status().ToString());
  return *tenant;
}

TEST_CASE("a SparkTenant reads, defaults and writes back what was written") {
  SparkTenant tenant = Parse(kTenant);
  CHECK(tenant.spec.members.size() == 3);
  CHECK(tenant.spec.members[2].kind == MemberKind::kServiceAccount);
  CHECK(tenant.spec.quota.max_running_applications == 3);
  CHECK(tenant.spec.deletion_policy == DeletionPolicy::kDelete);
  const std::string before = ToJson(TenantToJson(tenant));
  const Result<rapidjson::Document> reread = ParseJson(before);
  REQUIRE(reread.ok());
  CHECK(ParseSparkTenant(*reread).value() == tenant);

  ApplyDefaults(tenant);
  CHECK(tenant.spec.namespace_.name == "team-a");
  CHECK(tenant.spec.members[2].namespace_ == "team-a");
  CHECK(tenant.spec.members[0].namespace_.empty());
  CHECK(tenant.spec.defaults.driver_service_account == "spark");
  CHECK(Validate(tenant).ok());

  SparkTenant bare = Parse("{kind: SparkTenant, metadata: {name: b}, spec: {}}");
  ApplyDefaults(bare);
  CHECK(bare.spec.deletion_policy == DeletionPolicy::kRetain);
}

TEST_CASE("a SparkTenant's problems are named by path, all at once") {
  const Result<rapidjson::Document> json = YamlToJson(R"(
kind: SparkTenant
metadata: {name: t}
spec: {members: [{kind: Robot, name: r}], quota: {cpus: "1"}}
)");
  REQUIRE(json.ok());
  const Result<SparkTenant> parsed = ParseSparkTenant(*json);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().find("spec.members[0].kind: unknown value \"Robot\"") != std::string::npos);
  CHECK(parsed.status().message().find("spec.quota.cpus: unknown field") != std::string::npos);

  SparkTenant tenant = Parse(R"(
kind: SparkTenant
metadata: {name: t}
spec:
  namespace: {name: Not_A_Label}
  members: [{kind: User, name: bob, namespace: x}, {kind: Group}]
  quota: {memory: 16x, pods: -1}
  defaults: {requests: {cpu: "2"}, limits: {cpu: "1"}}
)");
  ApplyDefaults(tenant);
  const Status status = Validate(tenant);
  const std::string& m = status.message();
  INFO(m);
  CHECK(m.find("spec.namespace.name:") != std::string::npos);
  CHECK(m.find("spec.members[0].namespace: only for kind ServiceAccount") != std::string::npos);
  CHECK(m.find("spec.members[1].name: required") != std::string::npos);
  CHECK(m.find("spec.quota.memory:") != std::string::npos);
  CHECK(m.find("spec.quota.pods: must be at least 0") != std::string::npos);
  CHECK(m.find("spec.defaults.limits.cpu: \"1\" is less than requests.cpu \"2\"") != std::string::npos);
}

TEST_CASE("deploy/crd and docs hold the SparkTenant CRD and reference generated from api/tenant_fields.h") {
  constexpr char kCrdFile[] = "deploy/crd/spark-operator.k8s.io_sparktenants.yaml";
  constexpr char kDocFile[] = "docs/spark-tenant.md";
  if (testing::ReadSourceFile(kCrdFile) != SparkTenantCrdYaml()) FAIL(kCrdFile << " is stale: run `make crd`");
  if (testing::ReadSourceFile(kDocFile) != SparkTenantReferenceMarkdown())
    FAIL(kDocFile << " is stale: run `make crd`");
}

TEST_CASE("the SparkTenant CRD is cluster-scoped, with its names, enums and printer columns") {
  const rapidjson::Document crd = SparkTenantCrd();
  CHECK(GetString(crd, {"metadata", "name"}) == "sparktenants.spark-operator.k8s.io");
  CHECK(GetString(crd, {"spec", "scope"}) == "Cluster");
  CHECK(GetString(crd, {"spec", "names", "kind"}) == "SparkTenant");
  CHECK(ToJson(*FindPath(crd, {"spec", "names", "shortNames"})) == R"(["sparktenant"])");
  const rapidjson::Value& version = crd["spec"]["versions"][0];
  const rapidjson::Value& spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"];
  CHECK(ToJson(spec["properties"]["deletionPolicy"]["enum"]) == R"(["Retain","Delete"])");
  CHECK(ToJson(spec["properties"]["members"]["items"]["required"]) == R"(["kind","name"])");
  CHECK(FindPath(spec, {"properties", "quota", "properties", "memory", "pattern"}) != nullptr);
  std::string columns;
  for (const auto& c : version["additionalPrinterColumns"].GetArray()) columns += GetString(c, {"name"}) + " ";
  CHECK(columns == "Namespace Ready Reason CPU CPU-Hard Memory Memory-Hard Running Queued Age ");
  const std::map<std::string, FieldReference> rows = [] {
    std::map<std::string, FieldReference> out;
    for (FieldReference& row : SparkTenantSpecReference()) out[row.path] = row;
    return out;
  }();
  CHECK(rows.at("spec.deletionPolicy").default_value == "Retain");
  CHECK(rows.at("spec.defaults.driverServiceAccount").default_value == "spark");
}

}  // namespace
}  // namespace spark_operator::api
