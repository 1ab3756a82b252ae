// A token bucket for client-side request throttling, as client-go's QPS/Burst: up to `burst` requests go out
// at once, after which requests are paced at `qps`. Shared by every request of one API client.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "common/base/clock.h"
#include "common/base/status.h"

namespace spark_operator {

class TokenBucketRateLimiter {
 public:
  // qps <= 0 means unlimited. A burst below 1 is raised to 1, or nothing could ever pass.
  TokenBucketRateLimiter(double qps, int burst, Clock& clock = Clock::Real());
  ~TokenBucketRateLimiter();
  TokenBucketRateLimiter(const TokenBucketRateLimiter&) = delete;
  TokenBucketRateLimiter& operator=(const TokenBucketRateLimiter&) = delete;

  // Takes a token if one is available now; never blocks.
  bool TryAccept();

  // Blocks until this caller's token is due. Callers are served in arrival order: each one reserves the next
  // token (the bucket may go into debt) and sleeps until it has been refilled. CancelledError once Stop()
  // has been called, including for callers already waiting.
  Status Wait();

  // Wakes every Wait() with CancelledError and makes later ones fail at once; used at shutdown.
  void Stop();

  double qps() const { return qps_; }
  int burst() const { return burst_; }

 private:
  void RefillLocked(Clock::TimePoint now);

  const double qps_;
  const int burst_;
  Clock& clock_;
  uint64_t subscription_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  double tokens_;  // Negative while callers of Wait() are queued for tokens not yet refilled.
  Clock::TimePoint last_refill_;
  bool stopped_ = false;
};

}  // namespace spark_operator
