#include "controller/wait.h"

#include <algorithm>
#include <chrono>

namespace spark_operator::controller {

int64_t SecondsLeft(const std::string& since, int64_t seconds, kube::WallTime now) {
  if (seconds <= 0) return 0;
  const Result<kube::WallTime> start = kube::ParseTime(since);
  if (!start.ok()) return 0;
  // In whole seconds since the epoch both fit with room to spare; a difference of nanoseconds might not.
  const auto epoch_seconds = [](kube::WallTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  };
  const int64_t elapsed = std::max<int64_t>(0, epoch_seconds(now) - epoch_seconds(*start));
  return elapsed >= seconds ? 0 : seconds - elapsed;
}

Clock::Duration RequeueDelay(int64_t seconds_left) {
  return std::chrono::seconds(std::clamp<int64_t>(seconds_left, 1, kMaxRequeueSeconds));
}

}  // namespace spark_operator::controller
