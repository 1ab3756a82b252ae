// Log shipping across an app's runs: a spec change runs the app again under the next submission number, so the
// new run neither replaces the earlier run's logs nor waits for them to be stored; an app deleted and created
// again under its name keeps its predecessor's logs too.
#include "tests/integration/controller/log_harness.h"
#include "tests/support/store_server.h"

namespace spark_operator::controller::testing {
namespace {

using spark_operator::testing::StoreServer;
using std::chrono::seconds;

constexpr char kNewSpec[] = R"({"spec":{"executor":{"instances":2}}})";

void ChangeSpec(kube::Client& client, const std::string& ns, const std::string& name) {
  const auto patched = client.Patch(kube::resources::kSparkApplications, ns, name, kube::PatchType::kMerge, kNewSpec);
  if (!patched.ok()) FAIL("changing the spec: " << patched.status().ToString());
}

bool Shipped(const LoggedRun& run, int number) {
  const rapidjson::Document app = run.App();
  return GetString(app, {"status", "logs", "state"}) == "SHIPPED" &&
         GetInt(app, {"status", "logs", "attempt"}) == number;
}

TEST_CASE("a spec change keeps the earlier run's logs and both runs are stored under their own keys") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("respec");
  TestNamespace ns(client, "logs");
  RunningController controller(ns.name(), seconds(60), SparkSubmitPath(), ShipTo("file://" + dir + "/store"));
  LoggedRun first(*client, ns.name(), "again", dir + "/pods-1");
  first.CreateApp();
  first.StartPods(40'000, 20'000);
  ChangeSpec(*client, ns.name(), "again");
  // The old driver is stopped (kept for its logs) and the next run gets the next submission number.
  LoggedRun second(*client, ns.name(), "again", dir + "/pods-2", 2);
  second.StartPods(30'000, 10'000);
  const rapidjson::Document app = second.App();
  CHECK(GetInt(app, {"status", "submissionAttempts"}) == 1);
  CHECK(GetInt(app, {"status", "submissionNumber"}) == 2);
  first.FinishExecutors();  // As Spark stops them when their driver is deleted.
  // Stored while the next run goes on (status.logs follows the latest run: the pods say it).
  REQUIRE(Eventually([&] { return !HoldsLogsFinalizer(*client, ns.name(), first.Driver()); }, seconds(60)));
  const auto store = OpenDirectory(dir + "/store");
  first.CheckObjects(*store, /*state=*/"");
  first.CheckReleased();
  second.Finish();
  REQUIRE(Eventually([&] { return Shipped(second, 2); }, seconds(60)));
  second.CheckStored(*store);
  first.CheckObjects(*store, /*state=*/"");  // Still there, not replaced.
  CHECK(first.ManifestKey() != second.ManifestKey());
}

TEST_CASE("with the store down a spec change starts the next run at once and the old run's logs ship later") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("respec-down");
  StoreServer server("gcs", {"spark-logs"});
  TestNamespace ns(client, "logs");
  RunningController controller(ns.name(), seconds(60), SparkSubmitPath(), ShipTo(server.Url("runs"), server.Options()));
  LoggedRun first(*client, ns.name(), "eager", dir + "/pods-1");
  first.CreateApp();
  first.StartPods(40'000, 20'000);
  server.Stop();
  ChangeSpec(*client, ns.name(), "eager");
  first.FinishExecutors();
  // The next run's driver starts while the old driver still waits for the store to take its logs.
  LoggedRun second(*client, ns.name(), "eager", dir + "/pods-2", 2);
  second.StartPods(30'000, 10'000);
  const Result<rapidjson::Document> old_driver = client->Get(kube::resources::kPods, ns.name(), first.Driver());
  REQUIRE(old_driver.ok());
  CHECK(HasFinalizer(*old_driver, logs::kLogsFinalizer));
  CHECK_FALSE(GetString(*old_driver, {"metadata", "deletionTimestamp"}).empty());
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "eager") == "RUNNING"; }));
  second.Finish();
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "eager") == "COMPLETED"; }));

  server.Start();
  REQUIRE(Eventually([&] { return Shipped(second, 2); }, seconds(120)));
  REQUIRE(Eventually([&] { return !HoldsLogsFinalizer(*client, ns.name(), first.Driver()); }, seconds(120)));
  const auto store = server.Open("runs");
  first.CheckObjects(*store, /*state=*/"");
  first.CheckReleased();
  second.CheckStored(*store);
  CHECK(
      Eventually([&] { return IsNotFound(client->Get(kube::resources::kPods, ns.name(), first.Driver()).status()); }));
}

TEST_CASE("an app deleted and created again under its name keeps the earlier app's logs") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("reborn");
  TestNamespace ns(client, "logs");
  RunningController controller(ns.name(), seconds(60), SparkSubmitPath(), ShipTo("file://" + dir + "/store"));
  LoggedRun before(*client, ns.name(), "reborn", dir + "/pods-1");
  before.CreateApp();
  before.StartPods(20'000, 10'000);
  before.Finish();
  REQUIRE(Eventually([&] { return Shipped(before, 1); }, seconds(60)));
  REQUIRE(client->Delete(kube::resources::kSparkApplications, ns.name(), "reborn").ok());
  REQUIRE(Eventually(
      [&] { return IsNotFound(client->Get(kube::resources::kSparkApplications, ns.name(), "reborn").status()); },
      seconds(60)));
  before.CheckPodsGone();

  LoggedRun after(*client, ns.name(), "reborn", dir + "/pods-2");
  after.CreateApp();
  after.StartPods(30'000, 5'000);
  after.Finish();
  REQUIRE(Eventually([&] { return Shipped(after, 1); }, seconds(60)));
  const auto store = OpenDirectory(dir + "/store");
  before.CheckObjects(*store, "COMPLETED");
  after.CheckStored(*store);
  CHECK(before.ManifestKey() != after.ManifestKey());
}

}  // namespace
}  // namespace spark_operator::controller::testing
