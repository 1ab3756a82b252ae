#include "controller/logs/log_shipper.h"

#include <glog/logging.h>

#include <algorithm>

namespace spark_operator::controller::logs {
namespace {

constexpr std::chrono::seconds kFirstRetry{5};
constexpr std::chrono::seconds kMaxRetry{300};

std::chrono::steady_clock::duration RetryDelay(int failures) {
  auto delay = std::chrono::duration_cast<std::chrono::seconds>(kFirstRetry);
  for (int i = 1; i < failures && delay < kMaxRetry; ++i) delay *= 2;
  return std::min(delay, kMaxRetry);
}

}  // namespace

LogShipper::LogShipper(ShipperOptions options) : options_(std::move(options)) {
  for (int i = 0; i < std::max(1, options_.concurrency); ++i) threads_.emplace_back([this] { Loop(); });
}

LogShipper::~LogShipper() {
  {
    const std::lock_guard lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void LogShipper::Ship(const std::string& key, const std::string& uid, int attempt, Job job) {
  const RunKey id{uid, attempt};
  {
    const std::lock_guard lock(mu_);
    if (stop_ || in_flight_.count(id) != 0) return;
    if (const auto it = outcomes_.find(id); it != outcomes_.end() && it->second.result.ok()) return;
    in_flight_[id] = false;
    queue_.push_back(Queued{id, key, std::move(job)});
  }
  cv_.notify_one();
}

bool LogShipper::InFlight(const std::string& uid, int attempt) const {
  const std::lock_guard lock(mu_);
  return in_flight_.count({uid, attempt}) != 0;
}

std::optional<LogShipper::Outcome> LogShipper::Peek(const std::string& uid, int attempt) const {
  const std::lock_guard lock(mu_);
  const auto it = outcomes_.find({uid, attempt});
  if (it == outcomes_.end()) return std::nullopt;
  return it->second;
}

void LogShipper::Clear(const std::string& uid, int attempt) {
  const std::lock_guard lock(mu_);
  outcomes_.erase({uid, attempt});
}

void LogShipper::Forget(const std::string& uid) {
  const std::lock_guard lock(mu_);
  outcomes_.erase(outcomes_.lower_bound({uid, 0}), outcomes_.lower_bound({uid + '\0', 0}));
}

std::map<int, LogShipper::Outcome> LogShipper::Outcomes(const std::string& uid) const {
  const std::lock_guard lock(mu_);
  std::map<int, Outcome> out;
  for (auto it = outcomes_.lower_bound({uid, 0}); it != outcomes_.end() && it->first.first == uid; ++it) {
    out.emplace(it->first.second, it->second);
  }
  return out;
}

size_t LogShipper::Running() const {
  const std::lock_guard lock(mu_);
  return static_cast<size_t>(
      std::count_if(in_flight_.begin(), in_flight_.end(), [](const auto& e) { return e.second; }));
}

void LogShipper::Loop() {
  for (;;) {
    Queued next;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
      in_flight_[next.id] = true;
    }
    Result<ShipSummary> result = next.job(stop_);
    if (!result.ok())
      LOG(WARNING) << next.key << ": shipping logs of attempt " << next.id.second << ": " << result.status().ToString();
    {
      const std::lock_guard lock(mu_);
      in_flight_.erase(next.id);
      Outcome& outcome = outcomes_[next.id];
      outcome.failures = result.ok() ? 0 : outcome.failures + 1;
      outcome.retry_at = std::chrono::steady_clock::now() + RetryDelay(outcome.failures);
      outcome.result = std::move(result);
    }
    if (options_.on_done) options_.on_done(next.key);
  }
}

}  // namespace spark_operator::controller::logs
