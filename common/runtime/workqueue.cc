#include "common/runtime/workqueue.h"

#include <glog/logging.h>

#include <vector>

namespace spark_operator {

WorkQueue::WorkQueue(WorkQueueOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : Clock::Real()),
      backoff_(options_.backoff_base, options_.backoff_max),
      metrics_(InstrumentsFor(options_)) {
  subscription_ = clock_.Subscribe([this] {
    const std::lock_guard<std::mutex> lock(mu_);
    delay_cv_.notify_all();
  });
  delay_thread_ = std::thread([this] { DelayLoop(); });
}

WorkQueue::~WorkQueue() {
  ShutDown();
  delay_thread_.join();
  clock_.Unsubscribe(subscription_);
}

std::optional<WorkQueue::Instruments> WorkQueue::InstrumentsFor(const WorkQueueOptions& options) {
  if (options.metrics == nullptr) return std::nullopt;
  metrics::Registry& r = *options.metrics;
  const std::vector<std::string> name = {options.name};
  // Keys wait minutes when thousands of apps arrive at once (bench/scale.sh at N = 10,000).
  const std::vector<double> buckets = {0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};
  return Instruments{
      .depth = r.AddGauge("workqueue_depth", "Keys waiting for a worker.", {"name"}).WithLabels(name),
      .adds = r.AddCounter("workqueue_adds_total", "Adds not absorbed by de-duplication.", {"name"}).WithLabels(name),
      .retries = r.AddCounter("workqueue_retries_total", "Keys retried after a failure.", {"name"}).WithLabels(name),
      .queue_seconds = r.AddHistogram("workqueue_queue_duration_seconds",
                                      "Time a key waited in the queue before a worker took it.", {"name"}, buckets)
                           .WithLabels(name),
      .work_seconds = r.AddHistogram("workqueue_work_duration_seconds", "Time a worker held a key (one reconcile).",
                                     {"name"}, buckets)
                          .WithLabels(name),
  };
}

void WorkQueue::PushLocked(const std::string& key, bool first) {
  if (first) {
    queue_.push_front({key, clock_.Now()});
  } else {
    queue_.push_back({key, clock_.Now()});
  }
  if (metrics_) metrics_->depth.Set(static_cast<double>(queue_.size()));
  ready_cv_.notify_one();
}

void WorkQueue::AddLocked(const std::string& key, bool first) {
  if (shutting_down_ || dirty_.contains(key)) return;
  ++adds_;
  if (metrics_) metrics_->adds.Increment();
  dirty_.insert(key);
  // A key being processed is queued by Done instead, so that it never reaches two workers at once.
  if (processing_.contains(key)) return;
  PushLocked(key, first);
}

void WorkQueue::Add(const std::string& key) {
  const std::lock_guard<std::mutex> lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddFirst(const std::string& key) {
  const std::lock_guard<std::mutex> lock(mu_);
  AddLocked(key, /*first=*/true);
}

void WorkQueue::AddAfter(const std::string& key, Clock::Duration delay) {
  const std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return;
  if (delay <= Clock::Duration::zero()) {
    AddLocked(key);
    return;
  }
  const Clock::TimePoint due = clock_.Now() + delay;
  if (const auto it = waiting_by_key_.find(key); it != waiting_by_key_.end()) {
    if (it->second->first <= due) return;
    waiting_.erase(it->second);
  }
  const auto entry = waiting_.emplace(due, key);
  waiting_by_key_[key] = entry;
  // Only a new earliest deadline changes how long the delay thread should sleep.
  if (entry == waiting_.begin()) delay_cv_.notify_one();
}

void WorkQueue::AddRateLimited(const std::string& key) {
  const Clock::Duration delay = backoff_.When(key);
  {
    const std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) return;
    ++retries_;
    if (metrics_) metrics_->retries.Increment();
  }
  AddAfter(key, delay);
}

void WorkQueue::Forget(const std::string& key) { backoff_.Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) const { return backoff_.NumRequeues(key); }

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock<std::mutex> lock(mu_);
  ready_cv_.wait(lock, [this] { return !queue_.empty() || shutting_down_; });
  if (queue_.empty()) return std::nullopt;
  Queued next = std::move(queue_.front());
  queue_.pop_front();
  const Clock::TimePoint now = clock_.Now();
  if (metrics_) {
    metrics_->depth.Set(static_cast<double>(queue_.size()));
    metrics_->queue_seconds.Observe(std::chrono::duration<double>(now - next.since).count());
  }
  processing_.emplace(next.key, now);
  dirty_.erase(next.key);
  return std::move(next.key);
}

void WorkQueue::Done(const std::string& key) {
  const std::lock_guard<std::mutex> lock(mu_);
  // A stray Done for a key no worker holds must not queue a second copy of it.
  const auto held = processing_.find(key);
  if (held == processing_.end()) return;
  if (metrics_) metrics_->work_seconds.Observe(std::chrono::duration<double>(clock_.Now() - held->second).count());
  processing_.erase(held);
  if (dirty_.contains(key)) {
    PushLocked(key);
  } else if (processing_.empty()) {
    drained_cv_.notify_all();
  }
}

size_t WorkQueue::Len() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

WorkQueueStats WorkQueue::Stats() const {
  const std::lock_guard<std::mutex> lock(mu_);
  WorkQueueStats stats;
  stats.depth = queue_.size();
  stats.waiting = waiting_.size();
  stats.processing = processing_.size();
  stats.adds = adds_;
  stats.retries = retries_;
  return stats;
}

void WorkQueue::ShutDown() {
  const std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  queue_.clear();
  if (metrics_) metrics_->depth.Set(0);
  dirty_.clear();
  waiting_.clear();
  waiting_by_key_.clear();
  ready_cv_.notify_all();
  delay_cv_.notify_all();
}

void WorkQueue::ShutDownWithDrain() {
  ShutDown();
  std::unique_lock<std::mutex> lock(mu_);
  drained_cv_.wait(lock, [this] { return processing_.empty(); });
}

bool WorkQueue::ShuttingDown() const {
  const std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

void WorkQueue::DelayLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!shutting_down_) {
    const Clock::TimePoint now = clock_.Now();
    while (!waiting_.empty() && waiting_.begin()->first <= now) {
      const std::string key = waiting_.begin()->second;
      waiting_by_key_.erase(key);
      waiting_.erase(waiting_.begin());
      AddLocked(key);
    }
    const Clock::TimePoint next = waiting_.empty() ? Clock::TimePoint::max() : waiting_.begin()->first;
    clock_.WaitUntil(delay_cv_, lock, next);
  }
}

void RunWorkers(WorkQueue& queue, int workers, const ReconcileFunc& reconcile) {
  const auto work = [&queue, &reconcile] {
    while (std::optional<std::string> key = queue.Get()) {
      const auto start = std::chrono::steady_clock::now();
      const ReconcileResult result = reconcile(*key);
      VLOG(2) << queue.name() << ": reconciled " << *key << " in "
              << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()
              << " ms, depth " << queue.Len();
      if (!result.status.ok()) {
        LOG(WARNING) << queue.name() << ": reconciling " << *key << " failed (retry " << queue.NumRequeues(*key) + 1
                     << "): " << result.status.ToString();
        queue.AddRateLimited(*key);
      } else {
        queue.Forget(*key);
        if (result.requeue_after) queue.AddAfter(*key, *result.requeue_after);
      }
      queue.Done(*key);
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (int i = 0; i < workers; ++i) threads.emplace_back(work);
  for (std::thread& thread : threads) thread.join();
}

}  // namespace spark_operator
