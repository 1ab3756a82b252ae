// What one reconcile of a ScheduledSparkApplication does, decided without the API server: from the object, its
// runs and the time, the run to create (if any), the runs to delete and the status to write. The controller
// (controller/scheduled_reconciler.h) reads the inputs from its caches and carries the plan out.
//
// The rules, which docs/scheduled-spark-application.md states for users:
//   - status.nextRun is computed from the spec of status.observedGeneration. When the generation changes (any
//     spec edit) or the schedule was not in force (new, FailedValidation, Suspended), it is computed afresh from
//     now: a new schedule applies from its next time, and nothing missed under the old one is started.
//   - When nextRun has come, the most recent scheduled time not after now is the run's time (one run, however
//     many were missed while the controller was down), and nextRun moves to the schedule's next time after it.
//   - A run is named <name>-<unix seconds of its time>. A run of that name already there (a restart after the
//     create and before the status write) is that run: nothing is created or deleted for it.
//   - Forbid skips the run while another is not finished; Replace deletes those, then creates it.
//   - Finished runs beyond the history limits are deleted, oldest first.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/scheduled_application.h"
#include "controller/cron.h"

namespace spark_operator::controller {

inline constexpr char kScheduledAppNameLabel[] = "spark-operator.k8s.io/scheduled-app-name";

// A run of the schedule, as the cache has it.
struct ScheduledRun {
  std::string name;
  std::optional<api::AppState> state;  // Unset: not picked up by the SparkApplication controller yet.
  bool deleting = false;               // deletionTimestamp set: gone as far as the schedule is concerned.
};

struct PlannedEvent {
  bool warning = false;
  std::string reason;
  std::string message;
  // Recorded once the plan's deletes and create are done, not after the status write: a retry after a lost
  // status write finds those done and does not plan them, or their Events, again.
  bool with_action = false;
};

struct SchedulePlan {
  api::ScheduledSparkApplicationStatus status;
  std::string create;                          // Name of the run to create; empty: none.
  std::vector<std::string> delete_unfinished;  // Replace: before the create.
  std::vector<std::string> delete_finished;    // Beyond the history limits.
  std::optional<WallTime> requeue_at;          // nextRun, when runs are scheduled.
  std::vector<PlannedEvent> events;
};

// `scheduled` after ApplyDefaults. The schedule, or why the spec is invalid (every problem, with paths): api's
// Validate, then the schedule and time zone; a schedule that never fires is invalid too.
Result<CronSchedule> CheckScheduled(const api::ScheduledSparkApplication& scheduled, WallTime now);

// `schedule` is CheckScheduled's result for `scheduled`; `runs` the runs it owns.
SchedulePlan PlanSchedule(const api::ScheduledSparkApplication& scheduled, const Result<CronSchedule>& schedule,
                          const std::vector<ScheduledRun>& runs, WallTime now);

// "<scheduled>-<unix seconds>", and back: the scheduled time of a run's name, nullopt when it is not one.
std::string RunName(const std::string& scheduled, WallTime time);
std::optional<int64_t> RunUnixSeconds(const std::string& scheduled, const std::string& run);

// COMPLETED, FAILED and SUBMISSION_FAILED.
bool RunFinished(const std::optional<api::AppState>& state);

}  // namespace spark_operator::controller
