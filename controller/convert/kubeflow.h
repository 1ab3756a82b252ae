// Converting kubeflow spark-operator objects (sparkoperator.k8s.io/v1beta2 SparkApplication and
// ScheduledSparkApplication) into this project's (spark-operator.k8s.io/v1alpha1). Pure functions: YAML text in,
// YAML text and a list of what was left out, out; `spark-operator-controller convert` (command.h) is the CLI.
//
// How: this API kept kubeflow's field names wherever there was no reason to differ, so each document is copied,
// its apiVersion changed, the few known differences reshaped (kKnownReshapes in kubeflow.cc, each with its
// reason), and then this project's own strict parser (api::SpecFieldErrors) says which fields it does not know;
// those are removed and reported. The converter therefore carries every field the API has, including fields added
// after it was written.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace spark_operator::controller::convert {

inline constexpr char kKubeflowApiVersion[] = "sparkoperator.k8s.io/v1beta2";
// Far more than any hand-written manifest, small enough that a mistaken input (a log file, a binary) is refused
// before YAML parsing holds it several times over in memory.
inline constexpr size_t kMaxInputBytes = 8 << 20;

// One field of the input the output does not carry.
struct Finding {
  enum class Severity {
    kDropped,  // The behaviour it asked for is lost; `--strict` fails on it.
    kNote,     // Left out with nothing lost (the API server's metadata, the status, Python "3").
    kWarning,  // Carried, but the converted application will not pass this project's validation as it is.
  };
  Severity severity = Severity::kDropped;
  std::string object;  // "SparkApplication default/spark-pi"
  std::string path;    // "spec.driver.javaOptions"
  std::string why;
};

struct Conversion {
  std::string yaml;  // The converted documents, separated by "---".
  std::vector<Finding> findings;

  bool Dropped() const;
};

// Converts every document of a `---` separated stream. InvalidArgument, and nothing converted, for input over
// kMaxInputBytes or nested deeper than kMaxJsonDepth, malformed YAML, or a document that is not a kubeflow
// SparkApplication or ScheduledSparkApplication (the message names the document by its position).
Result<Conversion> ConvertKubeflowYaml(std::string_view yaml);

// One parsed document; `findings` gets what was left out.
Result<rapidjson::Document> ConvertKubeflowObject(const rapidjson::Value& object, std::vector<Finding>& findings);

// "dropped: SparkApplication default/pi: spec.driver.javaOptions: unknown field", one per line.
std::string FormatFindings(const std::vector<Finding>& findings);

}  // namespace spark_operator::controller::convert
