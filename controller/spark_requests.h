// What Spark's own containers of an application request, read from the settings spark-submit is given
// (controller/submit/submission.h) and computed as Spark computes them, so that the user's sparkConf counts exactly
// where it reaches the pods: spark.<role>.memoryOverhead, spark.<role>.memoryOverheadFactor,
// spark.kubernetes.memoryOverheadFactor, spark.<role>.minMemoryOverhead, off-heap and PySpark memory, and
// dynamic allocation. Settings the spec always sets after defaulting (memory by --driver-memory and
// --executor-memory, which win over --conf; cores, request cores and instances by a later --conf) win over the
// same keys in sparkConf, as they do in spark-submit.
#pragma once

#include <cstdint>

#include "api/types.h"

namespace spark_operator::controller {

struct SparkContainerRequest {
  int64_t cpu_millis = 0;
  int64_t memory_mib = 0;
};

struct SparkRequests {
  SparkContainerRequest driver;    // BasicDriverFeatureStep.
  SparkContainerRequest executor;  // BasicExecutorFeatureStep with ResourceProfile's default profile.
  // Executors at start: spark.executor.instances (default 2), or with dynamic allocation the largest of
  // minExecutors, initialExecutors and spark.executor.instances.
  int64_t executors = 0;
};

// Expects a defaulted application. A setting Spark would refuse counts as its default (such an app fails at
// submission and holds nothing).
SparkRequests ComputeSparkRequests(const api::SparkApplication& app);

}  // namespace spark_operator::controller
