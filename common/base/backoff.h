// Exponential back-off, in the two shapes the operator needs: per key for work-queue retries (as client-go's
// ItemExponentialFailureRateLimiter) and a single sequence for reconnect and retry loops (as wait.Backoff).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>

#include "common/base/clock.h"

namespace spark_operator {

// base * 2^failures, capped at max, counted separately for each key. Thread-safe.
class ItemExponentialBackoff {
 public:
  explicit ItemExponentialBackoff(Clock::Duration base = std::chrono::milliseconds(5),
                                  Clock::Duration max = std::chrono::seconds(1000));

  // The delay before the key's next retry; counts one more failure for the key. The first call returns base.
  Clock::Duration When(const std::string& key);
  // The key succeeded: its next failure starts again from base.
  void Forget(const std::string& key);
  // How many failures have been counted for the key since it was last forgotten.
  int NumRequeues(const std::string& key) const;

 private:
  const Clock::Duration base_;
  const Clock::Duration max_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int> failures_;
};

// initial, initial*factor, initial*factor^2, ... capped at max, each plus a random extra of up to
// jitter * delay so that many clients restarting together (watch reconnects after an API server restart) do
// not retry in lock step. One instance per loop; not thread-safe.
class ExponentialBackoff {
 public:
  ExponentialBackoff(Clock::Duration initial, double factor, Clock::Duration max, double jitter = 0.0);

  // The delay to sleep before the next attempt.
  Clock::Duration Next();
  // The loop made progress (e.g. a watch delivered events): start again from `initial`.
  void Reset();
  // Calls to Next() since construction or Reset().
  int attempts() const { return attempts_; }

 private:
  const Clock::Duration initial_;
  const double factor_;
  const Clock::Duration max_;
  const double jitter_;
  Clock::Duration current_;
  int attempts_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace spark_operator
