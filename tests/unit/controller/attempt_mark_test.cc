// The mark an app's next submission starts with: what the restart policy counts and where the next driver goes.
#include "controller/attempt_mark.h"

#include <catch2/catch.hpp>

namespace spark_operator::controller {
namespace {

TEST_CASE("an app's first mark names submission 1 and its driver pod") {
  const api::SparkApplicationStatus mark = NextAttemptMark({}, "pi", "2026-12-06T04:00:00Z");
  CHECK(mark.submission_attempts == 1);
  CHECK(mark.submission_number == 1);
  CHECK(mark.execution_attempts == 0);
  CHECK(mark.application_state.state == api::AppState::kNew);
  CHECK(mark.last_submission_attempt_time == "2026-12-06T04:00:00Z");
  CHECK(mark.driver_info.pod_name == "pi-1-driver");
  CHECK_FALSE(mark.observed_generation.has_value());  // The caller's, with the spec it read.
}

TEST_CASE("a retry's mark counts on, drops the last run and keeps its shipping logs") {
  api::SparkApplicationStatus failed;
  failed.app_id = "spark-123";
  failed.application_state = {api::AppState::kFailed, "driver exited 1"};
  failed.driver_info.pod_name = "pi-3-driver";
  failed.executor_state["pi-exec-1"] = api::ExecutorState::kFailed;
  failed.submission_attempts = 2;  // Of the current spec.
  failed.submission_number = 3;    // Across specs: names the pods, so no run reuses another's.
  failed.execution_attempts = 2;
  failed.termination_time = "2026-12-06T03:59:00Z";
  failed.observed_generation = 2;
  failed.logs.state = api::LogShippingState::kShipping;
  failed.logs.attempt = 3;

  const api::SparkApplicationStatus mark = NextAttemptMark(failed, "pi", "2026-12-06T04:00:00Z");
  CHECK(mark.submission_attempts == 3);
  CHECK(mark.submission_number == 4);
  CHECK(mark.driver_info.pod_name == "pi-4-driver");
  CHECK(mark.execution_attempts == 2);  // The restart policy's count outlives the run.
  CHECK(mark.logs == failed.logs);
  CHECK(mark.application_state.state == api::AppState::kNew);
  CHECK(mark.application_state.error_message.empty());
  CHECK(mark.app_id.empty());
  CHECK(mark.executor_state.empty());
  CHECK(mark.termination_time.empty());
  CHECK_FALSE(mark.observed_generation.has_value());
}

TEST_CASE("a status from before submission numbers counts on from its attempts") {
  api::SparkApplicationStatus old;
  old.submission_attempts = 2;
  const api::SparkApplicationStatus mark = NextAttemptMark(old, "pi", "2026-12-06T04:00:00Z");
  CHECK(mark.submission_number == 3);
  CHECK(mark.driver_info.pod_name == "pi-3-driver");
}

}  // namespace
}  // namespace spark_operator::controller
