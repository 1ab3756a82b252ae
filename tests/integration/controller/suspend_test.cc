// spec.suspend against the local cluster and the real spark-submit, as a queue such as Kueue uses it: an app
// created suspended is not submitted; suspending a running app deletes its driver; resuming runs a new attempt.
#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

constexpr auto kSubmitTimeout = std::chrono::seconds(120);

void SetSuspend(kube::Client& client, const std::string& ns, const std::string& app, bool suspend) {
  const std::string patch = std::string(R"({"spec":{"suspend":)") + (suspend ? "true" : "false") + "}}";
  const auto patched = client.Patch(kube::resources::kSparkApplications, ns, app, kube::PatchType::kMerge, patch);
  if (!patched.ok()) FAIL("patching " << app << ": " << patched.status().ToString());
}

// Gone, or on its way: the driver's containers are stopped once it has a deletionTimestamp.
bool PodGoing(kube::Client& client, const std::string& ns, const std::string& pod) {
  const Result<rapidjson::Document> p = client.Get(kube::resources::kPods, ns, pod);
  return IsNotFound(p.status()) || (p.ok() && !GetString(*p, {"metadata", "deletionTimestamp"}).empty());
}

TEST_CASE("an app created suspended is not submitted until it is resumed, then runs to COMPLETED") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "susp");
  RunningController controller(ns.name());
  rapidjson::Document app = ExampleApp(ns.name(), "held");
  SetPath(app, {"spec", "suspend"}, rapidjson::Value(true));
  CreateApp(*client, app);

  REQUIRE(Eventually([&] { return State(*client, ns.name(), "held") == "SUSPENDED"; }));
  CHECK(Eventually([&] {
    return HasEvent(*client, ns.name(), "held",
                    "Normal/SparkApplicationSuspended: spec.suspend is true: not submitted");
  }));
  const rapidjson::Document suspended = GetApp(*client, ns.name(), "held");
  CHECK(GetInt(suspended, {"status", "submissionAttempts"}) == 0);
  CHECK(GetString(suspended, {"status", "applicationState", "errorMessage"}) == "spec.suspend is true");
  CHECK(PodNames(*client, ns.name(), "spark-operator.k8s.io/app-name=held").empty());

  SetSuspend(*client, ns.name(), "held", false);
  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "held-1-driver") == "Running"; }, kSubmitTimeout));
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "held", "Normal/SparkApplicationResumed"); }));
  FinishPod(*client, ns.name(), "held-1-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "held") == "COMPLETED"; }));
  CHECK(GetInt(GetApp(*client, ns.name(), "held"), {"status", "submissionAttempts"}) == 1);
}

TEST_CASE("suspending a running app deletes its driver and UI service, and resuming runs a new attempt to COMPLETED") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "susp");
  RunningController controller(ns.name());
  CreateApp(*client, ExampleApp(ns.name(), "busy"));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "busy") == "RUNNING"; }, kSubmitTimeout));
  REQUIRE(Eventually([&] {
    return !GetString(GetApp(*client, ns.name(), "busy"), {"status", "driverInfo", "webUIServiceName"}).empty();
  }));

  SetSuspend(*client, ns.name(), "busy", true);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "busy") == "SUSPENDED"; }));
  CHECK(PodGoing(*client, ns.name(), "busy-1-driver"));
  CHECK(Eventually([&] {
    return HasEvent(*client, ns.name(), "busy",
                    "Normal/SparkApplicationSuspended: spec.suspend is true: driver pod busy-1-driver deleted");
  }));
  const rapidjson::Document suspended = GetApp(*client, ns.name(), "busy");
  CHECK(GetString(suspended, {"status", "driverInfo", "podName"}).empty());
  CHECK(GetString(suspended, {"status", "driverInfo", "webUIServiceName"}).empty());
  CHECK(IsNotFound(client->Get(kube::resources::kServices, ns.name(), "busy-ui-svc").status()));
  CHECK(Eventually([&] { return IsNotFound(client->Get(kube::resources::kPods, ns.name(), "busy-1-driver").status()); },
                   std::chrono::seconds(60)));
  CHECK(State(*client, ns.name(), "busy") == "SUSPENDED");  // Its driver going away changes nothing.

  SetSuspend(*client, ns.name(), "busy", false);
  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "busy-2-driver") == "Running"; }, kSubmitTimeout));
  FinishPod(*client, ns.name(), "busy-2-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "busy") == "COMPLETED"; }));
  const rapidjson::Document done = GetApp(*client, ns.name(), "busy");
  CHECK(GetInt(done, {"status", "submissionAttempts"}) == 2);
  CHECK(GetString(done, {"status", "driverInfo", "podName"}) == "busy-2-driver");
}

TEST_CASE("suspending a completed app or one waiting for a rerun holds the next run, and the ended driver stays") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "susp");
  RunningController controller(ns.name());
  CreateApp(*client, ExampleApp(ns.name(), "done"));
  rapidjson::Document again = ExampleApp(ns.name(), "again");
  SetPath(again, {"spec", "restartPolicy"},
          rapidjson::Value(Json(R"({"type":"Always","onFailureRetryInterval":30})"), again.GetAllocator()));
  CreateApp(*client, again);
  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "done-1-driver") == "Running"; }, kSubmitTimeout));
  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "again-1-driver") == "Running"; }, kSubmitTimeout));
  FinishPod(*client, ns.name(), "done-1-driver", 0);
  FinishPod(*client, ns.name(), "again-1-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "done") == "COMPLETED"; }));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "again") == "PENDING_RERUN"; }));

  SetSuspend(*client, ns.name(), "done", true);
  SetSuspend(*client, ns.name(), "again", true);
  for (const char* app : {"done", "again"}) {
    INFO("app " << app);
    REQUIRE(Eventually([&] { return State(*client, ns.name(), app) == "SUSPENDED"; }));
    CHECK(PodPhase(*client, ns.name(), std::string(app) + "-1-driver") == "Succeeded");  // Kept, for its logs.
    CHECK(GetInt(GetApp(*client, ns.name(), app), {"status", "submissionAttempts"}) == 1);
  }
  SetSuspend(*client, ns.name(), "done", false);
  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "done-2-driver") == "Running"; }, kSubmitTimeout));
  CHECK(State(*client, ns.name(), "again") == "SUSPENDED");
}

}  // namespace
}  // namespace spark_operator::controller::testing
