// Editing a running app's spec: the running driver is stopped and the app is submitted again with the new spec.
#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

std::string DriverUid(kube::Client& client, const std::string& ns, const std::string& pod) {
  const Result<rapidjson::Document> p = client.Get(kube::resources::kPods, ns, pod);
  return p.ok() ? UidOf(*p) : "";
}

TEST_CASE("changing the spec of a running app submits it again with the new spec") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "respec");
  RunningController controller(ns.name());
  CreateApp(*client, ExampleApp(ns.name(), "pi"));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "pi") == "RUNNING"; }, std::chrono::seconds(120)));
  const std::string first_driver = DriverUid(*client, ns.name(), "pi-1-driver");
  REQUIRE_FALSE(first_driver.empty());

  REQUIRE(client
              ->Patch(kube::resources::kSparkApplications, ns.name(), "pi", kube::PatchType::kMerge,
                      R"({"spec":{"executor":{"instances":2}}})")
              .ok());

  // A new driver pod runs the new spec, named after the app's second submission: no run reuses an earlier
  // run's driver name. The retry policy counts the new spec's attempts from 1.
  REQUIRE(Eventually(
      [&] {
        const std::string uid = DriverUid(*client, ns.name(), "pi-2-driver");
        return !uid.empty() && uid != first_driver && State(*client, ns.name(), "pi") == "RUNNING";
      },
      std::chrono::seconds(120)));
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "pi", "Normal/SparkApplicationSpecUpdated"); }));
  const rapidjson::Document app = GetApp(*client, ns.name(), "pi");
  CHECK(GetString(app, {"status", "driverInfo", "podName"}) == "pi-2-driver");
  CHECK(GetInt(app, {"status", "submissionAttempts"}) == 1);
  CHECK(GetInt(app, {"status", "submissionNumber"}) == 2);
  // The old driver was stopped.
  CHECK(Eventually([&] { return DriverUid(*client, ns.name(), "pi-1-driver").empty(); }));

  FinishPod(*client, ns.name(), "pi-2-driver", 0);
  CHECK(Eventually([&] { return State(*client, ns.name(), "pi") == "COMPLETED"; }));
}

}  // namespace
}  // namespace spark_operator::controller::testing
