// Reading, writing, defaulting and checking a ScheduledSparkApplication, through the visitors api/codec.cc and
// api/validate.cc instantiate for its structs.
#include <algorithm>
#include <string>
#include <vector>

#include "api/object_codec.h"
#include "api/scheduled_application.h"
#include "api/scheduled_fields.h"
#include "api/spark_application.h"

namespace spark_operator::api {
namespace {

// Validate(SparkApplication) names paths from "spec."; in a template they are under "spec.template.".
std::vector<std::string> TemplateProblems(const SparkApplicationSpec& spec) {
  SparkApplication app;
  app.spec = spec;
  ApplyDefaults(app);
  const Status status = Validate(app);
  std::vector<std::string> problems;
  if (status.ok()) return problems;
  const std::string& message = status.message();
  size_t start = 0;
  while (start <= message.size()) {
    // Problems are joined by "; ", and each starts with its path: split only where the next one begins.
    size_t end = message.find("; spec.", start);
    if (end == std::string::npos) end = message.size();
    // The problem's own path and the other fields it names ("... unless both spec.driver.image and ...").
    std::string problem = " " + message.substr(start, end - start);
    for (size_t at = problem.find(" spec."); at != std::string::npos; at = problem.find(" spec.", at + 1)) {
      problem.insert(at + 6, "template.");
    }
    problems.push_back(problem.substr(1));
    start = end + 2;
  }
  return problems;
}

}  // namespace

Result<ScheduledSparkApplication> ParseScheduledSparkApplication(const rapidjson::Value& object) {
  return internal::ParseObject<ScheduledSparkApplication>(object, kScheduledKind);
}

rapidjson::Document ScheduledToJson(const ScheduledSparkApplication& scheduled) {
  return internal::ObjectToJson(scheduled, kScheduledKind);
}

rapidjson::Document ScheduledStatusToJson(const ScheduledSparkApplicationStatus& status) {
  return internal::StatusDocument(status);
}

void ApplyDefaults(ScheduledSparkApplication& scheduled) {
  ScheduledSparkApplicationSpec& spec = scheduled.spec;
  if (spec.time_zone.empty()) spec.time_zone = kDefaultTimeZone;
  if (!spec.concurrency_policy) spec.concurrency_policy = ConcurrencyPolicy::kAllow;
  if (!spec.successful_run_history_limit) spec.successful_run_history_limit = kDefaultRunHistoryLimit;
  if (!spec.failed_run_history_limit) spec.failed_run_history_limit = kDefaultRunHistoryLimit;
}

Status Validate(const ScheduledSparkApplication& scheduled) {
  std::vector<std::string> problems;
  if (scheduled.metadata.name.size() > kMaxScheduledNameLength) {
    problems.push_back("metadata.name: at most " + std::to_string(kMaxScheduledNameLength) +
                       " characters, so that run names (<name>-<unix seconds>) fit in a label value");
  }
  internal::CheckFields("spec", scheduled.spec, problems);
  // The field rules of the template come from both; keep each problem once.
  for (std::string& p : TemplateProblems(scheduled.spec.template_)) {
    if (std::find(problems.begin(), problems.end(), p) == problems.end()) problems.push_back(std::move(p));
  }
  return internal::ProblemsStatus(problems);
}

}  // namespace spark_operator::api
