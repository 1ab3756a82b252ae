#include "common/base/rate_limiter.h"

#include <algorithm>
#include <chrono>

namespace spark_operator {

TokenBucketRateLimiter::TokenBucketRateLimiter(double qps, int burst, Clock& clock)
    : qps_(qps), burst_(std::max(burst, 1)), clock_(clock), tokens_(burst_), last_refill_(clock.Now()) {
  subscription_ = clock_.Subscribe([this] {
    const std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  });
}

TokenBucketRateLimiter::~TokenBucketRateLimiter() { clock_.Unsubscribe(subscription_); }

void TokenBucketRateLimiter::RefillLocked(Clock::TimePoint now) {
  const double elapsed = std::chrono::duration<double>(now - last_refill_).count();
  if (elapsed <= 0) return;
  tokens_ = std::min<double>(burst_, tokens_ + elapsed * qps_);
  last_refill_ = now;
}

bool TokenBucketRateLimiter::TryAccept() {
  if (qps_ <= 0) return true;
  const std::lock_guard<std::mutex> lock(mu_);
  RefillLocked(clock_.Now());
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

Status TokenBucketRateLimiter::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  if (stopped_) return CancelledError("rate limiter stopped");
  if (qps_ <= 0) return OkStatus();

  const Clock::TimePoint now = clock_.Now();
  RefillLocked(now);
  tokens_ -= 1;
  if (tokens_ >= 0) return OkStatus();

  const auto debt = std::chrono::duration<double>(-tokens_ / qps_);
  const Clock::TimePoint due = now + std::chrono::duration_cast<Clock::Duration>(debt);
  while (!stopped_ && clock_.Now() < due) clock_.WaitUntil(cv_, lock, due);
  if (stopped_) {
    // Hand the reservation back so that the tokens are not lost if the limiter is ever inspected afterwards.
    tokens_ += 1;
    return CancelledError("rate limiter stopped");
  }
  return OkStatus();
}

void TokenBucketRateLimiter::Stop() {
  const std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

}  // namespace spark_operator
