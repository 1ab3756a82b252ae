#include "controller/submitter.h"

#include <glog/logging.h>

namespace spark_operator::controller {

Submitter::Submitter(SubmitterOptions options) : options_(std::move(options)) {
  // A fixed pool of `concurrency` threads is the semaphore: each runs one spark-submit at a time.
  for (int i = 0; i < std::max(1, options_.concurrency); ++i) threads_.emplace_back([this] { Loop(); });
}

Submitter::~Submitter() {
  {
    const std::lock_guard lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void Submitter::Submit(const std::string& key, int attempt, std::vector<std::string> argv) {
  {
    const std::lock_guard lock(mu_);
    AttemptKey k{key, attempt};
    if (stop_ || in_flight_.count(k) != 0 || results_.count(k) != 0) return;
    in_flight_.insert(k);
    queue_.push_back(Job{std::move(k), std::move(argv)});
  }
  cv_.notify_one();
}

bool Submitter::InFlight(const std::string& key, int attempt) const {
  const std::lock_guard lock(mu_);
  return in_flight_.count({key, attempt}) != 0;
}

std::optional<Result<ProcessResult>> Submitter::PeekResult(const std::string& key, int attempt) const {
  const std::lock_guard lock(mu_);
  const auto it = results_.find({key, attempt});
  if (it == results_.end()) return std::nullopt;
  return it->second;
}

void Submitter::Clear(const std::string& key, int attempt) {
  const std::lock_guard lock(mu_);
  results_.erase({key, attempt});
}

void Submitter::Forget(const std::string& key) {
  const std::lock_guard lock(mu_);
  std::erase_if(results_, [&](const auto& entry) { return entry.first.first == key; });
}

size_t Submitter::Running() const {
  const std::lock_guard lock(mu_);
  return running_;
}

void Submitter::Loop() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    LOG(INFO) << job.key.first << ": running spark-submit for attempt " << job.key.second;
    ProcessOptions process;
    process.argv = std::move(job.argv);
    process.extra_env = options_.extra_env;
    process.timeout = options_.timeout;
    const Status may_start = options_.may_start ? options_.may_start() : OkStatus();
    Result<ProcessResult> result = may_start.ok() ? RunProcess(process) : Result<ProcessResult>(may_start);
    if (result.ok()) {
      LOG(INFO) << job.key.first << ": spark-submit attempt " << job.key.second << " finished: "
                << result->Describe() << " in " << result->duration.count() << " ms";
      if (options_.on_result) options_.on_result(*result);
    } else {
      LOG(ERROR) << job.key.first << ": spark-submit could not start: " << result.status().ToString();
    }
    {
      const std::lock_guard lock(mu_);
      --running_;
      in_flight_.erase(job.key);
      results_.insert_or_assign(job.key, std::move(result));
    }
    if (options_.on_done) options_.on_done(job.key.first);
  }
}

}  // namespace spark_operator::controller
