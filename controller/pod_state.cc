#include "controller/pod_state.h"

#include "api/mounts.h"
#include "common/base/json.h"
#include "controller/labels.h"

namespace spark_operator::controller {
namespace {

// The driver container's status, or the first container's when Spark's name is not there (pod templates may
// rename it).
const rapidjson::Value* DriverContainerStatus(const rapidjson::Value& pod) {
  const rapidjson::Value* statuses = FindPath(pod, {"status", "containerStatuses"});
  if (statuses == nullptr || !statuses->IsArray() || statuses->Empty()) return nullptr;
  for (const rapidjson::Value& s : statuses->GetArray()) {
    if (GetString(s, {"name"}) == api::kDriverContainerName) return &s;
  }
  return &(*statuses)[0];
}

std::string TerminatedMessage(const rapidjson::Value& terminated, int code) {
  std::string message = "driver container exited with code " + std::to_string(code);
  const std::string reason = GetString(terminated, {"reason"});
  const std::string detail = GetString(terminated, {"message"});
  if (!reason.empty()) message += " (" + reason + ")";
  if (!detail.empty()) message += ": " + detail;
  return message;
}

}  // namespace

DriverObservation ObserveDriver(const rapidjson::Value& pod) {
  DriverObservation out;
  out.app_id = GetString(pod, {"metadata", "labels", kSparkAppSelectorLabel});
  out.node_name = GetString(pod, {"spec", "nodeName"});
  const std::string phase = GetString(pod, {"status", "phase"});
  const rapidjson::Value* container = DriverContainerStatus(pod);
  const rapidjson::Value* terminated = container != nullptr ? FindPath(*container, {"state", "terminated"}) : nullptr;
  if (terminated != nullptr) out.exit_code = static_cast<int>(GetInt(*terminated, {"exitCode"}, -1));

  if (phase == "Succeeded" || (phase == "Running" && out.exit_code == 0)) {
    out.state = api::AppState::kCompleted;
  } else if (phase == "Failed" || (phase == "Running" && out.exit_code && *out.exit_code != 0)) {
    out.state = api::AppState::kFailed;
    if (terminated != nullptr) {
      out.error_message = TerminatedMessage(*terminated, *out.exit_code);
    } else {
      const std::string reason = GetString(pod, {"status", "reason"});
      const std::string message = GetString(pod, {"status", "message"});
      out.error_message =
          "driver pod failed" + (reason.empty() ? "" : " (" + reason + ")") + (message.empty() ? "" : ": " + message);
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

api::ExecutorState ObserveExecutor(const rapidjson::Value& pod) {
  const std::string phase = GetString(pod, {"status", "phase"});
  if (phase == "Pending") return api::ExecutorState::kPending;
  if (phase == "Running") return api::ExecutorState::kRunning;
  if (phase == "Succeeded") return api::ExecutorState::kCompleted;
  if (phase == "Failed") return api::ExecutorState::kFailed;
  return api::ExecutorState::kUnknown;
}

std::map<std::string, api::ExecutorState> ObserveExecutors(const std::vector<const rapidjson::Value*>& pods,
                                                           int attempt) {
  std::map<std::string, api::ExecutorState> out;
  for (const rapidjson::Value* pod : pods) {
    if (GetString(*pod, {"metadata", "labels", kSparkRoleLabel}) != "executor") continue;
    const std::string pod_attempt = GetString(*pod, {"metadata", "labels", kAttemptLabel});
    if (!pod_attempt.empty() && pod_attempt != std::to_string(attempt)) continue;
    out[NameOf(*pod)] = ObserveExecutor(*pod);
  }
  return out;
}

}  // namespace spark_operator::controller
