// SparkApplication spec -> spark-submit command line, the way Spark's "Running on Kubernetes" documents each
// option. Pure: no I/O, so every field's mapping is unit-tested.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/base/status.h"
#include "controller/pod_template.h"
#include "controller/submit/process.h"

namespace spark_operator::controller {

struct SubmissionContext {
  std::string spark_submit;  // argv[0].
  std::string master;        // "k8s://https://host:port".
  int attempt = 1;           // Goes into the driver pod name and the submission-attempt label.
  // Confs that let spark-submit reach the API server (spark.kubernetes.authenticate.submission.*), added last.
  std::vector<std::string> auth_confs;
  // Pod templates the controller wrote (controller/pod_template.h), given to spark-submit after the user's
  // sparkConf so that they win, with the name of the Spark container in each; empty for none.
  std::string driver_pod_template;
  std::string driver_container;
  std::string executor_pod_template;
  std::string executor_container;
  // --ingress-url-format: with a path, the UI is served under it (spark.ui.proxyBase); the app's
  // spec.sparkUIOptions.ingressURLFormat overrides it.
  std::string ingress_url_format;
  // The spec's mounts, split once for the pod templates and the volume settings (PodTemplateFiles sets it);
  // BuildSubmitArgs splits them itself when null.
  std::shared_ptr<const SpecMounts> mounts;
};

// The full argv (argv[0] = context.spark_submit). Expects a defaulted, validated app. InvalidArgument when a
// quantity cannot be converted (Validate() rejects those first) or the mode is client, which would run the
// driver inside the controller.
Result<std::vector<std::string>> BuildSubmitArgs(const api::SparkApplication& app, const SubmissionContext& context);

// The line of spark-submit's output that says why it failed ("Exception in thread "main" ...: <reason>",
// else the last exception or ERROR line), or "" when there is none.
std::string SubmitFailureReason(const std::string& output);

// The status message of a failed run: why it failed, then the last of its output.
std::string SubmitFailureMessage(const Result<ProcessResult>& result);

// The Spark UI port of the app: spark.ui.port from sparkConf, else 4040.
int SparkUiPort(const api::SparkApplication& app);

// Where spec.monitoring.exposeDriverMetrics serves the driver's metrics, and the label a PodMonitor can select
// drivers that serve metrics by.
inline constexpr char kDriverMetricsPath[] = "/metrics/prometheus";
inline constexpr char kExecutorMetricsPath[] = "/metrics/executors/prometheus";
inline constexpr char kMetricsLabel[] = "spark-operator.k8s.io/metrics";

}  // namespace spark_operator::controller
