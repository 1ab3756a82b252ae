// The controller's Prometheus series, registered once on the manager's registry.
#pragma once

#include "common/metrics/metrics.h"

namespace spark_operator::controller {

struct ControllerMetrics {
  explicit ControllerMetrics(metrics::Registry& registry)
      : submitted(registry
                      .AddCounter("spark_operator_apps_submitted_total",
                                  "Applications whose spark-submit succeeded (or whose driver was adopted).")
                      .WithLabels({})),
        submission_failed(
            registry.AddCounter("spark_operator_apps_submission_failed_total", "spark-submit runs that failed.")
                .WithLabels({})),
        completed(
            registry
                .AddCounter("spark_operator_apps_completed_total", "Applications whose driver finished successfully.")
                .WithLabels({})),
        failed(registry
                   .AddCounter("spark_operator_apps_failed_total",
                               "Applications that ended FAILED (driver failure, invalid spec, no driver).")
                   .WithLabels({})),
        reruns(registry.AddCounter("spark_operator_apps_reruns_total", "Runs scheduled by a restart policy.")
                   .WithLabels({})),
        admission_queued(registry
                             .AddCounter("spark_operator_admission_queued_total",
                                         "Admission decisions that kept an application QUEUED, one per reconcile of "
                                         "a queued application.")
                             .WithLabels({})),
        submit_seconds(registry
                           .AddHistogram("spark_operator_spark_submit_duration_seconds",
                                         "Wall time of spark-submit runs.", {},
                                         {0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 20, 30, 60, 120})
                           .WithLabels({})),
        native_submit_seconds(registry
                                  .AddHistogram("spark_operator_native_submission_duration_seconds",
                                                "Wall time of native submissions: the driver pod's create, then "
                                                "its objects' creates.",
                                                {}, {0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10})
                                  .WithLabels({})) {}

  metrics::Counter& submitted;
  metrics::Counter& submission_failed;
  metrics::Counter& completed;
  metrics::Counter& failed;
  metrics::Counter& reruns;
  metrics::Counter& admission_queued;
  metrics::Histogram& submit_seconds;
  metrics::Histogram& native_submit_seconds;
};

}  // namespace spark_operator::controller
