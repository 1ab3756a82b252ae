// What the log-shipping tests share: an app whose driver and two executors run on the simulated node, each
// container with a log of known content (served by kwok through the API server, tests/support/pod_logs.h), and
// the checks of what a store holds afterwards.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "common/base/sha256.h"
#include "common/storage/object_store.h"
#include "controller/finalizers.h"
#include "controller/logs/log_plan.h"
#include "tests/integration/controller/harness.h"
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

inline bool HoldsLogsFinalizer(kube::Client& client, const std::string& ns, const std::string& pod) {
  const Result<rapidjson::Document> p = client.Get(kube::resources::kPods, ns, pod);
  return p.ok() && HasFinalizer(*p, logs::kLogsFinalizer);
}

// One run of the app `name` in `ns`: the driver the controller submits plus two executors made here as Spark
// makes them, each with its own log file under `dir`.
class LoggedRun {
 public:
  struct Log {
    std::string pod;
    std::string container;
    std::string file;
    std::string sha256;
    int64_t bytes = 0;
  };

  LoggedRun(kube::Client& client, std::string ns, std::string name, std::string dir)
      : client_(client), ns_(std::move(ns)), name_(std::move(name)), dir_(std::move(dir)) {}

  // Creates the app, with `logs_json` as its spec.logs (e.g. {"destination":"file:///x"}) unless empty.
  void CreateApp(const std::string& logs_json = "") {
    rapidjson::Document app = ExampleApp(ns_, name_);
    if (!logs_json.empty()) SetPath(app, {"spec", "logs"}, rapidjson::Value(Json(logs_json), app.GetAllocator()));
    ::spark_operator::controller::testing::CreateApp(client_, app);
  }

  // Waits for the driver, adds the executors, gives every container its log, and waits until the controller
  // holds each pod for its logs (with `held`).
  void StartPods(int64_t driver_bytes, int64_t executor_bytes, bool held = true) {
    const std::string driver = name_ + "-1-driver";
    REQUIRE(
        Eventually([&] { return client_.Get(kube::resources::kPods, ns_, driver).ok(); }, std::chrono::seconds(60)));
    AddLog(driver, "spark-kubernetes-driver", driver_bytes);
    for (const std::string& exec : {name_ + "-exec-1", name_ + "-exec-2"}) {
      rapidjson::Document pod = Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"spark-role":"executor",
          "spark-operator.k8s.io/submission-attempt":"1","spark-operator.k8s.io/launched-by-spark-operator":"true"}},
          "spec":{"restartPolicy":"Never","containers":[{"name":"spark-kubernetes-executor","image":"spark:4.2.0"}]}})");
      SetString(pod, {"metadata", "name"}, exec);
      SetString(pod, {"metadata", "labels", kAppNameLabel}, name_);
      const auto created = client_.Create(kube::resources::kPods, ns_, pod);
      if (!created.ok()) FAIL("creating executor " << exec << ": " << created.status().ToString());
      AddLog(exec, "spark-kubernetes-executor", executor_bytes);
    }
    if (!held) return;
    for (const Log& log : logs_) {
      REQUIRE(Eventually([&] { return HoldsLogsFinalizer(client_, ns_, log.pod); }));
    }
  }

  // The executors end, then the driver, as Spark ends them.
  void Finish(int driver_exit_code = 0) {
    FinishPod(client_, ns_, name_ + "-exec-1", 0);
    FinishPod(client_, ns_, name_ + "-exec-2", 0);
    FinishPod(client_, ns_, name_ + "-1-driver", driver_exit_code);
  }

  std::string LogsState() const { return GetString(GetApp(client_, ns_, name_), {"status", "logs", "state"}); }
  rapidjson::Document App() const { return GetApp(client_, ns_, name_); }

  // Every container's log is in `store` byte for byte, the manifest lists each with its size and digest, and
  // no pod is held any more.
  void CheckStored(storage::ObjectStore& store, const std::string& state = "COMPLETED") const {
    int64_t total = 0;
    for (const Log& log : logs_) {
      const std::string key = logs::LogObjectKey(ns_, name_, 1, log.pod, log.container);
      Result<std::string> stored = store.Read(key, 1ull << 30);
      if (!stored.ok()) FAIL("reading " << key << ": " << stored.status().ToString());
      CHECK(static_cast<int64_t>(stored->size()) == log.bytes);
      CHECK(Sha256Hex(*stored) == log.sha256);
      total += log.bytes;
    }
    Result<std::string> manifest_text = store.Read(logs::ManifestKey(ns_, name_, 1), 1 << 20);
    REQUIRE(manifest_text.ok());
    const rapidjson::Document manifest = Json(*manifest_text);
    CHECK(GetString(manifest, {"application", "name"}) == name_);
    CHECK(GetString(manifest, {"state"}) == state);
    CHECK(GetInt(manifest, {"attempt"}) == 1);
    std::map<std::string, std::string> digests;
    for (const rapidjson::Value& pod : manifest["pods"].GetArray()) {
      for (const rapidjson::Value& c : pod["containers"].GetArray()) {
        digests[GetString(pod, {"name"})] = GetString(c, {"sha256"}) + "/" + std::to_string(GetInt(c, {"bytes"}));
      }
    }
    for (const Log& log : logs_) CHECK(digests[log.pod] == log.sha256 + "/" + std::to_string(log.bytes));
    const rapidjson::Document app = App();
    CHECK(GetInt(app, {"status", "logs", "objects"}) == static_cast<int64_t>(logs_.size()));
    CHECK(GetInt(app, {"status", "logs", "bytes"}) == total);
    for (const Log& log : logs_) {
      CHECK(Eventually([&] { return !HoldsLogsFinalizer(client_, ns_, log.pod); }));
    }
  }

  const std::vector<Log>& logs() const { return logs_; }

 private:
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
  std::vector<Log> logs_;
};

}  // namespace spark_operator::controller::testing
