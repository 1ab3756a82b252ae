// What the log-shipping tests share: an app whose driver and two executors run on the simulated node, each
// container with a log of known content (served by kwok through the API server, tests/support/pod_logs.h), and
// the checks of what a store holds afterwards.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/base/sha256.h"
#include "common/storage/object_store.h"
#include "controller/finalizers.h"
#include "controller/logs/log_plan.h"
#include "tests/integration/harness.h"
#include "tests/support/pod_logs.h"

namespace spark_operator::controller::testing {

// A fresh directory under the cluster's state for one test's files (logs, store data).
inline std::string TempDir(const std::string& name) {
  const std::string dir = ClusterDir() + "/test-logs/" + name + "-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Writes `bytes` of numbered lines naming `who` to `path`; returns the content's SHA-256.
inline std::string WriteLogFile(const std::string& path, const std::string& who, int64_t bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  Sha256 hash;
  int64_t written = 0;
  std::string line;
  for (int64_t i = 0; written < bytes; ++i) {
    line = who + " log line " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog\n";
    if (written + static_cast<int64_t>(line.size()) > bytes) line.resize(static_cast<size_t>(bytes - written));
    out << line;
    hash.Update(line);
    written += static_cast<int64_t>(line.size());
  }
  REQUIRE(out.good());
  return hash.HexDigest();
}

// The store a file:// destination of `dir` writes to.
inline std::unique_ptr<storage::ObjectStore> OpenDirectory(const std::string& dir) {
  Result<storage::ObjectUrl> url = storage::ParseObjectUrl("file://" + dir);
  REQUIRE(url.ok());
  Result<std::unique_ptr<storage::ObjectStore>> store = storage::OpenObjectStore(*url, {});
  REQUIRE(store.ok());
  return std::move(*store);
}

// Configures a RunningController to submit natively and ship logs to `destination`, with `store`'s endpoints and
// credentials.
inline std::function<void(ManagerOptions&)> ShipTo(const std::string& destination,
                                                   const storage::StoreOptions& store = {}) {
  return [=](ManagerOptions& o) {
    o.native_submission = true;
    o.logs.default_destination = destination;
    o.logs.store = store;
  };
}

inline bool HoldsLogsFinalizer(kube::Client& client, const std::string& ns, const std::string& pod) {
  const Result<rapidjson::Document> p = client.Get(kube::resources::kPods, ns, pod);
  return p.ok() && HasFinalizer(*p, logs::kLogsFinalizer);
}

// One run of the app `name` in `ns`: the driver the controller submits plus two executors made here as Spark
// makes them, each with its own log file under `dir`. `number` is the run's submission number
// (status.submissionNumber): 1 for an app's first run, on from there across spec changes.
class LoggedRun {
 public:
  struct Log {
    std::string pod;
    std::string container;
    std::string file;
    std::string sha256;
    int64_t bytes = 0;
  };

  LoggedRun(kube::Client& client, std::string ns, std::string name, std::string dir, int number = 1)
      : client_(client), ns_(std::move(ns)), name_(std::move(name)), dir_(std::move(dir)), number_(number) {}

  // Creates the app, with `logs_json` as its spec.logs (e.g. {"destination":"file:///x"}) unless empty.
  void CreateApp(const std::string& logs_json = "") {
    rapidjson::Document app = ExampleApp(ns_, name_);
    if (!logs_json.empty()) SetPath(app, {"spec", "logs"}, rapidjson::Value(Json(logs_json), app.GetAllocator()));
    ::spark_operator::controller::testing::CreateApp(client_, app);
    uid_ = UidOf(App());
  }

  std::string Driver() const { return name_ + "-" + std::to_string(number_) + "-driver"; }

  // Waits for the driver, adds the executors, gives every container its log, and waits until the controller
  // holds each pod for its logs (with `held`).
  void StartPods(int64_t driver_bytes, int64_t executor_bytes, bool held = true) {
    const std::string driver = Driver();
    REQUIRE(
        Eventually([&] { return client_.Get(kube::resources::kPods, ns_, driver).ok(); }, std::chrono::seconds(60)));
    if (uid_.empty()) uid_ = UidOf(App());
    AddLog(driver, "spark-kubernetes-driver", driver_bytes);
    for (const std::string& exec : Executors()) {
      rapidjson::Document pod = Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"spark-role":"executor",
          "spark-operator.k8s.io/launched-by-spark-operator":"true"}},
          "spec":{"restartPolicy":"Never","containers":[{"name":"spark-kubernetes-executor","image":"spark:4.2.0"}]}})");
      SetString(pod, {"metadata", "name"}, exec);
      SetString(pod, {"metadata", "labels", kAppNameLabel}, name_);
      SetString(pod, {"metadata", "labels", kAttemptLabel}, std::to_string(number_));
      const auto created = client_.Create(kube::resources::kPods, ns_, pod);
      if (!created.ok()) FAIL("creating executor " << exec << ": " << created.status().ToString());
      AddLog(exec, "spark-kubernetes-executor", executor_bytes);
    }
    if (!held) return;
    for (const Log& log : logs_) {
      REQUIRE(Eventually([&] { return HoldsLogsFinalizer(client_, ns_, log.pod); }));
    }
  }

  // The executors end, as Spark ends them.
  void FinishExecutors() {
    for (const std::string& exec : Executors()) FinishPod(client_, ns_, exec, 0);
  }

  // The executors end, then the driver, as Spark ends them.
  void Finish(int driver_exit_code = 0) {
    FinishExecutors();
    FinishPod(client_, ns_, Driver(), driver_exit_code);
  }

  std::string LogsState() const { return GetString(GetApp(client_, ns_, name_), {"status", "logs", "state"}); }
  rapidjson::Document App() const { return GetApp(client_, ns_, name_); }

  std::string LogKey(const Log& log) const {
    return logs::LogObjectKey(ns_, name_, uid_, number_, log.pod, log.container);
  }
  std::string ManifestKey() const { return logs::ManifestKey(ns_, name_, uid_, number_); }

  // Every container's log is in `store` byte for byte under this run's keys, and its manifest lists each with its
  // size and digest; with `state`, the manifest says the app was in it.
  void CheckObjects(storage::ObjectStore& store, const std::string& state) const {
    for (const Log& log : logs_) {
      const std::string key = LogKey(log);
      Result<std::string> stored = store.Read(key, 1ull << 30);
      if (!stored.ok()) FAIL("reading " << key << ": " << stored.status().ToString());
      CHECK(static_cast<int64_t>(stored->size()) == log.bytes);
      CHECK(Sha256Hex(*stored) == log.sha256);
    }
    Result<std::string> manifest_text = store.Read(ManifestKey(), 1 << 20);
    REQUIRE(manifest_text.ok());
    const rapidjson::Document manifest = Json(*manifest_text);
    CHECK(GetString(manifest, {"application", "name"}) == name_);
    CHECK(GetString(manifest, {"application", "uid"}) == uid_);
    if (!state.empty()) CHECK(GetString(manifest, {"state"}) == state);
    CHECK(GetInt(manifest, {"attempt"}) == number_);
    std::map<std::string, std::string> digests;
    for (const rapidjson::Value& pod : manifest["pods"].GetArray()) {
      for (const rapidjson::Value& c : pod["containers"].GetArray()) {
        digests[GetString(pod, {"name"})] = GetString(c, {"sha256"}) + "/" + std::to_string(GetInt(c, {"bytes"}));
      }
    }
    CHECK(digests.size() == logs_.size());
    for (const Log& log : logs_) CHECK(digests[log.pod] == log.sha256 + "/" + std::to_string(log.bytes));
  }

  // No pod of the run is held for its logs any more.
  void CheckReleased() const {
    for (const Log& log : logs_) {
      CHECK(Eventually([&] { return !HoldsLogsFinalizer(client_, ns_, log.pod); }));
    }
  }

  // No pod of the run is left (a deleted app's).
  void CheckPodsGone() const {
    for (const Log& log : logs_) {
      CHECK(Eventually([&] { return IsNotFound(client_.Get(kube::resources::kPods, ns_, log.pod).status()); }));
    }
  }

  // CheckObjects, status.logs counts this run's objects and bytes, and no pod is held any more.
  void CheckStored(storage::ObjectStore& store, const std::string& state = "COMPLETED") const {
    CheckObjects(store, state);
    int64_t total = 0;
    for (const Log& log : logs_) total += log.bytes;
    const rapidjson::Document app = App();
    CHECK(GetInt(app, {"status", "logs", "attempt"}) == number_);
    CHECK(GetInt(app, {"status", "logs", "objects"}) == static_cast<int64_t>(logs_.size()));
    CHECK(GetInt(app, {"status", "logs", "bytes"}) == total);
    CheckReleased();
  }

  const std::vector<Log>& logs() const { return logs_; }

 private:
  // Named as Spark names a submission's executors: another run's have other names.
  std::vector<std::string> Executors() const {
    const std::string prefix = number_ == 1 ? name_ : name_ + "-" + std::to_string(number_);
    return {prefix + "-exec-1", prefix + "-exec-2"};
  }

  void AddLog(const std::string& pod, const std::string& container, int64_t bytes) {
    Log log{pod, container, dir_ + "/" + pod + "-" + container + ".log", "", bytes};
    log.sha256 = WriteLogFile(log.file, pod, bytes);
    const Status set = spark_operator::testing::SetPodLog(client_, ns_, pod, container, log.file);
    if (!set.ok()) FAIL("setting the log of " << pod << ": " << set.ToString());
    logs_.push_back(std::move(log));
  }

  kube::Client& client_;
  const std::string ns_;
  const std::string name_;
  const std::string dir_;
  const int number_;
  std::string uid_;  // The app's, once created or seen.
  std::vector<Log> logs_;
};

}  // namespace spark_operator::controller::testing
