// Spaces out the status writes that only report executor pods. Each executor's phase change would otherwise be one
// write of the whole SparkApplication: at scale those writes outnumber everything else the controller sends
// (measured by bench/scale.sh: about four status writes per driver created).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace spark_operator::controller {

class StatusThrottle {
 public:
  explicit StatusThrottle(std::chrono::milliseconds interval) : interval_(interval) {}

  // Zero when a write for `key` may go now (recorded as made), else how long until one may.
  std::chrono::milliseconds Reserve(const std::string& key);
  // The app ended or was deleted.
  void Forget(const std::string& key);

 private:
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_;
};

}  // namespace spark_operator::controller
