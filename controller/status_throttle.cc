#include "controller/status_throttle.h"

namespace spark_operator::controller {

std::chrono::milliseconds StatusThrottle::Reserve(const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  const std::lock_guard lock(mu_);
  const auto it = last_.find(key);
  if (it != last_.end() && now - it->second < interval_) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(interval_ - (now - it->second)) +
           std::chrono::milliseconds(1);
  }
  last_[key] = now;
  return std::chrono::milliseconds(0);
}

void StatusThrottle::Forget(const std::string& key) {
  const std::lock_guard lock(mu_);
  last_.erase(key);
}

}  // namespace spark_operator::controller
