// Log shipping by the controller as a process: SIGKILLed in the middle of an upload, the next one finishes the
// job and the store holds exactly one complete object per container; a 500 MB log ships with the controller's
// memory below 64 MB. Prints the figures (throughput, peak RSS, driver end to SHIPPED) as "figure:" lines.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/integration/controller/log_harness.h"
#include "tests/support/controller_process.h"
#include "tests/support/store_server.h"

namespace spark_operator::controller::testing {
namespace {

using spark_operator::testing::ControllerProcess;
using spark_operator::testing::StoreServer;
using std::chrono::seconds;

// Bytes in the files under `dir`: what a store server has received, parts of unfinished uploads included.
int64_t DirectoryBytes(const std::string& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) total += static_cast<int64_t>(it->file_size(size_ec));
  }
  return total;
}

// The test's log files and the copies kwok serves (hundreds of MB), once they are checked.
void RemoveLargeFiles(const std::string& dir, const std::string& ns) {
  std::filesystem::remove_all(dir + "/pods");
  std::filesystem::remove_all(ClusterDir() + "/pod-logs/" + ns);
}

std::unique_ptr<ControllerProcess> StartController(const std::string& ns, const StoreServer& server,
                                                   const std::string& log) {
  std::vector<std::string> args = {"--kubeconfig=" + ClusterDir() + "/kubeconfig", "--namespaces=" + ns,
                                   "--metrics-port=-1", "--log-destination=" + server.Url("runs")};
  for (const std::string& flag : server.Flags()) args.push_back(flag);
  return std::make_unique<ControllerProcess>(args, server.Environment(), log);
}

TEST_CASE("a controller SIGKILLed mid-upload: the next one stores exactly one complete object per container") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("killed");
  StoreServer server("s3", {"spark-logs"});
  TestNamespace ns(client, "logs");
  auto controller = StartController(ns.name(), server, dir + "/controller-1.log");
  LoggedRun run(*client, ns.name(), "interrupted", dir + "/pods");
  run.CreateApp();
  constexpr int64_t kDriverBytes = 300ll << 20;
  run.StartPods(kDriverBytes, 1 << 20);
  run.Finish();
  REQUIRE(Eventually([&] { return run.LogsState() == "SHIPPING"; }, seconds(60)));
  const std::string received = server.Env("STORE_DIR") + "/data";
  const int64_t before = DirectoryBytes(received);
  // Killed once the store holds a third of the driver's log in uploaded parts: in the middle of the upload.
  REQUIRE(Eventually([&] { return DirectoryBytes(received) - before > kDriverBytes / 3; }, seconds(120)));
  controller->Kill();
  const auto store = server.Open("runs");
  const std::string driver_key =
      logs::LogObjectKey(ns.name(), "interrupted", 1, "interrupted-1-driver", "spark-kubernetes-driver");
  // An upload cut off leaves nothing under the key.
  CHECK(IsNotFound(store->Read(driver_key, 1ull << 30).status()));
  CHECK(IsNotFound(store->Read(logs::ManifestKey(ns.name(), "interrupted", 1), 1 << 20).status()));
  CHECK(HoldsLogsFinalizer(*client, ns.name(), "interrupted-1-driver"));

  controller = StartController(ns.name(), server, dir + "/controller-2.log");
  REQUIRE(Eventually([&] { return run.LogsState() == "SHIPPED"; }, seconds(300)));
  run.CheckStored(*store);
  RemoveLargeFiles(dir, ns.name());
}

TEST_CASE("a 500 MB log ships with the controller's memory below 64 MB") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const std::string dir = TempDir("large");
  StoreServer server("gcs", {"spark-logs"});
  TestNamespace ns(client, "logs");
  auto controller = StartController(ns.name(), server, dir + "/controller.log");
  LoggedRun run(*client, ns.name(), "large", dir + "/pods");
  run.CreateApp();
  constexpr int64_t kDriverBytes = 500ll << 20;
  run.StartPods(kDriverBytes, 1 << 20);
  const auto ended = std::chrono::steady_clock::now();
  run.Finish();
  REQUIRE(Eventually([&] { return run.LogsState() == "SHIPPING"; }, seconds(60)));
  const auto shipping = std::chrono::steady_clock::now();
  REQUIRE(Eventually([&] { return run.LogsState() == "SHIPPED"; }, seconds(600)));
  const auto shipped = std::chrono::steady_clock::now();
  const int64_t peak = controller->PeakRssBytes();
  const double copy_seconds = std::chrono::duration<double>(shipped - shipping).count();
  std::cout << "figure: 500 MB log to GCS (fake-gcs-server on loopback): "
            << static_cast<double>(kDriverBytes) / (1 << 20) / copy_seconds << " MB/s, controller peak RSS "
            << peak / (1 << 20) << " MB, driver end to SHIPPED "
            << std::chrono::duration<double>(shipped - ended).count() << " s" << std::endl;
  CHECK(peak > 0);
  CHECK(peak < (64ll << 20));
  run.CheckStored(*server.Open("runs"));
  RemoveLargeFiles(dir, ns.name());
}

}  // namespace
}  // namespace spark_operator::controller::testing
