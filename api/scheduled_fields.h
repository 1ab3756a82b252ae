// The one description of every ScheduledSparkApplication field, as api/fields.h is for the SparkApplication:
// parsing, serialization, validation, the CRD schema and docs/scheduled-spark-application.md are all visitors
// over these functions. spec.template is a SparkApplicationSpec visited by api/fields.h's own VisitFields, so
// every field a SparkApplication gets is in the template at once.
#pragma once

#include "api/fields.h"
#include "api/scheduled_types.h"

namespace spark_operator::api {

// Runs are named <name>-<unix seconds>, and a run's name is a label value (63 characters) on its pods.
inline constexpr size_t kMaxScheduledNameLength = 52;

SO_API_FIELDS(ScheduledSparkApplicationSpec) {
  v.Field("schedule", s.schedule,
          {.description = "When to run: five cron fields (minute hour day-of-month month day-of-week; ranges a-b, "
                          "lists a,b, steps */s, month and weekday names), a descriptor (@yearly, @annually, "
                          "@monthly, @weekly, @daily, @midnight, @hourly) or @every <duration> (Go form: 90s, "
                          "1h30m). With both day fields restricted, a day matches when either does.",
           .required = true});
  v.Field("timeZone", s.time_zone,
          {.description = "IANA time zone the cron fields are read in, e.g. Europe/Berlin. A local time the "
                          "clocks skip runs when the gap ends; one they repeat runs at its first occurrence. "
                          "Defaults to UTC."});
  v.Field("template", s.template_,
          {.description = "The spec of each run: a SparkApplication named <name>-<unix seconds of the scheduled "
                          "time>, owned by this object.",
           .required = true});
  v.Field("concurrencyPolicy", s.concurrency_policy,
          {.description = "When a run is due and the previous one has not finished: Allow starts it anyway, "
                          "Forbid skips it, Replace deletes the running one first. Defaults to Allow."});
  v.Field("suspend", s.suspend,
          {.description = "True: no new runs; runs already started go on. Resuming runs from the next scheduled "
                          "time, never the ones missed meanwhile. Defaults to false."});
  v.Field("successfulRunHistoryLimit", s.successful_run_history_limit,
          {.description = "Completed runs kept; older ones are deleted. Defaults to 1.", .minimum = 0});
  v.Field("failedRunHistoryLimit", s.failed_run_history_limit,
          {.description = "Failed runs kept; older ones are deleted. Defaults to 1.", .minimum = 0});
}

SO_API_FIELDS(ScheduledSparkApplicationStatus) {
  v.Field("scheduleState", s.schedule_state,
          {.description = "Scheduled, Suspended, or FailedValidation (the spec is invalid: reason says why; runs "
                          "start again once it is fixed)."});
  v.Field("reason", s.reason, {.description = "Why the schedule is not Scheduled."});
  v.Field("lastRun", s.last_run,
          {.description = "The scheduled time of the last run started.", .check = Check::kDateTime});
  v.Field("nextRun", s.next_run, {.description = "When the next run is due.", .check = Check::kDateTime});
  v.Field("lastRunName", s.last_run_name, {.description = "The SparkApplication of the last run."});
  v.Field("pastSuccessfulRunNames", s.past_successful_run_names,
          {.description = "Completed runs still kept, newest first."});
  v.Field("pastFailedRunNames", s.past_failed_run_names, {.description = "Failed runs still kept, newest first."});
  v.Field("observedGeneration", s.observed_generation,
          {.description = "metadata.generation of the spec nextRun was computed from."});
}

}  // namespace spark_operator::api
