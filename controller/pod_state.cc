#include "controller/pod_state.h"

#include "api/mounts.h"
#include "controller/labels.h"

namespace spark_operator::controller {
namespace {

// The driver container's status, or the first container's when Spark's name is not there (pod templates may
// rename it).
const kube::ContainerStatus* DriverContainerStatus(const kube::Pod& pod) {
  if (pod.container_statuses.empty()) return nullptr;
  for (const kube::ContainerStatus& s : pod.container_statuses) {
    if (s.name == api::kDriverContainerName) return &s;
  }
  return &pod.container_statuses[0];
}

std::string TerminatedMessage(const kube::TerminatedState& terminated, int code) {
  std::string message = "driver container exited with code " + std::to_string(code);
  if (!terminated.reason.empty()) message += " (" + terminated.reason + ")";
  if (!terminated.message.empty()) message += ": " + terminated.message;
  return message;
}

}  // namespace

DriverObservation ObserveDriver(const kube::Pod& pod) {
  DriverObservation out;
  out.app_id = pod.meta.Label(kSparkAppSelectorLabel);
  out.node_name = pod.node_name;
  const std::string& phase = pod.phase;
  const kube::ContainerStatus* container = DriverContainerStatus(pod);
  const kube::TerminatedState* terminated =
      container != nullptr && container->terminated ? &*container->terminated : nullptr;
  if (terminated != nullptr) out.exit_code = terminated->exit_code.value_or(-1);

  if (phase == "Succeeded" || (phase == "Running" && out.exit_code == 0)) {
    out.state = api::AppState::kCompleted;
  } else if (phase == "Failed" || (phase == "Running" && out.exit_code && *out.exit_code != 0)) {
    out.state = api::AppState::kFailed;
    if (terminated != nullptr) {
      out.error_message = TerminatedMessage(*terminated, *out.exit_code);
    } else {
      out.error_message = "driver pod failed" + (pod.reason.empty() ? "" : " (" + pod.reason + ")") +
                          (pod.message.empty() ? "" : ": " + pod.message);
    }
  } else if (phase == "Running") {
    out.state = api::AppState::kRunning;
  } else if (phase == "Pending" || phase.empty()) {
    out.state = api::AppState::kSubmitted;
  } else {
    out.state = api::AppState::kUnknown;
    out.error_message = "driver pod phase is " + phase;
  }
  return out;
}

api::ExecutorState ObserveExecutor(const kube::Pod& pod) {
  const std::string& phase = pod.phase;
  if (phase == "Pending") return api::ExecutorState::kPending;
  if (phase == "Running") return api::ExecutorState::kRunning;
  if (phase == "Succeeded") return api::ExecutorState::kCompleted;
  if (phase == "Failed") return api::ExecutorState::kFailed;
  return api::ExecutorState::kUnknown;
}

std::map<std::string, api::ExecutorState> ObserveExecutors(const std::vector<kube::Pod>& pods, int attempt) {
  std::map<std::string, api::ExecutorState> out;
  for (const kube::Pod& pod : pods) {
    if (pod.meta.Label(kSparkRoleLabel) != "executor") continue;
    const std::string pod_attempt = pod.meta.Label(kAttemptLabel);
    if (!pod_attempt.empty() && pod_attempt != std::to_string(attempt)) continue;
    out[pod.meta.name] = ObserveExecutor(pod);
  }
  return out;
}

}  // namespace spark_operator::controller
