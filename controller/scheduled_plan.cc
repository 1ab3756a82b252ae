#include "controller/scheduled_plan.h"

#include <algorithm>
#include <utility>

#include "common/kube/time_format.h"

namespace spark_operator::controller {
namespace {

// Bounds the walk over missed times ("* * * * *" after a year down is half a million); past it the run is for
// a slightly older missed time, which is harmless.
constexpr int kMaxMissedTimes = 1'000'000;

int64_t UnixSeconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool Succeeded(const std::optional<api::AppState>& state) { return state == api::AppState::kCompleted; }

// Finished runs of one kind, newest first: the first `limit` are kept (their names returned), the rest deleted.
std::vector<std::string> KeepNewest(const std::string& scheduled, std::vector<const ScheduledRun*> runs, int32_t limit,
                                    std::vector<std::string>& to_delete) {
  std::sort(runs.begin(), runs.end(), [&](const ScheduledRun* a, const ScheduledRun* b) {
    return RunUnixSeconds(scheduled, a->name).value_or(0) > RunUnixSeconds(scheduled, b->name).value_or(0);
  });
  std::vector<std::string> kept;
  for (const ScheduledRun* run : runs) {
    if (static_cast<int32_t>(kept.size()) < limit) {
      kept.push_back(run->name);
    } else {
      to_delete.push_back(run->name);
    }
  }
  return kept;
}

void PlanHistory(const api::ScheduledSparkApplication& scheduled, const std::vector<ScheduledRun>& runs,
                 SchedulePlan& plan) {
  std::vector<const ScheduledRun*> succeeded;
  std::vector<const ScheduledRun*> failed;
  for (const ScheduledRun& run : runs) {
    if (run.deleting || !RunFinished(run.state)) continue;
    (Succeeded(run.state) ? succeeded : failed).push_back(&run);
  }
  const std::string& name = scheduled.metadata.name;
  plan.status.past_successful_run_names =
      KeepNewest(name, succeeded, scheduled.spec.successful_run_history_limit.value_or(1), plan.delete_finished);
  plan.status.past_failed_run_names =
      KeepNewest(name, failed, scheduled.spec.failed_run_history_limit.value_or(1), plan.delete_finished);
}

// The run due at `time`, under the concurrency policy.
void PlanRun(const api::ScheduledSparkApplication& scheduled, const std::vector<ScheduledRun>& runs, WallTime time,
             SchedulePlan& plan) {
  const std::string name = RunName(scheduled.metadata.name, time);
  const bool exists = std::any_of(runs.begin(), runs.end(), [&](const ScheduledRun& r) { return r.name == name; });
  std::vector<std::string> unfinished;
  for (const ScheduledRun& run : runs) {
    if (!run.deleting && !RunFinished(run.state) && run.name != name) unfinished.push_back(run.name);
  }
  const std::string when = kube::FormatTime(time);
  if (!exists && !unfinished.empty()) {
    if (scheduled.spec.concurrency_policy == api::ConcurrencyPolicy::kForbid) {
      plan.events.push_back(
          {false, "ScheduledRunSkipped",
           "run for " + when + " skipped: " + unfinished.front() + " has not finished (concurrencyPolicy Forbid)"});
      return;
    }
    if (scheduled.spec.concurrency_policy == api::ConcurrencyPolicy::kReplace) {
      plan.delete_unfinished = unfinished;
      std::string names;
      for (const std::string& n : unfinished) names += (names.empty() ? "" : ", ") + n;
      plan.events.push_back(
          {false, "ScheduledRunReplaced", "deleting " + names + " (concurrencyPolicy Replace)", true});
    }
  }
  plan.status.last_run = when;
  plan.status.last_run_name = name;
  if (!exists) {
    plan.create = name;
    plan.events.push_back({false, "ScheduledRunCreated", "created SparkApplication " + name + " for " + when, true});
  }
}

}  // namespace

std::string RunName(const std::string& scheduled, WallTime time) {
  return scheduled + "-" + std::to_string(UnixSeconds(time));
}

std::optional<int64_t> RunUnixSeconds(const std::string& scheduled, const std::string& run) {
  if (run.size() <= scheduled.size() + 1 || run.compare(0, scheduled.size(), scheduled) != 0 ||
      run[scheduled.size()] != '-' || run.size() - scheduled.size() - 1 > 18) {
    return std::nullopt;
  }
  int64_t seconds = 0;
  for (size_t i = scheduled.size() + 1; i < run.size(); ++i) {
    if (run[i] < '0' || run[i] > '9') return std::nullopt;
    seconds = seconds * 10 + (run[i] - '0');
  }
  return seconds;
}

bool RunFinished(const std::optional<api::AppState>& state) {
  return state == api::AppState::kCompleted || state == api::AppState::kFailed ||
         state == api::AppState::kSubmissionFailed;
}

Result<CronSchedule> CheckScheduled(const api::ScheduledSparkApplication& scheduled, WallTime now) {
  std::string message;
  if (const Status valid = api::Validate(scheduled); !valid.ok()) message = valid.message();
  const auto add = [&message](const std::string& problem) { message += (message.empty() ? "" : "; ") + problem; };
  Result<CronSchedule> schedule = CronSchedule::Parse(scheduled.spec.schedule, scheduled.spec.time_zone);
  if (!schedule.ok()) {
    const std::string m = schedule.status().message();  // status() is a copy: keep the text, not a reference.
    const bool zone = m.rfind("unknown time zone", 0) == 0 || m.rfind("time zone", 0) == 0;
    add((zone ? "spec.timeZone: " : "spec.schedule: ") + schedule.status().message());
  } else if (!schedule->Next(now)) {
    add("spec.schedule: \"" + scheduled.spec.schedule + "\" never fires (no such date in the next five years)");
  }
  if (!message.empty()) return InvalidArgumentError(std::move(message));
  return schedule;
}

SchedulePlan PlanSchedule(const api::ScheduledSparkApplication& scheduled, const Result<CronSchedule>& schedule,
                          const std::vector<ScheduledRun>& runs, WallTime now) {
  const api::ScheduledSparkApplicationStatus& old = scheduled.status;
  SchedulePlan plan;
  plan.status = old;
  plan.status.observed_generation = scheduled.metadata.generation;
  PlanHistory(scheduled, runs, plan);

  if (!schedule.ok()) {
    plan.status.schedule_state = api::ScheduleState::kFailedValidation;
    plan.status.reason = schedule.status().message();
    plan.status.next_run.clear();
    if (old.schedule_state != api::ScheduleState::kFailedValidation || old.reason != plan.status.reason) {
      plan.events.push_back({true, "FailedValidation", plan.status.reason});
    }
    return plan;
  }
  plan.status.reason.clear();
  if (scheduled.spec.suspend) {
    plan.status.schedule_state = api::ScheduleState::kSuspended;
    plan.status.next_run.clear();
    return plan;  // Resuming is a spec change, which computes nextRun afresh.
  }
  plan.status.schedule_state = api::ScheduleState::kScheduled;

  const Result<WallTime> due = kube::ParseTime(old.next_run);
  const bool in_force = old.schedule_state == api::ScheduleState::kScheduled &&
                        old.observed_generation == scheduled.metadata.generation && due.ok();
  std::optional<WallTime> next;
  if (!in_force) {
    next = schedule->Next(now);
    if (old.schedule_state == api::ScheduleState::kFailedValidation) {
      plan.events.push_back(
          {false, "Scheduled",
           "the spec is valid again; next run at " + (next ? kube::FormatTime(*next) : std::string("never"))});
    }
  } else if (*due > now) {
    next = *due;
  } else {
    // The most recent time due: earlier ones missed while the controller was away are not run.
    WallTime time = *due;
    for (int i = 0; i < kMaxMissedTimes; ++i) {
      const std::optional<WallTime> after = schedule->Next(time);
      if (!after || *after > now) break;
      time = *after;
    }
    PlanRun(scheduled, runs, time, plan);
    next = schedule->Next(time);
  }
  plan.status.next_run = next ? kube::FormatTime(*next) : "";
  plan.requeue_at = next;
  return plan;
}

}  // namespace spark_operator::controller
