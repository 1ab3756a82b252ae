// Runs spark-submit for apps off the reconcile workers, at most `concurrency` at a time, and remembers each
// outcome until the reconciler collects it. Keys are "namespace/name" plus the attempt number, so a result
// can never be mistaken for another attempt's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "controller/process.h"

namespace spark_operator::controller {

struct SubmitterOptions {
  int concurrency = 2;
  std::chrono::milliseconds timeout{std::chrono::minutes(3)};
  std::vector<std::string> extra_env;  // For spark-submit, e.g. KUBECONFIG=/dev/null.
  // Called (on a submitter thread) when an attempt finishes, to enqueue the app again.
  std::function<void(const std::string& key)> on_done;
  // Called with every finished run, for metrics.
  std::function<void(const ProcessResult&)> on_result;
  // Checked just before each spark-submit starts (the leader-election fence): a refusal becomes the attempt's
  // result instead.
  std::function<Status()> may_start;
};

class Submitter {
 public:
  explicit Submitter(SubmitterOptions options);
  ~Submitter();  // Stops: running submissions finish (bounded by the timeout); queued ones are dropped.
  Submitter(const Submitter&) = delete;
  Submitter& operator=(const Submitter&) = delete;

  // Queues attempt `attempt` of `key`; ignored if that attempt is already queued, running or finished.
  void Submit(const std::string& key, int attempt, std::vector<std::string> argv);
  bool InFlight(const std::string& key, int attempt) const;
  // The outcome of a finished attempt; it stays until Clear, so a status write that fails can be retried.
  std::optional<Result<ProcessResult>> PeekResult(const std::string& key, int attempt) const;
  void Clear(const std::string& key, int attempt);
  // Drops everything about `key` (the app was deleted).
  void Forget(const std::string& key);
  size_t Running() const;

 private:
  using AttemptKey = std::pair<std::string, int>;
  struct Job {
    AttemptKey key;
    std::vector<std::string> argv;
  };
  void Loop();

  const SubmitterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::deque<Job> queue_;
  std::set<AttemptKey> in_flight_;  // Queued or running.
  size_t running_ = 0;
  std::map<AttemptKey, Result<ProcessResult>> results_;
  std::vector<std::thread> threads_;
};

}  // namespace spark_operator::controller
