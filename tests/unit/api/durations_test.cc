// Every duration a user sets has an upper bound in Validate() and in the published schema, so that no value
// reaches the controller's time arithmetic near overflow.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "api/fields.h"
#include "api/spark_application.h"
#include "common/base/json.h"
#include "tests/support/spark_app.h"
#include "tools/crdgen/crd.h"

namespace spark_operator::api {
namespace {

SparkApplication OnFailureApp() {
  SparkApplication app = testing::PiApp();
  app.spec.restart_policy.type = RestartPolicyType::kOnFailure;
  ApplyDefaults(app);
  return app;
}

TEST_CASE("retry intervals and timeToLiveSeconds above their maximum are rejected, the maximum itself is not") {
  SparkApplication app = OnFailureApp();
  app.spec.restart_policy.on_failure_retry_interval = kMaxRetryIntervalSeconds;
  app.spec.restart_policy.on_submission_failure_retry_interval = kMaxRetryIntervalSeconds;
  app.spec.time_to_live_seconds = kMaxTimeToLiveSeconds;
  CHECK(Validate(app).ok());

  app.spec.restart_policy.on_failure_retry_interval = kMaxRetryIntervalSeconds + 1;
  app.spec.restart_policy.on_submission_failure_retry_interval = INT64_MAX;
  app.spec.time_to_live_seconds = INT64_MAX;
  const Status status = Validate(app);
  REQUIRE_FALSE(status.ok());
  const std::string max_interval = std::to_string(kMaxRetryIntervalSeconds);
  CHECK_THAT(status.message(),
             Catch::Contains("spec.restartPolicy.onFailureRetryInterval: must be at most " + max_interval));
  CHECK_THAT(status.message(), Catch::Contains("spec.restartPolicy.onSubmissionFailureRetryInterval: must be at "
                                               "most " +
                                               max_interval));
  CHECK_THAT(status.message(),
             Catch::Contains("spec.timeToLiveSeconds: must be at most " + std::to_string(kMaxTimeToLiveSeconds)));
}

TEST_CASE("the CRD schema gives every duration its maximum, so the API server refuses larger values") {
  const rapidjson::Document crd = SparkApplicationCrd();
  const rapidjson::Value& spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"];
  CHECK(GetInt(spec, {"properties", "timeToLiveSeconds", "maximum"}) == kMaxTimeToLiveSeconds);
  CHECK(GetInt(spec, {"properties", "restartPolicy", "properties", "onFailureRetryInterval", "maximum"}) ==
        kMaxRetryIntervalSeconds);
  CHECK(GetInt(spec, {"properties", "restartPolicy", "properties", "onSubmissionFailureRetryInterval", "maximum"}) ==
        kMaxRetryIntervalSeconds);
}

}  // namespace
}  // namespace spark_operator::api
