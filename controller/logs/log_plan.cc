#include "controller/logs/log_plan.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "controller/labels.h"

namespace spark_operator::controller::logs {
namespace {

bool Ended(const std::string& phase) { return phase == "Succeeded" || phase == "Failed"; }

PodLog Describe(const kube::Pod& pod) {
  PodLog out;
  out.name = pod.meta.name;
  out.uid = pod.meta.uid;
  out.role = pod.meta.Label(kSparkRoleLabel);
  out.phase = pod.phase;
  std::map<std::string, int> exit_codes;
  for (const kube::ContainerStatus& s : pod.container_statuses) {
    if (s.terminated && s.terminated->exit_code) exit_codes[s.name] = *s.terminated->exit_code;
  }
  for (const kube::Container& c : pod.containers) {
    ContainerLog log{c.name, std::nullopt};
    if (log.name.empty()) continue;
    if (const auto it = exit_codes.find(log.name); it != exit_codes.end()) log.exit_code = it->second;
    out.containers.push_back(std::move(log));
  }
  return out;
}

// When the pod visibly ended: the latest container finish, else its deletion.
std::optional<kube::WallTime> EndTime(const kube::Pod& pod) {
  std::optional<kube::WallTime> latest;
  for (const kube::ContainerStatus& s : pod.container_statuses) {
    const Result<kube::WallTime> t = kube::ParseTime(s.terminated ? s.terminated->finished_at : "");
    if (t.ok() && (!latest || *t > *latest)) latest = *t;
  }
  if (latest) return latest;
  const Result<kube::WallTime> deleted = kube::ParseTime(pod.meta.deletion_timestamp);
  if (deleted.ok()) return *deleted;
  return std::nullopt;
}

}  // namespace

int AttemptOf(const kube::Pod& pod, int fallback) {
  const std::string label = pod.meta.Label(kAttemptLabel);
  const int attempt = std::atoi(label.c_str());
  return attempt > 0 ? attempt : fallback;
}

std::vector<const kube::Pod*> PodsToProtect(const std::vector<kube::Pod>& pods, bool executors) {
  std::vector<const kube::Pod*> out;
  for (const kube::Pod& pod : pods) {
    const std::string role = pod.meta.Label(kSparkRoleLabel);
    if (role != "driver" && (role != "executor" || !executors)) continue;
    if (pod.meta.Deleting() || pod.meta.HasFinalizer(kLogsFinalizer)) continue;
    if (!pod.meta.Annotation(kLogsAnnotation).empty()) continue;
    out.push_back(&pod);
  }
  return out;
}

std::vector<AttemptLogs> OwedAttempts(const std::vector<kube::Pod>& pods, int current_attempt, bool app_deleting,
                                      kube::WallTime now, std::chrono::seconds executor_grace) {
  std::map<int, std::vector<const kube::Pod*>> by_attempt;
  std::map<int, bool> held;
  for (const kube::Pod& pod : pods) {
    const int attempt = AttemptOf(pod, current_attempt);
    by_attempt[attempt].push_back(&pod);
    if (pod.meta.HasFinalizer(kLogsFinalizer)) held[attempt] = true;
  }
  std::vector<AttemptLogs> out;
  for (const auto& [attempt, members] : by_attempt) {
    if (!held[attempt]) continue;
    AttemptLogs run;
    run.attempt = attempt;
    const kube::Pod* driver = nullptr;
    bool all_done = true;
    std::optional<kube::WallTime> last_end;
    for (const kube::Pod* pod : members) {
      if (pod->meta.Label(kSparkRoleLabel) == "driver") driver = pod;
      const std::string mark = pod->meta.Annotation(kLogsAnnotation);
      // A pod let go already belongs to the run when it was shipped (a copy that released only part of the run
      // is repeated whole, so the manifest lists every pod); one given up does not.
      if (!pod->meta.HasFinalizer(kLogsFinalizer) && mark != "shipped") continue;
      PodLog log = Describe(*pod);
      all_done = all_done && (Ended(log.phase) || pod->meta.Deleting() || !mark.empty());
      if (const std::optional<kube::WallTime> end = EndTime(*pod); end && (!last_end || *end > *last_end)) {
        last_end = end;
      }
      run.pods.push_back(std::move(log));
    }
    std::stable_sort(run.pods.begin(), run.pods.end(), [](const PodLog& a, const PodLog& b) {
      return (a.role == "driver") != (b.role == "driver") ? a.role == "driver" : a.name < b.name;
    });
    // A run has ended when its driver has (or is gone: deleted, or superseded by a later attempt), or when every
    // pod it holds has.
    const bool driver_ended = driver == nullptr ? attempt < current_attempt || app_deleting
                                                : Ended(driver->phase) || driver->meta.Deleting() ||
                                                      !driver->meta.Annotation(kLogsAnnotation).empty();
    if (!driver_ended && !all_done) {
      out.push_back(std::move(run));
      continue;
    }
    if (driver != nullptr && driver_ended) run.ended_at = EndTime(*driver);
    if (!run.ended_at) run.ended_at = last_end ? *last_end : now;
    // Executors still running when their driver ended are being stopped by Spark; their logs are complete once
    // they end, or after the grace.
    run.ready = all_done || now - *run.ended_at >= executor_grace;
    out.push_back(std::move(run));
  }
  return out;
}

std::string RunDir(const std::string& app_uid, int attempt) {
  return std::to_string(attempt) + "-" + app_uid.substr(0, 8);
}

std::string LogObjectKey(const std::string& ns, const std::string& app, const std::string& app_uid, int attempt,
                         const std::string& pod, const std::string& container) {
  return ns + "/" + app + "/" + RunDir(app_uid, attempt) + "/" + pod + "/" + container + ".log";
}

std::string ManifestKey(const std::string& ns, const std::string& app, const std::string& app_uid, int attempt) {
  return ns + "/" + app + "/" + RunDir(app_uid, attempt) + "/manifest.json";
}

}  // namespace spark_operator::controller::logs
