// Runs log copies (controller/logs/log_upload.h) off the reconcile workers, a few at a time, and keeps each
// run's outcome until the reconciler has recorded it in the status. Copies are keyed by the app's UID and the
// attempt, as submissions are. A failed copy is tried again when the reconciler asks, after a back-off that
// grows with each failure of the same run (5 s doubling, at most 5 min).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "controller/logs/log_upload.h"

namespace spark_operator::controller::logs {

struct ShipperOptions {
  int concurrency = 4;
  // Called (on a shipper thread) when a copy ends, to enqueue the app again.
  std::function<void(const std::string& key)> on_done;
};

class LogShipper {
 public:
  // Runs the copy; `stop` turns true when the shipper is destroyed.
  using Job = std::function<Result<ShipSummary>(const std::atomic<bool>& stop)>;
  struct Outcome {
    Result<ShipSummary> result = Status(StatusCode::kInternal, "not run");
    int failures = 0;  // Failed copies of this run so far, this one included.
    std::chrono::steady_clock::time_point retry_at;
  };

  explicit LogShipper(ShipperOptions options);
  ~LogShipper();  // Running copies are told to stop; queued ones are dropped (their pods keep the finalizer).
  LogShipper(const LogShipper&) = delete;
  LogShipper& operator=(const LogShipper&) = delete;

  // Queues the copy of run `attempt` of the app `uid` (`key` is its "namespace/name"); ignored while that run is
  // queued or running, or its outcome is uncollected and not a failure.
  void Ship(const std::string& key, const std::string& uid, int attempt, Job job);
  bool InFlight(const std::string& uid, int attempt) const;
  std::optional<Outcome> Peek(const std::string& uid, int attempt) const;
  // Forgets the run's outcome and its failure count.
  void Clear(const std::string& uid, int attempt);
  // Forgets every outcome of the app's runs: the app is gone.
  void Forget(const std::string& uid);
  // Every uncollected outcome of the app's runs, by attempt: a copy's end is recorded even when the cache
  // already shows its pods let go.
  std::map<int, Outcome> Outcomes(const std::string& uid) const;
  size_t Running() const;

 private:
  using RunKey = std::pair<std::string, int>;
  struct Queued {
    RunKey id;
    std::string key;
    Job job;
  };
  void Loop();

  const ShipperOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  std::deque<Queued> queue_;
  std::map<RunKey, bool> in_flight_;  // Queued (false) or running (true).
  std::map<RunKey, Outcome> outcomes_;
  std::vector<std::thread> threads_;
};

}  // namespace spark_operator::controller::logs
