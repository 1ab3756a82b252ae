// The Spark UI Service against the local cluster and the real spark-submit: it exists while a driver runs and is
// gone, with the status's UI fields, once the driver ends; ClusterIP takes no node port; None makes none. The
// driver pod spark-submit creates from the controller's template has service links off.
#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

constexpr auto kSubmitTimeout = std::chrono::seconds(120);

Result<rapidjson::Document> UiService(kube::Client& client, const std::string& ns, const std::string& app) {
  return client.Get(kube::resources::kServices, ns, app + "-ui-svc");
}

bool UiServiceGone(kube::Client& client, const std::string& ns, const std::string& app) {
  return IsNotFound(UiService(client, ns, app).status());
}

// The UI fields of .status.driverInfo, "" when none is set.
std::string UiStatus(kube::Client& client, const std::string& ns, const std::string& app) {
  const rapidjson::Document doc = GetApp(client, ns, app);
  const rapidjson::Value* info = FindPath(doc, {"status", "driverInfo"});
  if (info == nullptr) return "";
  std::string out;
  for (const char* field : {"webUIURL", "webUIPort", "webUIServiceName"}) {
    if (info->HasMember(field)) out += std::string(field) + "=" + ToJson((*info)[field]) + " ";
  }
  return out;
}

TEST_CASE("each short app has a NodePort UI service while its driver runs and none once it completed") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ui");
  RunningController controller(ns.name());
  const std::vector<std::string> apps = {"ui-a", "ui-b", "ui-c"};
  for (const std::string& app : apps) CreateApp(*client, ExampleApp(ns.name(), app));

  for (const std::string& app : apps) {
    INFO("app " << app);
    const std::string driver = app + "-1-driver";
    REQUIRE(Eventually([&] { return State(*client, ns.name(), app) == "RUNNING"; }, kSubmitTimeout));
    REQUIRE(Eventually([&] {
      return !GetString(GetApp(*client, ns.name(), app), {"status", "driverInfo", "webUIURL"}).empty();
    }));
    const Result<rapidjson::Document> svc = UiService(*client, ns.name(), app);
    REQUIRE(svc.ok());
    CHECK(GetString(*svc, {"spec", "type"}) == "NodePort");
    const int64_t node_port = GetInt((*svc)["spec"]["ports"][0], {"nodePort"});
    CHECK(node_port >= 30000);
    CHECK(GetInt(GetApp(*client, ns.name(), app), {"status", "driverInfo", "webUIPort"}) == node_port);

    // spark-submit kept the template's enableServiceLinks: false.
    const Result<rapidjson::Document> pod = client->Get(kube::resources::kPods, ns.name(), driver);
    REQUIRE(pod.ok());
    const rapidjson::Value* links = FindPath(*pod, {"spec", "enableServiceLinks"});
    REQUIRE(links != nullptr);
    CHECK(links->IsFalse());

    FinishPod(*client, ns.name(), driver, 0);
  }
  for (const std::string& app : apps) {
    INFO("app " << app);
    REQUIRE(Eventually([&] { return State(*client, ns.name(), app) == "COMPLETED"; }));
    CHECK(Eventually([&] { return UiServiceGone(*client, ns.name(), app); }));
    CHECK(UiStatus(*client, ns.name(), app).empty());
  }
  const Result<rapidjson::Document> services = client->List(kube::resources::kServices, ns.name());
  REQUIRE(services.ok());
  for (const rapidjson::Value& s : (*services)["items"].GetArray()) {
    CHECK(GetString(s, {"spec", "type"}) != "NodePort");  // Spark's headless driver Services may remain.
  }
}

TEST_CASE("a rerun gets the UI service again for its new driver after it was deleted with the failed one") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ui");
  RunningController controller(ns.name());
  rapidjson::Document app = ExampleApp(ns.name(), "again");
  SetPath(app, {"spec", "restartPolicy"},
          rapidjson::Value(Json(R"({"type":"OnFailure","onFailureRetries":1,"onFailureRetryInterval":3})"),
                           app.GetAllocator()));
  CreateApp(*client, app);

  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "again-1-driver") == "Running"; }, kSubmitTimeout));
  REQUIRE(Eventually([&] { return UiService(*client, ns.name(), "again").ok(); }));
  FinishPod(*client, ns.name(), "again-1-driver", 1);
  REQUIRE(Eventually([&] {
    const std::string s = State(*client, ns.name(), "again");
    return s == "PENDING_RERUN" || s == "NEW" || s == "SUBMITTED" || s == "RUNNING";
  }));
  // Between the runs: no Service and no UI in the status (the next attempt may already have begun).
  CHECK(Eventually([&] {
    return State(*client, ns.name(), "again") != "PENDING_RERUN" ||
           (UiServiceGone(*client, ns.name(), "again") && UiStatus(*client, ns.name(), "again").empty());
  }));

  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "again-2-driver") == "Running"; }, kSubmitTimeout));
  REQUIRE(Eventually([&] {
    const Result<rapidjson::Document> svc = UiService(*client, ns.name(), "again");
    return svc.ok() && GetString(*svc, {"spec", "selector", "spark-operator.k8s.io/submission-attempt"}) == "2" &&
           !GetString(GetApp(*client, ns.name(), "again"), {"status", "driverInfo", "webUIURL"}).empty();
  }));
  FinishPod(*client, ns.name(), "again-2-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "again") == "COMPLETED"; }));
  CHECK(Eventually([&] { return UiServiceGone(*client, ns.name(), "again"); }));
  CHECK(UiStatus(*client, ns.name(), "again").empty());
}

TEST_CASE("a ClusterIP UI service takes no node port, and the type None makes no UI service") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ui");
  {
    RunningController controller(ns.name(), std::chrono::seconds(60), SparkSubmitPath(),
                                 [](ManagerOptions& o) { o.ui_service_type = UiServiceType::kClusterIP; });
    CreateApp(*client, ExampleApp(ns.name(), "inside"));
    REQUIRE(Eventually([&] { return State(*client, ns.name(), "inside") == "RUNNING"; }, kSubmitTimeout));
    REQUIRE(Eventually([&] {
      return !GetString(GetApp(*client, ns.name(), "inside"), {"status", "driverInfo", "webUIURL"}).empty();
    }));
    const Result<rapidjson::Document> svc = UiService(*client, ns.name(), "inside");
    REQUIRE(svc.ok());
    CHECK(GetString(*svc, {"spec", "type"}) == "ClusterIP");
    CHECK_FALSE((*svc)["spec"]["ports"][0].HasMember("nodePort"));
    const rapidjson::Document status = GetApp(*client, ns.name(), "inside");
    const int64_t port = GetInt((*svc)["spec"]["ports"][0], {"port"});
    CHECK(GetInt(status, {"status", "driverInfo", "webUIPort"}) == port);
    CHECK(GetString(status, {"status", "driverInfo", "webUIURL"}) ==
          "inside-ui-svc." + ns.name() + ".svc:" + std::to_string(port));
    FinishPod(*client, ns.name(), "inside-1-driver", 0);
    REQUIRE(Eventually([&] { return State(*client, ns.name(), "inside") == "COMPLETED"; }));
    CHECK(Eventually([&] { return UiServiceGone(*client, ns.name(), "inside"); }));
  }
  RunningController controller(ns.name(), std::chrono::seconds(60), SparkSubmitPath(),
                               [](ManagerOptions& o) { o.ui_service_type = UiServiceType::kNone; });
  CreateApp(*client, ExampleApp(ns.name(), "hidden"));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "hidden") == "RUNNING"; }, kSubmitTimeout));
  // The reconcile that wrote RUNNING is the one that would have made the Service.
  CHECK(UiServiceGone(*client, ns.name(), "hidden"));
  CHECK(UiStatus(*client, ns.name(), "hidden").empty());
  FinishPod(*client, ns.name(), "hidden-1-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "hidden") == "COMPLETED"; }));
  CHECK(UiServiceGone(*client, ns.name(), "hidden"));
  CHECK(UiStatus(*client, ns.name(), "hidden").empty());
}

}  // namespace
}  // namespace spark_operator::controller::testing
