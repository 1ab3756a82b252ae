#include "controller/logs/log_plan.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "common/base/json.h"
#include "controller/finalizers.h"
#include "controller/labels.h"

namespace spark_operator::controller::logs {
namespace {

bool Ended(const std::string& phase) { return phase == "Succeeded" || phase == "Failed"; }

bool Deleting(const rapidjson::Value& pod) { return !GetString(pod, {"metadata", "deletionTimestamp"}).empty(); }

PodLog Describe(const rapidjson::Value& pod) {
  PodLog out;
  out.name = NameOf(pod);
  out.uid = UidOf(pod);
  out.role = GetString(pod, {"metadata", "labels", kSparkRoleLabel});
  out.phase = GetString(pod, {"status", "phase"});
  std::map<std::string, int> exit_codes;
  if (const rapidjson::Value* statuses = FindPath(pod, {"status", "containerStatuses"});
      statuses != nullptr && statuses->IsArray()) {
    for (const rapidjson::Value& s : statuses->GetArray()) {
      if (const rapidjson::Value* code = FindPath(s, {"state", "terminated", "exitCode"}); code && code->IsInt()) {
        exit_codes[GetString(s, {"name"})] = code->GetInt();
      }
    }
  }
  if (const rapidjson::Value* containers = FindPath(pod, {"spec", "containers"});
      containers != nullptr && containers->IsArray()) {
    for (const rapidjson::Value& c : containers->GetArray()) {
      ContainerLog log{GetString(c, {"name"}), std::nullopt};
      if (log.name.empty()) continue;
      if (const auto it = exit_codes.find(log.name); it != exit_codes.end()) log.exit_code = it->second;
      out.containers.push_back(std::move(log));
    }
  }
  return out;
}

// When the pod visibly ended: the latest container finish, else its deletion.
std::optional<kube::WallTime> EndTime(const rapidjson::Value& pod) {
  std::optional<kube::WallTime> latest;
  if (const rapidjson::Value* statuses = FindPath(pod, {"status", "containerStatuses"});
      statuses != nullptr && statuses->IsArray()) {
    for (const rapidjson::Value& s : statuses->GetArray()) {
      const Result<kube::WallTime> t = kube::ParseTime(GetString(s, {"state", "terminated", "finishedAt"}));
      if (t.ok() && (!latest || *t > *latest)) latest = *t;
    }
  }
  if (latest) return latest;
  const Result<kube::WallTime> deleted = kube::ParseTime(GetString(pod, {"metadata", "deletionTimestamp"}));
  if (deleted.ok()) return *deleted;
  return std::nullopt;
}

}  // namespace

int AttemptOf(const rapidjson::Value& pod, int fallback) {
  const std::string label = GetString(pod, {"metadata", "labels", kAttemptLabel});
  const int attempt = std::atoi(label.c_str());
  return attempt > 0 ? attempt : fallback;
}

std::vector<const rapidjson::Value*> PodsToProtect(const std::vector<const rapidjson::Value*>& pods, bool executors) {
  std::vector<const rapidjson::Value*> out;
  for (const rapidjson::Value* pod : pods) {
    const std::string role = GetString(*pod, {"metadata", "labels", kSparkRoleLabel});
    if (role != "driver" && (role != "executor" || !executors)) continue;
    if (Deleting(*pod) || HasFinalizer(*pod, kLogsFinalizer)) continue;
    if (!GetString(*pod, {"metadata", "annotations", kLogsAnnotation}).empty()) continue;
    out.push_back(pod);
  }
  return out;
}

std::vector<AttemptLogs> OwedAttempts(const std::vector<const rapidjson::Value*>& pods, int current_attempt,
                                      bool app_deleting, kube::WallTime now, std::chrono::seconds executor_grace) {
  std::map<int, std::vector<const rapidjson::Value*>> by_attempt;
  std::map<int, bool> held;
  for (const rapidjson::Value* pod : pods) {
    const int attempt = AttemptOf(*pod, current_attempt);
    by_attempt[attempt].push_back(pod);
    if (HasFinalizer(*pod, kLogsFinalizer)) held[attempt] = true;
  }
  std::vector<AttemptLogs> out;
  for (const auto& [attempt, members] : by_attempt) {
    if (!held[attempt]) continue;
    AttemptLogs run;
    run.attempt = attempt;
    const rapidjson::Value* driver = nullptr;
    bool all_done = true;
    std::optional<kube::WallTime> last_end;
    for (const rapidjson::Value* pod : members) {
      const std::string role = GetString(*pod, {"metadata", "labels", kSparkRoleLabel});
      if (role == "driver") driver = pod;
      const std::string mark = GetString(*pod, {"metadata", "annotations", kLogsAnnotation});
      // A pod let go already belongs to the run when it was shipped (a copy that released only part of the run
      // is repeated whole, so the manifest lists every pod); one given up does not.
      if (!HasFinalizer(*pod, kLogsFinalizer) && mark != "shipped") continue;
      PodLog log = Describe(*pod);
      all_done = all_done && (Ended(log.phase) || Deleting(*pod) || !mark.empty());
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
    const bool driver_ended = driver == nullptr
                                  ? attempt < current_attempt || app_deleting
                                  : Ended(GetString(*driver, {"status", "phase"})) || Deleting(*driver) ||
                                        !GetString(*driver, {"metadata", "annotations", kLogsAnnotation}).empty();
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
