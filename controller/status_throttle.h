// Batches an app's status writes that can wait. Each executor's phase change would otherwise be one write of the
// whole SparkApplication: at scale those writes outnumber everything else the controller sends (measured by
// bench/scale.sh: about four status writes per driver created), and a custom resource's write is among the API
// server's dearest (its managed fields are computed against the CRD's whole schema). Spark creates an
// application's executors one after another and they start within moments of each other, so the first unwritten
// change waits: the write then carries the changes that came meanwhile. The wait is the caller's, per change
// (executor-only changes wait less than an app's progress while submissions queue), counted from the first
// change held since the app's last write.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace spark_operator::controller {

class StatusThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit StatusThrottle(Clock now = std::chrono::steady_clock::now) : now_(std::move(now)) {}

  // Zero when a change of `key` that may wait `interval` is to be written now, else how long it waits: `interval`
  // from the first change held since the app's last status write.
  std::chrono::milliseconds Reserve(const std::string& key, std::chrono::milliseconds interval);
  // A status write of the app was made (it carried whatever waited), or the app ended or was deleted.
  void Forget(const std::string& key);

 private:
  const Clock now_;
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> waiting_since_;  // Guarded by mu_.
};

}  // namespace spark_operator::controller
