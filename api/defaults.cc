// ApplyDefaults: the table of defaults is documented in api/spark_application.h; keep the two in step.
#include "api/spark_application.h"

namespace spark_operator::api {
namespace {

constexpr double kDefaultCores = 1;
constexpr char kDefaultMemory[] = "1g";
constexpr int32_t kDefaultExecutorInstances = 1;
constexpr int32_t kDefaultRetries = 3;
constexpr int64_t kDefaultRetryIntervalSeconds = 5;

template <class T, class U>
void Default(std::optional<T>& field, U value) {
  if (!field) field = static_cast<T>(value);
}

void Default(std::string& field, const char* value) {
  if (field.empty()) field = value;
}

void DefaultPod(PodSpec& pod) {
  Default(pod.cores, kDefaultCores);
  Default(pod.memory, kDefaultMemory);
  for (SecretMount& secret : pod.secrets) Default(secret.secret_type, SecretType::kGeneric);
}

}  // namespace

void ApplyDefaults(SparkApplication& app) {
  SparkApplicationSpec& spec = app.spec;
  Default(spec.mode, DeployMode::kCluster);
  Default(spec.image_pull_policy, PullPolicy::kIfNotPresent);
  DefaultPod(spec.driver);
  DefaultPod(spec.executor);
  Default(spec.executor.instances, kDefaultExecutorInstances);
  Default(spec.logs.executors, true);

  RestartPolicy& restart = spec.restart_policy;
  Default(restart.type, RestartPolicyType::kNever);
  // Retry counts mean something only for OnFailure (Always retries without limit, Never not at all), so they
  // are not invented for the other types, where Validate() would reject them.
  if (*restart.type == RestartPolicyType::kOnFailure) {
    Default(restart.on_failure_retries, kDefaultRetries);
    Default(restart.on_submission_failure_retries, kDefaultRetries);
  }
  if (*restart.type != RestartPolicyType::kNever) {
    Default(restart.on_failure_retry_interval, kDefaultRetryIntervalSeconds);
    Default(restart.on_submission_failure_retry_interval, kDefaultRetryIntervalSeconds);
  }
}

}  // namespace spark_operator::api
