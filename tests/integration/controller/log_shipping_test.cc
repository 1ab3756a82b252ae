// Log shipping on the local cluster: the driver's and executors' logs, served through the API server as a
// kubelet serves them, copied to a directory and to real GCS and S3 servers (tools/stores/), with the pods held
// by a finalizer until their logs are stored. The controller runs in-process; tests/e2e/controller/ kills it.
#include <filesystem>

#include "tests/integration/controller/log_harness.h"
#include "tests/support/store_server.h"

namespace spark_operator::controller::testing {
namespace {

using spark_operator::testing::StoreServer;
using std::chrono::seconds;

TEST_CASE("a finished app's driver and executor logs are stored in a directory and in GCS and S3 with a manifest") {
  auto client = AdminClient();
  EnsureCrd(*client);
  for (const std::string kind : {"file", "gcs", "s3"}) {
    DYNAMIC_SECTION("store " << kind) {
      const std::string dir = TempDir("ship-" + kind);
      std::unique_ptr<StoreServer> server;
      if (kind != "file") server = std::make_unique<StoreServer>(kind, std::vector<std::string>{"spark-logs"});
      const std::string destination = server ? server->Url("runs") : "file://" + dir + "/store/runs";
      TestNamespace ns(client, "logs");
      RunningController controller(ns.name(), seconds(60), SparkSubmitPath(),
                                   ShipTo(destination, server ? server->Options() : storage::StoreOptions{}));
      LoggedRun run(*client, ns.name(), "pi", dir + "/pods");
      run.CreateApp();
      run.StartPods(200'000, 50'000);
      CHECK(Eventually([&] { return run.LogsState() == "PENDING"; }));  // Written by the reconcile after the pods.
      run.Finish();
      REQUIRE(Eventually([&] { return run.LogsState() == "SHIPPED"; }, seconds(60)));
      const auto store = server ? server->Open("runs") : OpenDirectory(dir + "/store/runs");
      run.CheckStored(*store);
      CHECK(GetString(run.App(), {"status", "logs", "destination"}) == destination);
      CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "pi", "Normal/SparkApplicationLogsShipped"); }));
      // Deleting the app now waits for nothing.
      REQUIRE(client->Delete(kube::resources::kSparkApplications, ns.name(), "pi").ok());
      CHECK(Eventually(
          [&] { return IsNotFound(client->Get(kube::resources::kSparkApplications, ns.name(), "pi").status()); }));
    }
  }
}

TEST_CASE("spec.logs overrides the controller's destination and executors false ships the driver's log only") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("override");
  TestNamespace ns(client, "logs");
  RunningController controller(ns.name(), seconds(60), SparkSubmitPath(), ShipTo("file://" + dir + "/default"));
  LoggedRun run(*client, ns.name(), "solo", dir + "/pods");
  run.CreateApp(R"({"destination":"file://)" + dir + R"(/mine","executors":false})");
  run.StartPods(10'000, 10'000, /*held=*/false);
  REQUIRE(Eventually([&] { return HoldsLogsFinalizer(*client, ns.name(), "solo-1-driver"); }));
  run.Finish();
  REQUIRE(Eventually([&] { return run.LogsState() == "SHIPPED"; }, seconds(60)));
  CHECK_FALSE(HoldsLogsFinalizer(*client, ns.name(), "solo-exec-1"));
  const auto store = OpenDirectory(dir + "/mine");
  const Result<std::string> driver_log = store->Read(run.LogKey(run.logs()[0]), 1 << 20);
  REQUIRE(driver_log.ok());
  CHECK(Sha256Hex(*driver_log) == run.logs()[0].sha256);
  CHECK(IsNotFound(store->Read(run.LogKey(run.logs()[1]), 1 << 20).status()));
  CHECK_FALSE(std::filesystem::exists(dir + "/default"));
  CHECK(GetInt(run.App(), {"status", "logs", "objects"}) == 1);
}

TEST_CASE("deleting a running app stops its pods and lets it go only once their logs are stored") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("delete");
  TestNamespace ns(client, "logs");
  RunningController controller(ns.name(), seconds(60), SparkSubmitPath(), ShipTo("file://" + dir + "/store"));
  LoggedRun run(*client, ns.name(), "doomed", dir + "/pods");
  run.CreateApp();
  run.StartPods(30'000, 30'000);
  kube::DeleteOptions foreground;
  foreground.propagation = kube::Propagation::kForeground;
  REQUIRE(client->Delete(kube::resources::kSparkApplications, ns.name(), "doomed", foreground).ok());
  REQUIRE(Eventually(
      [&] { return IsNotFound(client->Get(kube::resources::kSparkApplications, ns.name(), "doomed").status()); },
      seconds(60)));
  // Gone only after its logs: every log and the manifest are there.
  run.CheckObjects(*OpenDirectory(dir + "/store"), /*state=*/"");
  run.CheckPodsGone();
}

TEST_CASE("deleting a suspended app stores the logs of the run suspending stopped and lets the app go") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("suspended");
  TestNamespace ns(client, "logs");
  RunningController controller(ns.name(), seconds(60), SparkSubmitPath(), ShipTo("file://" + dir + "/store"));
  LoggedRun run(*client, ns.name(), "paused", dir + "/pods");
  run.CreateApp();
  run.StartPods(30'000, 30'000);
  const auto suspended = client->Patch(kube::resources::kSparkApplications, ns.name(), "paused",
                                       kube::PatchType::kMerge, R"({"spec":{"suspend":true}})");
  REQUIRE(suspended.ok());
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "paused") == "SUSPENDED"; }));
  // Still owed its logs: deleting it has to go through the finalizer.
  CHECK(HasFinalizer(run.App(), logs::kLogsFinalizer));
  REQUIRE(client->Delete(kube::resources::kSparkApplications, ns.name(), "paused").ok());
  REQUIRE(Eventually(
      [&] { return IsNotFound(client->Get(kube::resources::kSparkApplications, ns.name(), "paused").status()); },
      seconds(60)));
  run.CheckObjects(*OpenDirectory(dir + "/store"), /*state=*/"");
  run.CheckPodsGone();
}

TEST_CASE("an app created suspended with a log destination is let go at once when deleted") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("never-ran");
  TestNamespace ns(client, "logs");
  RunningController controller(ns.name(), seconds(60), SparkSubmitPath(), ShipTo("file://" + dir + "/store"));
  rapidjson::Document app = ExampleApp(ns.name(), "idle");
  SetPath(app, {"spec", "suspend"}, rapidjson::Value(true));
  CreateApp(*client, app);
  REQUIRE(Eventually([&] {
    return State(*client, ns.name(), "idle") == "SUSPENDED" &&
           HasFinalizer(GetApp(*client, ns.name(), "idle"), logs::kLogsFinalizer);
  }));
  REQUIRE(client->Delete(kube::resources::kSparkApplications, ns.name(), "idle").ok());
  CHECK(Eventually(
      [&] { return IsNotFound(client->Get(kube::resources::kSparkApplications, ns.name(), "idle").status()); },
      seconds(30)));
  CHECK(PodNames(*client, ns.name(), "spark-operator.k8s.io/app-name=idle").empty());
}

TEST_CASE("a store down for 30 s: the status and an Event say why and the pods are kept until it ships") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("outage");
  StoreServer server("gcs", {"spark-logs"});
  TestNamespace ns(client, "logs");
  RunningController controller(ns.name(), seconds(60), SparkSubmitPath(), ShipTo(server.Url("runs"), server.Options()));
  LoggedRun run(*client, ns.name(), "patient", dir + "/pods");
  run.CreateApp();
  run.StartPods(50'000, 20'000);
  server.Stop();
  const auto outage_start = std::chrono::steady_clock::now();
  run.Finish();
  REQUIRE(Eventually(
      [&] {
        return run.LogsState() == "SHIPPING" && !GetString(run.App(), {"status", "logs", "error"}).empty();
      },
      seconds(30)));
  CHECK(
      Eventually([&] { return HasEvent(*client, ns.name(), "patient", "Warning/SparkApplicationLogShippingFailed"); }));
  for (const LoggedRun::Log& log : run.logs()) CHECK(HoldsLogsFinalizer(*client, ns.name(), log.pod));
  // The outage itself lasts 30 s (what is waited for here is time, not a condition).
  std::this_thread::sleep_until(outage_start + seconds(30));
  server.Start();
  REQUIRE(Eventually([&] { return run.LogsState() == "SHIPPED"; }, seconds(120)));
  run.CheckStored(*server.Open("runs"));
  CHECK(GetString(run.App(), {"status", "logs", "error"}).empty());
}

TEST_CASE("a wrong S3 secret is FAILED with a clear message that holds no secret and after the timeout the pods go") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("badkey");
  StoreServer server("s3", {"spark-logs"});
  const std::string wrong_secret = "not-the-secret-0123456789abcdef";
  TestNamespace ns(client, "logs");
  RunningController controller(ns.name(), seconds(60), SparkSubmitPath(), [&](ManagerOptions& o) {
    o.native_submission = true;
    o.logs.default_destination = server.Url("runs");
    o.logs.store = server.Options();
    o.logs.store.s3_secret_access_key = wrong_secret;
    o.logs.timeout = seconds(20);
  });
  LoggedRun run(*client, ns.name(), "locked", dir + "/pods");
  run.CreateApp();
  run.StartPods(5'000, 5'000);
  run.Finish();
  REQUIRE(Eventually([&] { return run.LogsState() == "FAILED"; }, seconds(30)));
  const std::string error = GetString(run.App(), {"status", "logs", "error"});
  INFO("status.logs.error: " << error);
  CHECK(error.find("SignatureDoesNotMatch") != std::string::npos);
  CHECK(error.find(wrong_secret) == std::string::npos);
  for (const std::string& event : Events(*client, ns.name(), "locked")) {
    CHECK(event.find(wrong_secret) == std::string::npos);
  }
  CHECK(HoldsLogsFinalizer(*client, ns.name(), "locked-1-driver"));
  // After --log-shipping-timeout the pods are let go and the status says the logs were lost.
  REQUIRE(Eventually(
      [&] {
        return GetString(run.App(), {"status", "logs", "error"}).find("lost") != std::string::npos;
      },
      seconds(90)));
  for (const LoggedRun::Log& log : run.logs()) {
    CHECK(Eventually([&] { return !HoldsLogsFinalizer(*client, ns.name(), log.pod); }));
  }
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "locked", "Warning/SparkApplicationLogsLost"); }));
}

}  // namespace
}  // namespace spark_operator::controller::testing
