// A rate-limited, de-duplicating queue of object keys ("namespace/name") feeding reconcile workers, with
// client-go's workqueue semantics:
//  - a key waiting in the queue is held once however often it is added;
//  - a key added while a worker holds it is queued again when that worker calls Done, so no two workers ever
//    hold the same key and no change is missed;
//  - AddAfter holds a key back for a delay (an earlier time wins if the key is already held back);
//  - AddRateLimited retries a failed key after a per-key exponential back-off that Forget resets.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/base/backoff.h"
#include "common/base/clock.h"
#include "common/base/status.h"
#include "common/metrics/metrics.h"

namespace spark_operator {

struct WorkQueueOptions {
  std::string name = "workqueue";  // Shown in log lines.
  Clock::Duration backoff_base = std::chrono::milliseconds(5);
  Clock::Duration backoff_max = std::chrono::seconds(1000);
  Clock* clock = nullptr;  // Null means Clock::Real(); a FakeClock must outlive the queue.
  // Where to export client-go's workqueue metrics, labelled {name}: workqueue_depth, workqueue_adds_total,
  // workqueue_retries_total, workqueue_queue_duration_seconds (queued until a worker took the key) and
  // workqueue_work_duration_seconds (taken until Done). Null: none; else it must outlive the queue.
  metrics::Registry* metrics = nullptr;
};

// Plain counters for a metrics exporter to read.
struct WorkQueueStats {
  size_t depth = 0;       // Keys ready for a worker (Len()).
  size_t waiting = 0;     // Keys held back by AddAfter / AddRateLimited.
  size_t processing = 0;  // Keys held by workers.
  uint64_t adds = 0;      // Adds that queued or marked a key, i.e. not absorbed by de-duplication.
  uint64_t retries = 0;   // AddRateLimited calls.
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  // Shuts down and joins the delay thread.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Ignored after ShutDown.
  void Add(const std::string& key);
  // As Add, but ahead of the keys waiting: for a key woken because what it waited for is free now (a slot),
  // which would otherwise wait behind every pod event of a burst. A key already queued keeps its place.
  void AddFirst(const std::string& key);
  void AddAfter(const std::string& key, Clock::Duration delay);
  // AddAfter with the key's next back-off delay.
  void AddRateLimited(const std::string& key);
  // The key was reconciled: its back-off starts again from the base delay.
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

  // Blocks until a key is ready and hands it to the caller, who must call Done(key) when finished. After
  // ShutDown, nullopt, which tells the worker to exit.
  std::optional<std::string> Get();
  void Done(const std::string& key);

  // Keys ready for a worker; not counting held-back or in-progress ones.
  size_t Len() const;
  WorkQueueStats Stats() const;
  const std::string& name() const { return options_.name; }

  // Stops accepting keys, drops queued and held-back ones and wakes every Get. Dropping is what makes a stop
  // prompt: a controller stopped with 10,000 keys queued reconciled them all before exiting (minutes), and what a
  // level-triggered controller drops its next start lists again.
  void ShutDown();
  // ShutDown, then blocks until workers have called Done for every key they hold.
  // Needs running workers; must not be called from one.
  void ShutDownWithDrain();
  bool ShuttingDown() const;

 private:
  void AddLocked(const std::string& key, bool first = false);
  void PushLocked(const std::string& key, bool first = false);
  void DelayLoop();

  struct Instruments {
    metrics::Gauge& depth;
    metrics::Counter& adds;
    metrics::Counter& retries;
    metrics::Histogram& queue_seconds;
    metrics::Histogram& work_seconds;
  };
  static std::optional<Instruments> InstrumentsFor(const WorkQueueOptions& options);

  const WorkQueueOptions options_;
  Clock& clock_;
  ItemExponentialBackoff backoff_;
  uint64_t subscription_ = 0;
  const std::optional<Instruments> metrics_;

  mutable std::mutex mu_;
  std::condition_variable ready_cv_;    // Get waiters: a key was queued, or shutdown.
  std::condition_variable delay_cv_;    // The delay thread: an earlier deadline, a clock jump, or shutdown.
  std::condition_variable drained_cv_;  // ShutDownWithDrain: processing_ became empty.
  struct Queued {
    std::string key;
    Clock::TimePoint since;
  };
  std::deque<Queued> queue_;
  std::unordered_set<std::string> dirty_;  // Keys needing a reconcile: queued, or added while processing.
  std::unordered_map<std::string, Clock::TimePoint> processing_;  // Keys held by workers, since when.
  // Held-back keys by due time (equal times keep insertion order), and each key's entry for de-duplication.
  std::multimap<Clock::TimePoint, std::string> waiting_;
  std::unordered_map<std::string, std::multimap<Clock::TimePoint, std::string>::iterator> waiting_by_key_;
  bool shutting_down_ = false;
  uint64_t adds_ = 0;
  uint64_t retries_ = 0;

  std::thread delay_thread_;  // Last member: starts once everything it uses is constructed.
};

// What a reconcile asks for, as controller-runtime's reconcile.Result. Converts from a Status, so a reconcile
// function may simply return a Status.
struct ReconcileResult {
  ReconcileResult(Status s = OkStatus()) : status(std::move(s)) {}  // NOLINT: implicit by design.

  Status status;  // Not OK: the key is retried after its back-off.
  // OK and set: the key is reconciled again after this delay (e.g. to poll a driver pod's progress).
  std::optional<Clock::Duration> requeue_after;
};

inline ReconcileResult RequeueAfter(Clock::Duration delay) {
  ReconcileResult result;
  result.requeue_after = delay;
  return result;
}

using ReconcileFunc = std::function<ReconcileResult(const std::string& key)>;

// Runs `workers` threads that take keys from `queue` and reconcile them: an error is logged and retried with
// back-off; success forgets the key's back-off, then requeues it if asked to. Blocks until the queue is shut
// down and every worker has finished.
void RunWorkers(WorkQueue& queue, int workers, const ReconcileFunc& reconcile);

}  // namespace spark_operator
