// The SparkApplication API the controller and webhook use: read an object from the API server, fill in
// defaults, check it, and write it (or its status) back. The fields themselves are in api/types.h.
//
// Typical use:
//   ASSIGN_OR_RETURN(api::SparkApplication app, api::ParseSparkApplication(object));
//   api::ApplyDefaults(app);
//   if (Status s = api::Validate(app); !s.ok()) { /* record s.message() in status.applicationState */ }
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "api/types.h"
#include "common/base/json.h"
#include "common/base/status.h"

namespace spark_operator::api {

// Reads a whole object: metadata (name, namespace, uid, resourceVersion, generation, timestamps, labels,
// annotations, finalizers), spec and status. The spec is read strictly: a wrong type, an unknown enum value or an
// unknown field is an error naming its path ("spec.driver.memory: expected a string, got a number"), and every
// such error is reported in one InvalidArgument message, joined by "; ". Unknown metadata and status fields are
// ignored, so a newer operator's status does not break an older one. apiVersion and kind, when present, must be
// spark-operator.k8s.io/v1alpha1 and SparkApplication.
Result<SparkApplication> ParseSparkApplication(const rapidjson::Value& object);
// One problem the strict reading of a spec finds: where ("spec.driver.env[0].valueFrom") and what
// ("unknown field").
struct FieldError {
  std::string path;
  std::string message;
};
// Every problem ParseSparkApplication would report about `spec`, one by one, paths starting at `path`: for tools
// that act on each, such as the kubeflow converter, which leaves out what this API does not have.
std::vector<FieldError> SpecFieldErrors(const rapidjson::Value& spec, const char* path = "spec");
// The status alone, as found under .status (lenient, as above).
Result<SparkApplicationStatus> ParseSparkApplicationStatus(const rapidjson::Value& status);

// common/json.h's ToJson(const rapidjson::Value&) -> std::string would otherwise be hidden inside this namespace.
using ::spark_operator::ToJson;

// The whole object with apiVersion and kind. Empty strings, lists, maps and unset optionals are left out;
// the status counters are always written.
rapidjson::Document ToJson(const SparkApplication& app);
// The value of .status. Fields left out are not cleared by a merge patch: replace the status through the
// status subresource (PUT .../status with ToJson(app)) rather than patching with this.
rapidjson::Document StatusToJson(const SparkApplicationStatus& status);

// Fills what the user left out, matching Spark's own defaults where Spark has one:
//   mode                         cluster
//   imagePullPolicy              IfNotPresent      (spark.kubernetes.container.image.pullPolicy)
//   driver.cores, executor.cores 1                 (spark.driver.cores, spark.executor.cores)
//   driver.memory, executor.memory 1g              (spark.driver.memory, spark.executor.memory)
//   executor.instances           1                 (Spark's is 2; one executor is enough for most jobs here)
//   secrets[].secretType         Generic
//   logs.executors               true
//   restartPolicy.type           Never
//   OnFailure: onFailureRetries 3, onSubmissionFailureRetries 3
//   OnFailure and Always: onFailureRetryInterval 5, onSubmissionFailureRetryInterval 5 (seconds)
// memoryOverhead, coreLimit and timeToLiveSeconds stay unset: unset means Spark's computed overhead, no CPU limit
// and never deleting the application. Idempotent.
void ApplyDefaults(SparkApplication& app);

// Checks the spec (after ApplyDefaults) and reports every problem at once in one InvalidArgument message,
// problems joined by "; ", each starting with the field's path. See api/fields.h for per-field rules; across
// fields: mainClass for Java and Scala, an image for both pods, pyFiles only for Python, coreLimit at least
// cores, distinct mount paths per pod, and retry settings only with a restart type that uses them.
Status Validate(const SparkApplication& app);

}  // namespace spark_operator::api
