// Copies the logs of one finished run from the API server to an object store: each container's log streamed
// into its own object (memory bounded by the store's part size), then the manifest, written last so that its
// presence means the run's logs are complete, then the finalizer taken off each pod. Run again after a crash it
// writes the same objects again: every key is replaced whole, so the store ends with one complete object each.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "common/base/status.h"
#include "common/kube/client.h"
#include "common/storage/object_store.h"
#include "controller/logs/log_plan.h"

namespace spark_operator::controller::logs {

struct ShipRequest {
  std::string ns;
  std::string app;
  std::string app_uid;
  std::string app_state;  // The application's state when shipping started, for the manifest.
  AttemptLogs run;
};

struct ShipSummary {
  int64_t objects = 0;  // Container logs stored.
  int64_t bytes = 0;
  int64_t missing = 0;  // Containers whose log the API server could not give (the pod was already gone).
};

// `stop` turns true when the controller shuts down: the copy then ends Cancelled, between two pieces of a log.
Result<ShipSummary> ShipAttempt(kube::Client& client, storage::ObjectStore& store, const ShipRequest& request,
                                const std::atomic<bool>& stop);

}  // namespace spark_operator::controller::logs
