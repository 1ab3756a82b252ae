// The reconciler's side of log shipping: puts the finalizer on an app with a log destination and on its pods,
// starts a copy once a run has ended, records its progress in status.logs with Events, gives up after the
// shipping timeout (the finalizers go, the status says the logs were lost), and lets a deleted app go once its
// pods' logs are stored. See controller/logs/log_plan.h for why the pods' finalizers are the list of work.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/kube/client.h"
#include "common/kube/pod.h"
#include "common/storage/object_store.h"
#include "controller/events.h"
#include "controller/logs/log_shipper.h"

namespace spark_operator::controller::logs {

struct LogKeeperOptions {
  std::string default_destination;  // --log-destination; empty: only apps with spec.logs.destination ship.
  storage::StoreOptions store;      // Endpoints and credentials of every destination.
  // After this long since a run ended, logs that could not be stored are given up: the pods are let go.
  std::chrono::seconds timeout{std::chrono::hours(24)};
  // Executors still running this long after their driver ended are copied as they are.
  std::chrono::seconds executor_grace{std::chrono::seconds(30)};
};

// What one reconcile of an app saw: the app (null when deleted or unparsable), its stored object and its pods
// (parsed once per reconcile).
struct LogView {
  const rapidjson::Value& object;
  const api::SparkApplication* app;
  const std::vector<kube::Pod>& pods;
  int current_attempt = 0;
  std::string app_state;  // For the manifest.
  Events& events;         // Recorded once status.logs, which they explain, is written.
};

class LogKeeper {
 public:
  LogKeeper(std::shared_ptr<kube::Client> client, LogShipper& shipper, LogKeeperOptions options);

  // spec.logs.destination, else the default; empty: none. With a spec that does not parse, status.logs's.
  std::string DestinationOf(const LogView& view, const api::LogsStatus& logs) const {
    return DestinationOf(view.app, logs);
  }
  std::string DestinationOf(const api::SparkApplication* app, const api::LogsStatus& logs) const;

  // Protects what is not protected yet, starts and follows copies, and updates `logs` (status.logs). Returns
  // how soon to look again; zero when only an event (a pod change, a copy ending) needs to wake the app.
  Result<std::chrono::milliseconds> Step(const LogView& view, api::LogsStatus& logs);

  // A deleted app holding the finalizer: stops its pods, copies their logs, then removes its finalizer. Returns
  // how soon to look again; zero once the app is let go.
  Result<std::chrono::milliseconds> StepDeleting(const LogView& view, api::LogsStatus& logs);

  // An app that is gone (without its finalizer, e.g. removed by hand): its pods are let go, logs unshipped.
  void ReleaseOrphans(const std::string& key, const std::vector<kube::Pod>& pods);

 private:
  // `may_start` false: copies are followed but none is started.
  Result<std::chrono::milliseconds> Follow(const LogView& view, const std::string& destination, bool deleting,
                                           bool may_start, api::LogsStatus& logs);
  Result<std::shared_ptr<storage::ObjectStore>> StoreFor(const std::string& destination);
  void ReleasePods(const std::string& ns, const AttemptLogs& run);

  const std::shared_ptr<kube::Client> client_;
  LogShipper& shipper_;
  const LogKeeperOptions options_;
  std::mutex stores_mutex_;
  std::map<std::string, std::shared_ptr<storage::ObjectStore>> stores_;  // By destination URL.
};

}  // namespace spark_operator::controller::logs
