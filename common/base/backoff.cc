#include "common/base/backoff.h"

#include <algorithm>
#include <cmath>

namespace spark_operator {
namespace {

// Computed in double so that a long failure streak saturates at max instead of overflowing.
Clock::Duration Scale(Clock::Duration d, double factor, Clock::Duration max) {
  const double scaled = static_cast<double>(d.count()) * factor;
  if (!(scaled < static_cast<double>(max.count()))) return max;
  return Clock::Duration(static_cast<Clock::Duration::rep>(scaled));
}

}  // namespace

ItemExponentialBackoff::ItemExponentialBackoff(Clock::Duration base, Clock::Duration max) : base_(base), max_(max) {}

Clock::Duration ItemExponentialBackoff::When(const std::string& key) {
  int exponent;
  {
    const std::lock_guard<std::mutex> lock(mu_);
    exponent = failures_[key]++;
  }
  return Scale(base_, std::pow(2.0, exponent), max_);
}

void ItemExponentialBackoff::Forget(const std::string& key) {
  const std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int ItemExponentialBackoff::NumRequeues(const std::string& key) const {
  const std::lock_guard<std::mutex> lock(mu_);
  const auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

ExponentialBackoff::ExponentialBackoff(Clock::Duration initial, double factor, Clock::Duration max, double jitter)
    : initial_(initial),
      factor_(std::max(factor, 1.0)),
      max_(max),
      jitter_(std::max(jitter, 0.0)),
      current_(std::min(initial, max)),
      rng_(std::random_device{}()) {}

Clock::Duration ExponentialBackoff::Next() {
  ++attempts_;
  Clock::Duration delay = current_;
  current_ = Scale(current_, factor_, max_);
  if (jitter_ > 0) {
    // The cap applies before jitter, as in wait.Backoff, so that clients stuck at max stay spread out.
    std::uniform_real_distribution<double> extra(0.0, jitter_);
    delay += Clock::Duration(static_cast<Clock::Duration::rep>(static_cast<double>(delay.count()) * extra(rng_)));
  }
  return delay;
}

void ExponentialBackoff::Reset() {
  current_ = std::min(initial_, max_);
  attempts_ = 0;
}

}  // namespace spark_operator
