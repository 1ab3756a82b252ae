// Quota-aware admission against the local cluster: applications in a tenant's namespace start only when their
// pods fit in what the quota has left, wait in QUEUED otherwise, and go in creation order.
#include <cstdio>
#include <thread>

#include "tests/integration/controller/tenant_harness.h"

namespace spark_operator::controller::testing {
namespace {

void NativeOptions(ManagerOptions& options) {
  options.native_submission = true;
  options.spark_submit.clear();
}

std::string Message(kube::Client& client, const std::string& ns, const std::string& app) {
  return GetString(GetApp(client, ns, app), {"status", "applicationState", "errorMessage"});
}

// The example app requests 1100m of CPU and 1792Mi of memory in two pods (driver 0.1 core and 512m + 384m
// overhead; one executor of 1 core and the same memory).
TEST_CASE("three apps that each need half the quota: two run, the third is QUEUED and runs when one completes") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string ns = UniqueName("queue");
  RunningController controller(ns, std::chrono::seconds(60), "", NativeOptions);
  const Tenant tenant(client, ns, R"({"quota": {"cpu": "2200m", "memory": "3584Mi"}, "deletionPolicy": "Delete"})",
                      /*wait_ready=*/true);
  for (const char* name : {"q1", "q2", "q3"}) CreateApp(*client, ExampleApp(ns, name));

  REQUIRE(Eventually([&] { return PodPhase(*client, ns, "q1-1-driver") == "Running"; }, std::chrono::seconds(60)));
  REQUIRE(Eventually([&] { return PodPhase(*client, ns, "q2-1-driver") == "Running"; }, std::chrono::seconds(60)));
  REQUIRE(Eventually([&] { return State(*client, ns, "q3") == "QUEUED"; }));
  // Until q1 and q2 are admitted it may say it waits behind them; then it says what it needs.
  const std::string expected = "needs cpu 1100m, memory 1792Mi, pods 2; cpu 0 free, memory 0Gi free";
  CHECK(Eventually([&] { return Message(*client, ns, "q3") == expected; }));
  INFO(Message(*client, ns, "q3"));
  CHECK(PodNames(*client, ns, "spark-role=driver").size() == 2);
  CHECK(Eventually([&] {
    return GetInt(*client->Get(kSparkTenants, "", ns), {"status", "applications", "queued"}) == 1;
  }));
  // A measurement window, not a wait for a condition: how often the queued app is decided again while nothing
  // changes (it was every second; now only when room may have freed, and every 30 s as a safety net). Each
  // running app's move to RUNNING is such a change: the window opens after them.
  REQUIRE(Eventually([&] { return State(*client, ns, "q1") == "RUNNING" && State(*client, ns, "q2") == "RUNNING"; }));
  const double decided = controller->metrics().admission_queued.Value();
  constexpr auto kWindow = std::chrono::seconds(20);
  std::this_thread::sleep_for(kWindow);
  const double redecided = controller->metrics().admission_queued.Value() - decided;
  std::printf("figure: a queued app with nothing changing is decided again %.0f times in %llds\n", redecided,
              static_cast<long long>(kWindow.count()));
  CHECK(redecided <= 2);

  FinishPod(*client, ns, "q1-1-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns, "q1") == "COMPLETED"; }));
  const auto freed = std::chrono::steady_clock::now();
  REQUIRE(Eventually([&] { return !PodPhase(*client, ns, "q3-1-driver").empty(); }, std::chrono::seconds(60)));
  std::printf(
      "figure: slot freed (q1 COMPLETED seen) -> queued q3's driver pod exists in %lld ms\n",
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - freed).count()));
  CHECK(Eventually([&] { return PodPhase(*client, ns, "q3-1-driver") == "Running"; }, std::chrono::seconds(60)));
}

TEST_CASE("maxRunningApplications 1 runs apps one at a time in creation order and one larger than the quota FAILS") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string ns = UniqueName("queue");
  RunningController controller(ns, std::chrono::seconds(60), "", NativeOptions);
  const Tenant tenant(client, ns, R"({"quota": {"cpu": "4", "maxRunningApplications": 1}, "deletionPolicy": "Delete"})",
                      /*wait_ready=*/true);
  for (const char* name : {"a1", "a2", "a3"}) CreateApp(*client, ExampleApp(ns, name));
  rapidjson::Document big = ExampleApp(ns, "big");
  SetPath(big, {"spec", "executor", "instances"}, rapidjson::Value(8));
  CreateApp(*client, big);

  REQUIRE(Eventually([&] { return State(*client, ns, "big") == "FAILED"; }));
  CHECK(Message(*client, ns, "big") ==
        "can never run in this tenant: cpu 8100m is more than the tenant's whole quota, 4");
  for (const char* name : {"a1", "a2", "a3"}) {
    const std::string driver = std::string(name) + "-1-driver";
    REQUIRE(Eventually([&] { return PodPhase(*client, ns, driver) == "Running"; }, std::chrono::seconds(60)));
    CHECK(PodNames(*client, ns, "spark-role=driver").size() ==
          static_cast<size_t>(name[1] - '0'));  // Finished drivers stay.
    for (const char* later : {"a2", "a3"}) {
      if (std::string(later) > name) CHECK(Eventually([&] { return State(*client, ns, later) == "QUEUED"; }));
    }
    FinishPod(*client, ns, driver, 0);
    REQUIRE(Eventually([&] { return State(*client, ns, name) == "COMPLETED"; }));
  }
  CHECK(Message(*client, ns, "a3").empty());
}

TEST_CASE("sidecars count toward the quota, one without requests at the tenant's default request") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string ns = UniqueName("queue");
  RunningController controller(ns, std::chrono::seconds(60), "", NativeOptions);
  const Tenant tenant(
      client, ns, R"({"quota": {"cpu": "2"}, "defaults": {"requests": {"cpu": "500m"}}, "deletionPolicy": "Delete"})",
      /*wait_ready=*/true);
  // 1100m for Spark's containers fits; the sidecars' 500m (the default) and 500m (its limit) do not.
  rapidjson::Document app = ExampleApp(ns, "escort");
  const auto set = [&](JsonPath path, const std::string& json) {
    SetPath(app, path, rapidjson::Value(Json(json), app.GetAllocator()));
  };
  set({"spec", "driver", "sidecars"}, R"([{"name": "proxy", "image": "busybox"}])");
  set({"spec", "executor", "sidecars"},
      R"([{"name": "agent", "image": "busybox", "resources": {"limits": {"cpu": "500m"}}}])");
  CreateApp(*client, app);
  REQUIRE(Eventually([&] { return State(*client, ns, "escort") == "FAILED"; }));
  CHECK(Message(*client, ns, "escort") ==
        "can never run in this tenant: cpu 2100m is more than the tenant's whole quota, 2");
}

// Kubernetes adds a RuntimeClass's overhead.podFixed to the effective request of each pod that names the class (the
// RuntimeClass admission plugin writes it into pod.spec.overhead), and the ResourceQuota counts it.
TEST_CASE("a RuntimeClass's pod overhead counts per pod, as much as the quota's used grows by") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const kube::Resource runtime_classes{"node.k8s.io", "v1", "runtimeclasses", /*namespaced=*/false};
  const std::string runtime_class = UniqueName("overhead");
  REQUIRE(
      client
          ->Create(runtime_classes, "",
                   Json(R"({"apiVersion":"node.k8s.io/v1","kind":"RuntimeClass","metadata":{"name":")" + runtime_class +
                        R"("},"handler":"runc","overhead":{"podFixed":{"cpu":"250m","memory":"64Mi"}}})"))
          .ok());
  struct Cleanup {
    kube::Client& client;
    const kube::Resource& resource;
    std::string name;
    ~Cleanup() { (void)client.Delete(resource, "", name); }
  } cleanup{*client, runtime_classes, runtime_class};
  const std::string ns = UniqueName("queue");
  RunningController controller(ns, std::chrono::seconds(60), "", NativeOptions);
  const Tenant tenant(client, ns, R"({"quota": {"cpu": "2500m", "memory": "8Gi"}, "deletionPolicy": "Delete"})",
                      /*wait_ready=*/true);
  const auto in_class = [&](const std::string& name) {
    rapidjson::Document app = ExampleApp(ns, name);
    for (const char* role : {"driver", "executor"}) {
      SetPath(
          app, {"spec", role, "podTemplate"},
          rapidjson::Value(Json(R"({"spec":{"runtimeClassName":")" + runtime_class + R"("}})"), app.GetAllocator()));
    }
    return app;
  };
  // 1100m and 1792Mi for Spark's containers (the example app), and 250m and 64Mi for each of the two pods.
  CreateApp(*client, in_class("k1"));
  REQUIRE(Eventually([&] { return !PodPhase(*client, ns, "k1-1-driver").empty(); }, std::chrono::seconds(60)));
  const auto driver = client->Get(kube::resources::kPods, ns, "k1-1-driver");
  REQUIRE(driver.ok());
  CHECK(GetString(*driver, {"spec", "overhead", "cpu"}) == "250m");
  // The driver alone is there (no Spark runs to create executors): 100m + 250m, 896Mi + 64Mi.
  const auto used = [&](const char* resource) {
    const auto quota = client->Get(kube::resources::kResourceQuotas, ns, kTenantQuotaObjectName);
    return quota.ok() ? GetString(*quota, {"status", "used", resource}) : "";
  };
  CHECK(Eventually([&] { return used("requests.cpu") == "350m"; }));
  CHECK(used("requests.memory") == "960Mi");
  INFO(used("requests.cpu") << " " << used("requests.memory"));

  // k1 holds 1600m of the 2500m; without the overhead (1100m each) k2 would fit in what is left.
  CreateApp(*client, in_class("k2"));
  REQUIRE(Eventually([&] { return State(*client, ns, "k2") == "QUEUED"; }));
  CHECK(Eventually(
      [&] { return Message(*client, ns, "k2") == "needs cpu 1600m, memory 1920Mi, pods 2; cpu 900m free"; }));
  INFO(Message(*client, ns, "k2"));
  CHECK(PodPhase(*client, ns, "k2-1-driver").empty());
}

}  // namespace
}  // namespace spark_operator::controller::testing
