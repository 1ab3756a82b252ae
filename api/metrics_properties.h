// spec.monitoring.metricsProperties: the text of a Spark metrics.properties (kubeflow's field), turned into the
// spark.metrics.conf.<key> settings Spark reads from its configuration, so that no file has to reach the pods.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/status.h"

namespace spark_operator::api {

// key=value or key: value lines; blank lines and lines starting with # or ! are skipped. Line continuations and
// keys with spaces are refused (InvalidArgument naming the line) rather than read differently from Java.
Result<std::vector<std::pair<std::string, std::string>>> ParseMetricsProperties(std::string_view text);

}  // namespace spark_operator::api
