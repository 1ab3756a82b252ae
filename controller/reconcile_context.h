// One reconcile's view of a SparkApplication, shared by the reconciler's files (reconciler.cc, the state
// machine; reconciler_logs.cc, log shipping). Internal to the reconciler.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/kube/pod.h"
#include "common/kube/store.h"
#include "controller/reconciler.h"

namespace spark_operator::controller {

struct Reconciler::Context {
  std::string key;
  std::string ns;
  std::string name;
  kube::ObjectPtr object;                    // The latest version we know, replaced after each write.
  std::optional<api::SparkApplication> app;  // Parsed and defaulted; unset when the spec does not parse.
  std::string spec_error;                    // Why the spec is unusable, every problem named.
  api::SparkApplicationStatus old_status;    // As stored.
  api::SparkApplicationStatus status;        // As this reconcile wants it.
  int64_t generation = 0;
  std::optional<int64_t> observed_generation;
  bool just_marked = false;  // This reconcile wrote the attempt's mark: its driver cannot exist yet.
  bool ui_deferred = false;  // Every UI slot was taken: the UI is made by a later reconcile.
  // A status change was put back to wait (StatusThrottle): a later write in this reconcile (the log step's) does
  // not carry it, so its wait goes on.
  bool held = false;
  // A submission slot (Reconciler::HoldSubmissionSlot), handed to the submitter with the attempt it queues;
  // else let go when the reconcile ends.
  std::shared_ptr<const void> submission_slot;
  // Set by Adopt: SUBMITTED is not yet stored. The next status write stores it with what ReconcileDriver sees
  // of the driver (one write instead of two), and then the submission is announced with this message.
  std::optional<std::string> adopted;
  std::optional<std::vector<kube::Pod>> pods;  // The app's pods, once read (Reconciler::AppPods).
  bool waiting_for_pods = false;               // It needed pods before the pod cache was full.
  // The driver pod as last read from the cache, parsed (Reconciler::FindDriverPod): the same cached object is
  // parsed once per reconcile, also when AppPods reads it among the app's pods.
  kube::ObjectPtr driver_object;
  kube::Pod driver;

  api::AppState state() const { return status.application_state.state.value_or(api::AppState::kNew); }
  api::RestartPolicy restart() const {
    // A user-submitted app runs once: only the user can submit it again.
    if (app && !app->spec.submission_by_user) return app->spec.restart_policy;
    api::RestartPolicy never;
    never.type = api::RestartPolicyType::kNever;
    return never;
  }
  std::string Describe() const { return ns + "/" + name; }
};

}  // namespace spark_operator::controller
