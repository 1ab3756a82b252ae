#include "controller/submit/submitter.h"

#include <glog/logging.h>

#include <cstdio>

#include "common/base/file.h"

namespace spark_operator::controller {
namespace {

// The files are private to the controller's user: a pod template names the app's UID, and nothing else needs to
// read it. They exist only while spark-submit runs.
Result<ProcessResult> RunSparkSubmit(const ProcessOptions& process, const std::vector<Submitter::File>& files) {
  Status written = OkStatus();
  for (const Submitter::File& file : files) {
    written = WriteFileAtomically(file.path, file.content, 0600);
    if (!written.ok()) break;
  }
  Result<ProcessResult> result = written.ok() ? RunProcess(process) : Result<ProcessResult>(written);
  if (!result.ok()) result = result.status().WithContext("spark-submit could not be started");
  for (const Submitter::File& file : files) std::remove(file.path.c_str());
  return result;
}

}  // namespace

Submitter::Submitter(SubmitterOptions options) : options_(std::move(options)) {
  // A fixed pool of threads per lane is its semaphore: each runs one submission at a time.
  for (int i = 0; i < std::max(1, options_.concurrency); ++i) {
    threads_.emplace_back([this] { Loop(kProcessLane); });
  }
  for (int i = 0; i < options_.native_concurrency; ++i) threads_.emplace_back([this] { Loop(kNativeLane); });
}

Submitter::~Submitter() {
  StopStarting();
  for (std::thread& t : threads_) t.join();
}

void Submitter::StopStarting() {
  {
    const std::lock_guard lock(mu_);
    stop_ = true;
    for (std::deque<Job>& queue : queues_) queue.clear();
  }
  for (std::condition_variable& cv : cvs_) cv.notify_all();
}

void Submitter::Submit(const std::string& key, const std::string& uid, int attempt, std::vector<std::string> argv,
                       std::vector<File> files) {
  ProcessOptions process;
  process.argv = std::move(argv);
  process.extra_env = options_.extra_env;
  process.timeout = options_.timeout;
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  process.cancel = cancel;
  auto run = [process = std::move(process), files = std::move(files)] { return RunSparkSubmit(process, files); };
  Enqueue(kProcessLane, Job{{uid, attempt}, key, std::move(run), std::move(cancel)});
}

void Submitter::SubmitNative(const std::string& key, const std::string& uid, int attempt,
                             std::function<Result<ProcessResult>()> run, std::shared_ptr<const void> held) {
  // Without a native lane the job would wait forever: run it in the process lane instead.
  Enqueue(options_.native_concurrency > 0 ? kNativeLane : kProcessLane,
          Job{{uid, attempt}, key, std::move(run), nullptr, std::move(held)});
}

void Submitter::Enqueue(Lane lane, Job job) {
  {
    const std::lock_guard lock(mu_);
    if (stop_ || in_flight_.count(job.id) != 0 || results_.count(job.id) != 0) return;
    in_flight_.emplace(job.id, Pending{job.key, job.cancel});
    attempts_by_key_[job.key].insert(job.id);
    queues_[lane].push_back(std::move(job));
  }
  cvs_[lane].notify_one();
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
  const auto it = results_.find({uid, attempt});
  if (it == results_.end()) return;
  Untrack(it->second.key, it->first);
  results_.erase(it);
}

void Submitter::Untrack(const std::string& key, const AttemptKey& id) {
  const auto tracked = attempts_by_key_.find(key);
  if (tracked == attempts_by_key_.end()) return;
  tracked->second.erase(id);
  if (tracked->second.empty()) attempts_by_key_.erase(tracked);
}

void Submitter::Forget(const std::string& key, const std::string& keep_uid) {
  const std::lock_guard lock(mu_);
  const auto tracked = attempts_by_key_.find(key);
  if (tracked == attempts_by_key_.end()) return;
  std::vector<AttemptKey> stale;
  for (const AttemptKey& id : tracked->second) {
    if (id.first != keep_uid) stale.push_back(id);
  }
  for (const AttemptKey& id : stale) {
    if (results_.erase(id) != 0) {
      Untrack(key, id);
      continue;
    }
    bool was_queued = false;
    for (std::deque<Job>& queue : queues_) {
      was_queued |= std::erase_if(queue, [&](const Job& job) { return job.id == id; }) != 0;
    }
    if (was_queued) {
      LOG(INFO) << key << ": cancelled queued submission attempt " << id.second << " of a deleted app (uid " << id.first
                << ")";
      in_flight_.erase(id);
      Untrack(key, id);
      continue;
    }
    // Still in flight now means running: stopped where it can be, and its result is not kept when it ends.
    const auto running = in_flight_.find(id);
    if (running == in_flight_.end()) continue;
    unwanted_.insert(id);
    if (running->second.cancel != nullptr && !running->second.cancel->exchange(true)) {
      LOG(INFO) << key << ": stopping the running spark-submit of attempt " << id.second << " of a deleted app (uid "
                << id.first << ")";
    }
  }
}

size_t Submitter::Running() const {
  const std::lock_guard lock(mu_);
  return running_;
}

size_t Submitter::Queued() const {
  const std::lock_guard lock(mu_);
  return queues_[kProcessLane].size() + queues_[kNativeLane].size();
}

size_t Submitter::QueuedNative() const {
  const std::lock_guard lock(mu_);
  return queues_[kNativeLane].size();
}

void Submitter::Loop(Lane lane) {
  const char* what = lane == kProcessLane ? "spark-submit" : "native submission";
  while (true) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cvs_[lane].wait(lock, [&] { return stop_ || !queues_[lane].empty(); });
      if (stop_) return;
      job = std::move(queues_[lane].front());
      queues_[lane].pop_front();
      ++running_;
    }
    VLOG(1) << job.key << ": starting " << what << " for attempt " << job.id.second << " after "
            << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job.queued).count()
            << " ms queued";
    // A replica that may no longer be the leader starts nothing: the refusal is the attempt's result.
    const Status may_start = options_.may_start ? options_.may_start() : OkStatus();
    Result<ProcessResult> result = may_start.ok() ? job.run() : Result<ProcessResult>(may_start);
    if (result.ok()) {
      LOG(INFO) << job.key << ": " << what << " attempt " << job.id.second << " finished: " << result->Describe()
                << " in " << result->duration.count() << " ms";
      if (options_.on_result) options_.on_result(*result, lane == kNativeLane);
    } else {
      LOG(ERROR) << job.key << ": " << what << " attempt " << job.id.second << ": " << result.status().ToString();
    }
    {
      const std::lock_guard lock(mu_);
      --running_;
      in_flight_.erase(job.id);
      if (unwanted_.erase(job.id) == 0) {
        results_.insert_or_assign(job.id, Outcome{job.key, std::move(result)});
      } else {
        Untrack(job.key, job.id);
      }
    }
    if (options_.on_done) options_.on_done(job.key);
  }
}

}  // namespace spark_operator::controller
