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

// An app whose driver log has `driver_bytes` (executors 1 MB each), its logs shipped by a controller process
// to a real `kind` store. The large files go at the end.
class ProcessShipping {
 public:
  ProcessShipping(const std::string& name, const std::string& kind, int64_t driver_bytes)
      : client(AdminClient()),
        dir(TempDir(name)),
        server(kind, {"spark-logs"}),
        ns(client, "logs"),
        run(*client, ns.name(), name, dir + "/pods") {
    EnsureCrd(*client);
    StartController("controller-1.log");
    run.CreateApp();
    run.StartPods(driver_bytes, 1 << 20);
  }
  ~ProcessShipping() {
    std::filesystem::remove_all(dir + "/pods");
    std::filesystem::remove_all(ClusterDir() + "/pod-logs/" + ns.name());
  }

  void StartController(const std::string& log) {
    std::vector<std::string> args = {"--kubeconfig=" + ClusterDir() + "/kubeconfig", "--namespaces=" + ns.name(),
                                     "--metrics-port=-1", "--log-destination=" + server.Url("runs")};
    for (const std::string& flag : server.Flags()) args.push_back(flag);
    controller.reset();
    controller = std::make_unique<ControllerProcess>(args, server.Environment(), dir + "/" + log);
  }

  const std::shared_ptr<kube::Client> client;
  const std::string dir;
  StoreServer server;
  TestNamespace ns;
  LoggedRun run;
  std::unique_ptr<ControllerProcess> controller;
};

TEST_CASE("a controller SIGKILLed mid-upload: the next one stores exactly one complete object per container") {
  constexpr int64_t kDriverBytes = 300ll << 20;
  ProcessShipping t("interrupted", "s3", kDriverBytes);
  t.run.Finish();
  REQUIRE(Eventually([&] { return t.run.LogsState() == "SHIPPING"; }, seconds(60)));
  const std::string received = t.server.Env("STORE_DIR") + "/data";
  const int64_t before = DirectoryBytes(received);
  // Killed once the store holds a third of the driver's log in uploaded parts: in the middle of the upload.
  REQUIRE(Eventually([&] { return DirectoryBytes(received) - before > kDriverBytes / 3; }, seconds(120)));
  t.controller->Kill();
  const auto store = t.server.Open("runs");
  const std::string ns = t.ns.name();
  // An upload cut off leaves nothing under the key.
  CHECK(IsNotFound(store->Read(t.run.LogKey(t.run.logs()[0]), 1ull << 30).status()));
  CHECK(IsNotFound(store->Read(t.run.ManifestKey(), 1 << 20).status()));
  CHECK(HoldsLogsFinalizer(*t.client, ns, "interrupted-1-driver"));

  t.StartController("controller-2.log");
  REQUIRE(Eventually([&] { return t.run.LogsState() == "SHIPPED"; }, seconds(300)));
  t.run.CheckStored(*store);
}

TEST_CASE("a 500 MB log ships with the controller's memory below 64 MB") {
  constexpr int64_t kDriverBytes = 500ll << 20;
  ProcessShipping t("large", "gcs", kDriverBytes);
  const auto ended = std::chrono::steady_clock::now();
  t.run.Finish();
  REQUIRE(Eventually([&] { return t.run.LogsState() == "SHIPPING"; }, seconds(60)));
  const auto shipping = std::chrono::steady_clock::now();
  REQUIRE(Eventually([&] { return t.run.LogsState() == "SHIPPED"; }, seconds(600)));
  const auto shipped = std::chrono::steady_clock::now();
  const int64_t peak = t.controller->PeakRssBytes();
  const double copy_seconds = std::chrono::duration<double>(shipped - shipping).count();
  std::cout << "figure: 500 MB log to GCS (fake-gcs-server on loopback): "
            << static_cast<double>(kDriverBytes) / (1 << 20) / copy_seconds << " MB/s, controller peak RSS "
            << peak / (1 << 20) << " MB, driver end to SHIPPED "
            << std::chrono::duration<double>(shipped - ended).count() << " s" << std::endl;
  CHECK(peak > 0);
  CHECK(peak < (64ll << 20));
  t.run.CheckStored(*t.server.Open("runs"));
}

}  // namespace
}  // namespace spark_operator::controller::testing
