// How spark-submit authenticates to the API server as the controller does: the controller's credentials,
// written to private files (Spark's spark.kubernetes.authenticate.submission.* confs take files), with
// KUBECONFIG=/dev/null so that fabric8 does not auto-configure from some other kubeconfig first
// (tools/spark/README.md).
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/kube/config.h"

namespace spark_operator::controller {

struct SubmitAuth {
  std::string master;              // "k8s://<server>"
  std::vector<std::string> confs;  // "key=value"
  std::vector<std::string> env;    // "NAME=value"
  std::string dir;                 // The private directory holding the files; removed by Cleanup.
};

Result<SubmitAuth> PrepareSubmitAuth(const kube::RestConfig& config);
void CleanupSubmitAuth(const SubmitAuth& auth);

}  // namespace spark_operator::controller
