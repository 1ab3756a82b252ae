// Submission without spark-submit: the command line the controller built for spark-submit, turned into the
// objects spark-submit would create (controller/native/driver_builder.h) and created with the controller's own
// client: the driver pod, then, all at once, its Service, NetworkPolicy and conf map, owned by the pod.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/kube/client.h"
#include "controller/native/driver_builder.h"
#include "controller/submit/process.h"

namespace spark_operator::controller::native {

struct NativePlan {
  DriverObjects objects;
  std::string unsupported;  // Set instead of `objects` when spark-submit must do it: the setting that is why.
};

// `argv` is a spark-submit command line; `files` the files it reads (path -> content: the driver pod template).
// InvalidArgument when a setting cannot be read (spark-submit would refuse it too).
Result<NativePlan> PlanNativeSubmission(const std::vector<std::string>& argv,
                                        const std::map<std::string, std::string>& files,
                                        const DriverIdentity& identity);

// Creates the objects. A second call for the same attempt (after a crash, or a retried request) finds the pod
// already there and creates only what is missing; a pod of the same name that is not this attempt's driver
// (another spark-app-selector) is AlreadyExists. Returns a one-line account of what was created.
Result<std::string> CreateDriverObjects(kube::Client& client, const DriverObjects& objects);

// CreateDriverObjects as a submission's outcome, in the form spark-submit's takes (controller/submit/submitter.h):
// exit code 0 and the account as output, or the error with "native submission" as its context.
Result<ProcessResult> RunNativeSubmission(kube::Client& client, const DriverObjects& objects);

}  // namespace spark_operator::controller::native
