// Pods -> application and executor states. Pure, so every mapping is unit-tested.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/kube/pod.h"

namespace spark_operator::controller {

struct DriverObservation {
  api::AppState state = api::AppState::kSubmitted;  // Pending pods keep the app SUBMITTED.
  std::optional<int> exit_code;                     // Of the driver container, once it terminated.
  std::string error_message;                        // For FAILED and UNKNOWN.
  std::string app_id;                               // spark-app-selector label.
  std::string node_name;
};

// What the driver pod says about the app: Pending -> SUBMITTED, Running -> RUNNING, Succeeded -> COMPLETED,
// Failed -> FAILED ("driver container exited with code N: <reason>"), Unknown -> UNKNOWN. A driver container that
// terminated while the pod still runs (a sidecar keeps it alive) decides on its own.
DriverObservation ObserveDriver(const kube::Pod& pod);

api::ExecutorState ObserveExecutor(const kube::Pod& pod);

// Executor pods of the app's current attempt: spark-role=executor and, when present, a matching
// submission-attempt label. Keyed by pod name.
std::map<std::string, api::ExecutorState> ObserveExecutors(const std::vector<kube::Pod>& pods, int attempt);

}  // namespace spark_operator::controller
