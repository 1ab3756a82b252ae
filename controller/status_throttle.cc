#include "controller/status_throttle.h"

namespace spark_operator::controller {

std::chrono::milliseconds StatusThrottle::Reserve(const std::string& key, std::chrono::milliseconds interval) {
  const auto now = now_();
  const std::lock_guard lock(mu_);
  const auto since = waiting_since_.try_emplace(key, now).first->second;
  if (now - since >= interval) return std::chrono::milliseconds(0);
  // Rounded up, so that the reconcile it schedules finds the wait over.
  return std::chrono::duration_cast<std::chrono::milliseconds>(interval - (now - since)) + std::chrono::milliseconds(1);
}

void StatusThrottle::Forget(const std::string& key) {
  const std::lock_guard lock(mu_);
  waiting_since_.erase(key);
}

}  // namespace spark_operator::controller
