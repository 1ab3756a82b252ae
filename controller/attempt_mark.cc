#include "controller/attempt_mark.h"

#include <utility>

#include "controller/labels.h"

namespace spark_operator::controller {

api::SparkApplicationStatus NextAttemptMark(const api::SparkApplicationStatus& current, std::string_view app_name,
                                            std::string now) {
  api::SparkApplicationStatus mark;
  mark.execution_attempts = current.execution_attempts;
  mark.logs = current.logs;
  mark.submission_attempts = current.submission_attempts + 1;
  mark.submission_number = api::SubmissionNumber(current) + 1;
  mark.application_state.state = api::AppState::kNew;
  mark.last_submission_attempt_time = std::move(now);
  mark.driver_info.pod_name = DriverPodName(app_name, *mark.submission_number);
  return mark;
}

}  // namespace spark_operator::controller
