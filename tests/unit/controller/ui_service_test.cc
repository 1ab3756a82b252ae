// The Spark UI Service object: NodePort or ClusterIP, owned by the app, selecting the current attempt's driver;
// the --ui-service-type flag.
#include "controller/ui_service.h"

#include <catch2/catch.hpp>

#include "common/base/json.h"

namespace spark_operator::controller {
namespace {

TEST_CASE("the UI service is a NodePort owned by the app selecting the attempt's driver on the UI port") {
  Result<rapidjson::Document> app = ParseJson(R"({"apiVersion":"spark-operator.k8s.io/v1alpha1",
      "kind":"SparkApplication","metadata":{"name":"pi","namespace":"jobs","uid":"u-1"}})");
  REQUIRE(app.ok());
  const rapidjson::Document svc = BuildUiService(*app, 3, 4999);
  CHECK(NameOf(svc) == "pi-ui-svc");
  CHECK(NamespaceOf(svc) == "jobs");
  CHECK(GetString(svc, {"spec", "type"}) == "NodePort");
  CHECK(GetString(svc, {"spec", "selector", "spark-operator.k8s.io/app-name"}) == "pi");
  CHECK(GetString(svc, {"spec", "selector", "spark-role"}) == "driver");
  CHECK(GetString(svc, {"spec", "selector", "spark-operator.k8s.io/submission-attempt"}) == "3");
  CHECK(GetInt(svc["spec"]["ports"][0], {"port"}) == 4999);
  CHECK(GetInt(svc["spec"]["ports"][0], {"targetPort"}) == 4999);
  const rapidjson::Value& owner = svc["metadata"]["ownerReferences"][0];
  CHECK(GetString(owner, {"kind"}) == "SparkApplication");
  CHECK(GetString(owner, {"apiVersion"}) == "spark-operator.k8s.io/v1alpha1");
  CHECK(GetString(owner, {"uid"}) == "u-1");
  CHECK(GetBool(owner, {"controller"}));
  CHECK(GetBool(owner, {"blockOwnerDeletion"}));
}

TEST_CASE("a ClusterIP UI service has the same selector and port, and asks for no node port") {
  Result<rapidjson::Document> app = ParseJson(R"({"apiVersion":"spark-operator.k8s.io/v1alpha1",
      "kind":"SparkApplication","metadata":{"name":"pi","namespace":"jobs","uid":"u-1"}})");
  REQUIRE(app.ok());
  const rapidjson::Document svc = BuildUiService(*app, 2, 4040, UiServiceType::kClusterIP);
  CHECK(NameOf(svc) == "pi-ui-svc");
  CHECK(GetString(svc, {"spec", "type"}) == "ClusterIP");
  CHECK(GetString(svc, {"spec", "selector", "spark-operator.k8s.io/submission-attempt"}) == "2");
  CHECK(GetInt(svc["spec"]["ports"][0], {"port"}) == 4040);
  CHECK_FALSE(svc["spec"]["ports"][0].HasMember("nodePort"));
  CHECK(GetString(svc["metadata"]["ownerReferences"][0], {"uid"}) == "u-1");
}

TEST_CASE("the UI service type is NodePort, ClusterIP or None, and an error names any other value") {
  CHECK(*ParseUiServiceType("NodePort") == UiServiceType::kNodePort);
  CHECK(*ParseUiServiceType("ClusterIP") == UiServiceType::kClusterIP);
  CHECK(*ParseUiServiceType("None") == UiServiceType::kNone);
  for (const char* bad : {"", "nodeport", "LoadBalancer"}) {
    const Result<UiServiceType> parsed = ParseUiServiceType(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().message().find("NodePort, ClusterIP or None") != std::string::npos);
    CHECK(parsed.status().message().find("\"" + std::string(bad) + "\"") != std::string::npos);
  }
  for (const UiServiceType type : {UiServiceType::kNodePort, UiServiceType::kClusterIP, UiServiceType::kNone}) {
    CHECK(*ParseUiServiceType(UiServiceTypeName(type)) == type);
  }
}

}  // namespace
}  // namespace spark_operator::controller
