// The object stores' credentials from a Kubernetes Secret (--log-credentials-secret), for clusters where the
// controller's environment cannot carry them.
#pragma once

#include <string>

#include "common/base/status.h"
#include "common/kube/client.h"
#include "common/storage/object_store.h"

namespace spark_operator::controller::logs {

// Reads the Secret "namespace/name" and sets what it holds: key.json (a GCS service-account key),
// AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY, and AWS_SESSION_TOKEN. The error names the Secret and the
// missing or malformed key, never a value.
Status ReadStoreCredentials(kube::Client& client, const std::string& secret, storage::StoreOptions& options);

}  // namespace spark_operator::controller::logs
