// Whether the initializer really mutated a driver pod. The controller asks the webhook for mounts through
// annotations; if the webhook is not installed for the namespace, nothing refuses the pod and the job would run
// without its configuration, which is the failure users of today's operators report. The controller checks the
// pod it gets against what it asked for.
#pragma once

#include <string>
#include <vector>

#include "api/types.h"
#include "common/kube/pod.h"

namespace spark_operator::controller {

// The initializer mounts the driver container of `pod` lacks, as "sparkConfigMap spark-conf at /etc/spark/conf";
// empty when every one is there. Only what the initializer adds is checked: Generic secrets are mounted by
// Spark itself.
std::vector<std::string> MissingInitializerMounts(const api::SparkApplication& app, const kube::Pod& pod);

}  // namespace spark_operator::controller
