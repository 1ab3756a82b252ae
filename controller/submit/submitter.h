// Runs submissions for apps off the reconcile workers, and remembers each outcome until the reconciler collects
// it. Two lanes: spark-submit processes (at most `concurrency` at a time: each is a JVM) and native submissions
// (a few API requests each, `native_concurrency` at a time). Attempts are keyed by the app's UID plus the attempt
// number, so a result can never be mistaken for another attempt's, nor for that of an earlier app of the same name.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "controller/submit/process.h"

namespace spark_operator::controller {

struct SubmitterOptions {
  int concurrency = 2;
  int native_concurrency = 0;  // Threads of the native lane; 0: no native submissions.
  std::chrono::milliseconds timeout{std::chrono::minutes(3)};
  std::vector<std::string> extra_env;  // For spark-submit, e.g. KUBECONFIG=/dev/null.
  // Called (on a submitter thread) when an attempt finishes, to enqueue the app again.
  std::function<void(const std::string& key)> on_done;
  // Called with every finished run, for metrics; `native` for a run of the native lanes.
  std::function<void(const ProcessResult&, bool native)> on_result;
  // Checked just before each spark-submit starts (the leader-election fence): a refusal becomes the attempt's
  // result instead.
  std::function<Status()> may_start;
};

class Submitter {
 public:
  explicit Submitter(SubmitterOptions options);
  ~Submitter();  // StopStarting, then waits for the running submissions (bounded by the timeout).
  Submitter(const Submitter&) = delete;
  Submitter& operator=(const Submitter&) = delete;

  // A file spark-submit reads (a pod template), written just before it runs and removed after.
  struct File {
    std::string path;
    std::string content;
  };

  // Queues attempt `attempt` of the app with UID `uid` (`key` is its "namespace/name", passed to on_done);
  // ignored if that attempt is already queued, running or finished.
  void Submit(const std::string& key, const std::string& uid, int attempt, std::vector<std::string> argv,
              std::vector<File> files = {});
  // The same for a native submission: `run` creates the objects; its result stands for spark-submit's. `held`
  // is let go once the attempt has run (after on_done) or is dropped: the caller's submission slot
  // (controller/slots.h), so whatever it refers to must outlive this submitter (the manager resets the submitter
  // before the reconciler that owns the slots).
  void SubmitNative(const std::string& key, const std::string& uid, int attempt,
                    std::function<Result<ProcessResult>()> run, std::shared_ptr<const void> held = nullptr);
  // Drops the queued attempts and starts no other; running ones go on. A stopping controller calls it first:
  // its lanes otherwise went on through thousands of queued submissions while its workers wound down.
  void StopStarting();
  bool InFlight(const std::string& uid, int attempt) const;
  // The outcome of a finished attempt; it stays until Clear, so a status write that fails can be retried.
  std::optional<Result<ProcessResult>> PeekResult(const std::string& uid, int attempt) const;
  void Clear(const std::string& uid, int attempt);
  // Drops the queued attempts and results of `key` that belong to any app but `keep_uid` (empty: every one):
  // the app was deleted, or deleted and created again under the same name. A running spark-submit is stopped
  // (its process group killed); a driver pod it created already carries the deleted app's owner reference, so
  // the garbage collector removes it. A running native submission, a few requests, is let finish.
  void Forget(const std::string& key, const std::string& keep_uid = "");
  size_t Running() const;
  size_t Queued() const;
  // Native submissions waiting for a lane: every lane is busy and more wait.
  size_t QueuedNative() const;

 private:
  using AttemptKey = std::pair<std::string, int>;  // UID, attempt.
  enum Lane { kProcessLane = 0, kNativeLane = 1 };
  struct Job {
    AttemptKey id;
    std::string key;
    std::function<Result<ProcessResult>()> run;
    std::shared_ptr<std::atomic<bool>> cancel;  // Null when the run cannot be stopped.
    std::shared_ptr<const void> held;           // Let go with the job.
    std::chrono::steady_clock::time_point queued = std::chrono::steady_clock::now();
  };
  struct Pending {  // A queued or running attempt.
    std::string key;
    std::shared_ptr<std::atomic<bool>> cancel;
  };
  struct Outcome {
    std::string key;
    Result<ProcessResult> result;
  };
  void Enqueue(Lane lane, Job job);
  void Loop(Lane lane);
  // Removes `id` from attempts_by_key_ (it left in_flight_ and results_ for good).
  void Untrack(const std::string& key, const AttemptKey& id);

  const SubmitterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cvs_[2];
  bool stop_ = false;
  std::deque<Job> queues_[2];
  std::map<AttemptKey, Pending> in_flight_;
  size_t running_ = 0;
  std::map<AttemptKey, Outcome> results_;
  std::set<AttemptKey> unwanted_;  // Running attempts of forgotten apps.
  // Each key's attempts in in_flight_ or results_. Every reconcile calls Forget for its app's namesakes: a scan of
  // both maps and the queues there, under the mutex the lanes take, was 8 % of the controller's CPU at N=1000 and
  // grows with the apps.
  std::map<std::string, std::set<AttemptKey>> attempts_by_key_;
  std::vector<std::thread> threads_;
};

}  // namespace spark_operator::controller
