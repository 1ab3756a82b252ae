// What a SparkApplication may not ask of spark-submit. The controller runs spark-submit with the operator's
// own credentials on the operator's own file system, so every setting that makes spark-submit read a local
// file (and copy it into a Secret, a ConfigMap or an upload location the user can read), or changes how
// and where it authenticates, would let a user act as the operator. This file is the one list of those
// settings, each with the reason; validation refuses them with a message naming the field and key, and
// docs/submission-policy.md is generated from it (tools/crdgen; a unit test keeps it current).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"

namespace spark_operator::api {

enum class PolicyMatch {
  kKey,        // The key itself.
  kPrefix,     // Every key starting with `key`.
  kLocalUris,  // Comma-separated URIs: refused when one is a file on the controller (no scheme, or file:).
  kLocalFile,  // One file that spark-submit reads itself: refused unless remote (local: is the controller too).
  // The executors' pod template: kLocalFile, and refused as well beside spec.executor fields that go into the
  // controller's own template (api/template_fields.h), which Spark would read instead.
  kPodTemplateFile,
};

struct RefusedConf {
  std::string_view key;
  PolicyMatch match;
  std::string_view why;
};

// Every sparkConf rule, in the order of the documentation.
std::span<const RefusedConf> RefusedSparkConfs();

// A URI spark-submit would read from the controller's file system: no scheme, or file:.
bool IsSubmitterLocalUri(std::string_view uri);

// One message per refused setting: "<field>: <why>", e.g.
// `spec.sparkConf[spark.kubernetes.context]: refused: selects another kubeconfig context ...`.
std::vector<std::string> SubmissionPolicyProblems(const SparkApplicationSpec& spec);

// docs/submission-policy.md, whole.
std::string SubmissionPolicyMarkdown();

}  // namespace spark_operator::api
