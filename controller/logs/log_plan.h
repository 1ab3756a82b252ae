// Which pods' logs are owed, and where they go: pure functions over the app's cached pods, unit-tested.
//
// A pod of a SparkApplication with a log destination carries the finalizer kLogsFinalizer from the time the
// controller first sees it until its logs are stored, so that nothing (Spark deleting its executors, the
// garbage collector, timeToLiveSeconds, kubectl delete) removes a pod whose log is still owed. The pods holding
// the finalizer are therefore the list of work: after a restart the controller needs nothing else.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/kube/pod.h"
#include "common/kube/time_format.h"

namespace spark_operator::controller::logs {

inline constexpr char kLogsFinalizer[] = "spark-operator.k8s.io/logs";
// Set on a pod when the finalizer goes: "shipped" or "lost". Such a pod is not held again.
inline constexpr char kLogsAnnotation[] = "spark-operator.k8s.io/logs";

struct ContainerLog {
  std::string name;
  std::optional<int> exit_code;  // Once the container terminated.
};

struct PodLog {
  std::string name;
  std::string uid;
  std::string role;  // "driver" or "executor".
  std::string phase;
  std::vector<ContainerLog> containers;
};

// The pods of one run whose logs are owed.
struct AttemptLogs {
  int attempt = 0;
  std::vector<PodLog> pods;  // The driver first, then executors by name.
  // Every pod has ended or is being deleted, or the driver ended longer than the executor grace ago: the logs
  // are complete and can be copied.
  bool ready = false;
  // When the run's end was first visible (driver's container finish, else a deletion): the shipping timeout
  // counts from here. Unset while the run goes on.
  std::optional<kube::WallTime> ended_at;
};

// The attempt a pod belongs to: its submission-attempt label, else `fallback` (a driver the user submitted).
int AttemptOf(const kube::Pod& pod, int fallback);

// Pods among `pods` (the app's, from the cache) that should carry the finalizer and do not yet: drivers, and
// executors unless `executors` is false; not those already being deleted (no finalizer can be added then), nor
// those whose logs were shipped or given up (kLogsAnnotation).
std::vector<const kube::Pod*> PodsToProtect(const std::vector<kube::Pod>& pods, bool executors);

// The runs with pods holding the finalizer, oldest first. A run whose driver is gone counts as ended when a later
// run exists or the app is being deleted; its pods still have to end (the keeper deletes them) to be ready.
std::vector<AttemptLogs> OwedAttempts(const std::vector<kube::Pod>& pods, int current_attempt, bool app_deleting,
                                      kube::WallTime now, std::chrono::seconds executor_grace);

// "<namespace>/<app>/<run>-<uid>/<pod>/<container>.log" and ".../<run>-<uid>/manifest.json", relative to the
// destination's prefix: <run> is the submission number (status.submissionNumber, which a spec change does not
// start again) and <uid> the first 8 characters of the app's UID, so that an app deleted and created again under
// its name does not replace the earlier one's logs either.
std::string RunDir(const std::string& app_uid, int attempt);
std::string LogObjectKey(const std::string& ns, const std::string& app, const std::string& app_uid, int attempt,
                         const std::string& pod, const std::string& container);
std::string ManifestKey(const std::string& ns, const std::string& app, const std::string& app_uid, int attempt);

}  // namespace spark_operator::controller::logs
