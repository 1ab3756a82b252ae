#include "controller/submitter.h"

#include <glog/logging.h>

#include <cstdio>

#include "common/base/file.h"

namespace spark_operator::controller {
namespace {

// Private to the controller's user: a pod template names the app's UID, and nothing else needs to read it.
Result<ProcessResult> WriteFiles(const std::vector<Submitter::File>& files) {
  for (const Submitter::File& file : files) RETURN_IF_ERROR(WriteFileAtomically(file.path, file.content, 0600));
  return ProcessResult{};
}

}  // namespace

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

void Submitter::Submit(const std::string& key, const std::string& uid, int attempt, std::vector<std::string> argv,
                       std::vector<File> files) {
  {
    const std::lock_guard lock(mu_);
    AttemptKey id{uid, attempt};
    if (stop_ || in_flight_.count(id) != 0 || results_.count(id) != 0) return;
    in_flight_.emplace(id, key);
    queue_.push_back(Job{std::move(id), key, std::move(argv), std::move(files)});
  }
  cv_.notify_one();
}

bool Submitter::InFlight(const std::string& uid, int attempt) const {
  const std::lock_guard lock(mu_);
  return in_flight_.count({uid, attempt}) != 0;
}

std::optional<Result<ProcessResult>> Submitter::PeekResult(const std::string& uid, int attempt) const {
  const std::lock_guard lock(mu_);
  const auto it = results_.find({uid, attempt});
  if (it == results_.end()) return std::nullopt;
  return it->second.result;
}

void Submitter::Clear(const std::string& uid, int attempt) {
  const std::lock_guard lock(mu_);
  results_.erase({uid, attempt});
}

void Submitter::Forget(const std::string& key, const std::string& keep_uid) {
  const std::lock_guard lock(mu_);
  const auto stale = [&](const std::string& k, const AttemptKey& id) { return k == key && id.first != keep_uid; };
  std::erase_if(queue_, [&](const Job& job) {
    if (!stale(job.key, job.id)) return false;
    LOG(INFO) << key << ": cancelled queued spark-submit attempt " << job.id.second << " of a deleted app (uid "
              << job.id.first << ")";
    in_flight_.erase(job.id);
    return true;
  });
  std::erase_if(results_, [&](const auto& entry) { return stale(entry.second.key, entry.first); });
  // Still in flight now means running: its result is not kept when it ends.
  for (const auto& [id, k] : in_flight_) {
    if (stale(k, id)) unwanted_.insert(id);
  }
}

size_t Submitter::Running() const {
  const std::lock_guard lock(mu_);
  return running_;
}

size_t Submitter::Queued() const {
  const std::lock_guard lock(mu_);
  return queue_.size();
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
    LOG(INFO) << job.key << ": running spark-submit for attempt " << job.id.second;
    ProcessOptions process;
    process.argv = std::move(job.argv);
    process.extra_env = options_.extra_env;
    process.timeout = options_.timeout;
    // A replica that may no longer be the leader starts nothing: the refusal is the attempt's result.
    const Status may_start = options_.may_start ? options_.may_start() : OkStatus();
    Result<ProcessResult> result = may_start.ok() ? WriteFiles(job.files) : Result<ProcessResult>(may_start);
    if (result.ok()) result = RunProcess(process);
    for (const File& file : job.files) std::remove(file.path.c_str());
    if (result.ok()) {
      LOG(INFO) << job.key << ": spark-submit attempt " << job.id.second << " finished: " << result->Describe()
                << " in " << result->duration.count() << " ms";
      if (options_.on_result) options_.on_result(*result);
    } else {
      LOG(ERROR) << job.key << ": spark-submit could not start: " << result.status().ToString();
    }
    {
      const std::lock_guard lock(mu_);
      --running_;
      in_flight_.erase(job.id);
      if (unwanted_.erase(job.id) == 0) results_.insert_or_assign(job.id, Outcome{job.key, std::move(result)});
    }
    if (options_.on_done) options_.on_done(job.key);
  }
}

}  // namespace spark_operator::controller
