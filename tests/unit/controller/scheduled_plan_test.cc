#include "controller/scheduled_plan.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/kube/time_format.h"
#include "tests/unit/controller/wall_time.h"

namespace spark_operator::controller {
namespace {

using testing::At;

api::ScheduledSparkApplication Scheduled(const std::string& schedule) {
  api::ScheduledSparkApplication s;
  s.metadata.name = "nightly";
  s.metadata.generation = 1;
  s.spec.schedule = schedule;
  s.spec.template_.type = api::AppType::kScala;
  s.spec.template_.main_class = "org.apache.spark.examples.SparkPi";
  s.spec.template_.main_application_file = "local:///opt/spark/examples/jars/spark-examples.jar";
  s.spec.template_.image = "apache/spark:4.2.0";
  api::ApplyDefaults(s);
  return s;
}

SchedulePlan Plan(const api::ScheduledSparkApplication& s, const std::vector<ScheduledRun>& runs,
                  const std::string& now) {
  return PlanSchedule(s, CheckScheduled(s, At(now)), runs, At(now));
}

// The status after a plan, as the next reconcile reads it.
void Apply(api::ScheduledSparkApplication& s, const SchedulePlan& plan) { s.status = plan.status; }

TEST_CASE("scheduled plan: the first reconcile schedules the next time and starts nothing") {
  api::ScheduledSparkApplication s = Scheduled("0 * * * *");
  const SchedulePlan plan = Plan(s, {}, "2024-03-01T10:20:00Z");
  CHECK(plan.create.empty());
  CHECK(plan.status.schedule_state == api::ScheduleState::kScheduled);
  CHECK(plan.status.next_run == "2024-03-01T11:00:00Z");
  CHECK(plan.status.observed_generation == 1);
  REQUIRE(plan.requeue_at);
  CHECK(*plan.requeue_at == At("2024-03-01T11:00:00Z"));
}

TEST_CASE("scheduled plan: a due run is named by its unix time and the next one scheduled from it") {
  api::ScheduledSparkApplication s = Scheduled("0 * * * *");
  Apply(s, Plan(s, {}, "2024-03-01T10:20:00Z"));
  const SchedulePlan plan = Plan(s, {}, "2024-03-01T11:00:00.3Z");
  CHECK(plan.create == "nightly-1709290800");
  CHECK(plan.status.last_run == "2024-03-01T11:00:00Z");
  CHECK(plan.status.last_run_name == "nightly-1709290800");
  CHECK(plan.status.next_run == "2024-03-01T12:00:00Z");
  CHECK(plan.events.at(0).reason == "ScheduledRunCreated");
}

TEST_CASE("scheduled plan: after downtime only the most recent missed time runs") {
  api::ScheduledSparkApplication s = Scheduled("0 * * * *");
  Apply(s, Plan(s, {}, "2024-03-01T10:20:00Z"));
  const SchedulePlan plan = Plan(s, {}, "2024-03-01T15:30:00Z");
  CHECK(plan.create == RunName("nightly", At("2024-03-01T15:00:00Z")));
  CHECK(plan.status.next_run == "2024-03-01T16:00:00Z");
}

TEST_CASE("scheduled plan: a run already there is that run, nothing is created or replaced") {
  api::ScheduledSparkApplication s = Scheduled("0 * * * *");
  s.spec.concurrency_policy = api::ConcurrencyPolicy::kReplace;
  Apply(s, Plan(s, {}, "2024-03-01T10:20:00Z"));
  const SchedulePlan plan = Plan(s, {{"nightly-1709290800", api::AppState::kRunning, false}}, "2024-03-01T11:00:05Z");
  CHECK(plan.create.empty());
  CHECK(plan.delete_unfinished.empty());
  CHECK(plan.status.last_run_name == "nightly-1709290800");
  CHECK(plan.status.next_run == "2024-03-01T12:00:00Z");
}

TEST_CASE("scheduled plan: Forbid skips while a run is unfinished, Replace deletes it, Allow runs both") {
  api::ScheduledSparkApplication s = Scheduled("0 * * * *");
  Apply(s, Plan(s, {}, "2024-03-01T10:20:00Z"));
  const std::vector<ScheduledRun> running{{"nightly-1709287200", api::AppState::kRunning, false}};

  s.spec.concurrency_policy = api::ConcurrencyPolicy::kForbid;
  SchedulePlan plan = Plan(s, running, "2024-03-01T11:00:00Z");
  CHECK(plan.create.empty());
  CHECK(plan.status.next_run == "2024-03-01T12:00:00Z");
  CHECK(plan.events.at(0).reason == "ScheduledRunSkipped");
  // Unset state (not picked up yet) is not finished either; a finished one does not block.
  CHECK(Plan(s, {{"nightly-1709287200", std::nullopt, false}}, "2024-03-01T11:00:00Z").create.empty());
  CHECK(Plan(s, {{"nightly-1709287200", api::AppState::kSubmissionFailed, false}}, "2024-03-01T11:00:00Z").create ==
        "nightly-1709290800");

  s.spec.concurrency_policy = api::ConcurrencyPolicy::kReplace;
  plan = Plan(s, running, "2024-03-01T11:00:00Z");
  CHECK(plan.delete_unfinished == std::vector<std::string>{"nightly-1709287200"});
  CHECK(plan.create == "nightly-1709290800");

  s.spec.concurrency_policy = api::ConcurrencyPolicy::kAllow;
  plan = Plan(s, running, "2024-03-01T11:00:00Z");
  CHECK(plan.delete_unfinished.empty());
  CHECK(plan.create == "nightly-1709290800");
}

// CI once lost the Replaced Event: the status write after the delete and create conflicted, and the retry,
// seeing the new run and the old one deleting, planned neither again.
TEST_CASE("scheduled plan: the Events of deletes and creates go with them, not with the status write") {
  api::ScheduledSparkApplication s = Scheduled("0 * * * *");
  s.spec.concurrency_policy = api::ConcurrencyPolicy::kReplace;
  Apply(s, Plan(s, {}, "2024-03-01T10:20:00Z"));
  const SchedulePlan first = Plan(s, {{"nightly-1709287200", api::AppState::kRunning, false}}, "2024-03-01T11:00:00Z");
  REQUIRE(first.events.size() == 2);
  CHECK(first.events[0].reason == "ScheduledRunReplaced");
  CHECK(first.events[1].reason == "ScheduledRunCreated");
  CHECK(first.events[0].with_action);
  CHECK(first.events[1].with_action);

  const SchedulePlan retry =
      Plan(s, {{"nightly-1709287200", api::AppState::kRunning, true}, {"nightly-1709290800", std::nullopt, false}},
           "2024-03-01T11:00:01Z");
  CHECK(retry.delete_unfinished.empty());
  CHECK(retry.create.empty());
  CHECK(retry.events.empty());
  CHECK(retry.status.last_run_name == "nightly-1709290800");
}

TEST_CASE("scheduled plan: finished runs beyond the limits are deleted oldest first") {
  api::ScheduledSparkApplication s = Scheduled("0 * * * *");
  s.spec.successful_run_history_limit = 2;
  s.spec.failed_run_history_limit = 0;
  const std::vector<ScheduledRun> runs{
      {"nightly-100", api::AppState::kCompleted, false}, {"nightly-300", api::AppState::kCompleted, false},
      {"nightly-200", api::AppState::kCompleted, false}, {"nightly-250", api::AppState::kFailed, false},
      {"nightly-400", api::AppState::kRunning, false},   {"nightly-50", api::AppState::kCompleted, true}};
  const SchedulePlan plan = Plan(s, runs, "2024-03-01T10:20:00Z");
  CHECK(plan.status.past_successful_run_names == std::vector<std::string>{"nightly-300", "nightly-200"});
  CHECK(plan.status.past_failed_run_names.empty());
  CHECK(plan.delete_finished == std::vector<std::string>{"nightly-100", "nightly-250"});
}

TEST_CASE("scheduled plan: a spec change recomputes nextRun from the new schedule, missing nothing old") {
  api::ScheduledSparkApplication s = Scheduled("0 0 * * *");
  Apply(s, Plan(s, {}, "2024-03-01T10:20:00Z"));
  CHECK(s.status.next_run == "2024-03-02T00:00:00Z");
  s.spec.schedule = "*/30 * * * *";
  s.metadata.generation = 2;
  const SchedulePlan plan = Plan(s, {}, "2024-03-01T10:40:00Z");
  CHECK(plan.create.empty());
  CHECK(plan.status.next_run == "2024-03-01T11:00:00Z");
  CHECK(plan.status.observed_generation == 2);
}

TEST_CASE("scheduled plan: an invalid spec fails validation once, and recovers when fixed") {
  api::ScheduledSparkApplication s = Scheduled("0 25 * * *");
  s.spec.template_.main_class.clear();
  SchedulePlan plan = Plan(s, {}, "2024-03-01T10:20:00Z");
  CHECK(plan.status.schedule_state == api::ScheduleState::kFailedValidation);
  CHECK(plan.status.reason ==
        "spec.template.mainClass: required for Scala applications; spec.schedule: hour field \"25\": 25 is out of "
        "range 0-23");
  CHECK(plan.status.next_run.empty());
  CHECK_FALSE(plan.requeue_at);
  REQUIRE(plan.events.size() == 1);
  CHECK(plan.events[0].warning);
  CHECK(plan.events[0].reason == "FailedValidation");
  Apply(s, plan);
  CHECK(Plan(s, {}, "2024-03-01T10:21:00Z").events.empty());  // No new Event for the same problem.

  s.spec.schedule = "0 12 * * *";
  s.spec.template_.main_class = "org.apache.spark.examples.SparkPi";
  s.metadata.generation = 2;
  plan = Plan(s, {}, "2024-03-01T10:22:00Z");
  CHECK(plan.status.schedule_state == api::ScheduleState::kScheduled);
  CHECK(plan.status.reason.empty());
  CHECK(plan.status.next_run == "2024-03-01T12:00:00Z");
  CHECK(plan.events.at(0).reason == "Scheduled");
  // A bad time zone and a schedule that never fires are invalid too.
  s.spec.time_zone = "Nowhere/Else";
  CHECK(Plan(s, {}, "2024-03-01T10:22:00Z").status.reason.substr(0, 33) == "spec.timeZone: unknown time zone ");
  s.spec.time_zone = "UTC";
  s.spec.schedule = "0 0 31 2 *";
  CHECK(Plan(s, {}, "2024-03-01T10:22:00Z").status.reason ==
        "spec.schedule: \"0 0 31 2 *\" never fires (no such "
        "date in the next five years)");
}

TEST_CASE("scheduled plan: suspended, no runs and no nextRun, and resuming starts from the next time") {
  api::ScheduledSparkApplication s = Scheduled("0 * * * *");
  Apply(s, Plan(s, {}, "2024-03-01T10:20:00Z"));
  s.spec.suspend = true;
  s.metadata.generation = 2;
  SchedulePlan plan = Plan(s, {}, "2024-03-01T11:00:00Z");
  CHECK(plan.create.empty());
  CHECK(plan.status.schedule_state == api::ScheduleState::kSuspended);
  CHECK(plan.status.next_run.empty());
  CHECK_FALSE(plan.requeue_at);
  Apply(s, plan);
  s.spec.suspend = false;
  s.metadata.generation = 3;
  plan = Plan(s, {}, "2024-03-01T13:30:00Z");
  CHECK(plan.create.empty());
  CHECK(plan.status.next_run == "2024-03-01T14:00:00Z");
}

TEST_CASE("run names round-trip their scheduled time") {
  CHECK(RunName("a", At("2024-03-01T11:00:00Z")) == "a-1709290800");
  CHECK(RunUnixSeconds("a", "a-1709290800") == 1709290800);
  CHECK_FALSE(RunUnixSeconds("a", "ab-1"));
  CHECK_FALSE(RunUnixSeconds("a", "a-"));
  CHECK_FALSE(RunUnixSeconds("a", "a-12x"));
}

}  // namespace
}  // namespace spark_operator::controller
