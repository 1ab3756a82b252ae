// spec.suspend, the contract of queues such as Kueue: while set, the app is not submitted and its running driver
// (and with it the executors, which the driver owns) is deleted; unset, it is submitted again as a new attempt.
// Apart from reconciler.cc so that the state machine reads on its own.
#include <glog/logging.h>

#include "common/base/json.h"
#include "controller/labels.h"
#include "controller/reconcile_context.h"

namespace spark_operator::controller {

using api::AppState;

bool Reconciler::Suspends(const Context& ctx) const {
  // Any state: a finished app's suspend can only have been set by a spec change, which would run it again.
  return ctx.app && ctx.app->spec.suspend && !ctx.app->spec.submission_by_user;
}

Result<std::string> Reconciler::StopDrivers(Context& ctx) {
  std::string deleted;
  const auto stop = [&](const std::string& pod) -> Status {
    const Status status = client_->Delete(kube::resources::kPods, ctx.ns, pod);
    if (!status.ok() && !IsNotFound(status)) return status.WithContext("deleting driver pod " + pod);
    if (status.ok()) deleted += (deleted.empty() ? "" : ", ") + pod;
    return OkStatus();
  };
  // The current attempt's driver by name while it may run: the cache may not hold a fresh one yet.
  const std::string& current = ctx.status.driver_info.pod_name;
  const AppState state = ctx.state();
  const bool active = state == AppState::kNew || state == AppState::kSubmitted || state == AppState::kRunning ||
                      state == AppState::kUnknown;
  if (!current.empty() && active) RETURN_IF_ERROR(stop(current));
  ASSIGN_OR_RETURN(const std::vector<kube::Pod>* pods, AppPods(ctx));
  for (const kube::Pod& pod : *pods) {
    if (pod.meta.Label(kSparkRoleLabel) != "driver") continue;
    if (active && pod.meta.name == current) continue;
    // An earlier run's ended driver holds nothing; it stays for its logs.
    if (pod.phase == "Succeeded" || pod.phase == "Failed") continue;
    if (!pod.meta.Deleting()) RETURN_IF_ERROR(stop(pod.meta.name));
  }
  return deleted;
}

ReconcileResult Reconciler::Suspend(Context& ctx) {
  // A submission in flight would create its driver after the deletion below: let it end first.
  const std::string uid = UidOf(*ctx.object);
  const int attempt = api::SubmissionNumber(ctx.status);
  if (submitter_.InFlight(uid, attempt)) return RequeueAfter(std::chrono::seconds(1));
  submitter_.Clear(uid, attempt);
  ASSIGN_OR_RETURN(const std::string deleted, StopDrivers(ctx));
  const bool newly = ctx.state() != AppState::kSuspended;
  if (newly || !ctx.status.driver_info.web_ui_service_name.empty()) ReleaseDriverUi(ctx, /*wait=*/true);

  // The attempt counters stay: the resumed run is attempt N+1, under a driver name no earlier one had.
  api::SparkApplicationStatus& s = ctx.status;
  s.application_state = {AppState::kSuspended, "spec.suspend is true"};
  s.app_id.clear();
  s.driver_info = {};
  s.executor_state.clear();
  s.submission_time.clear();
  s.termination_time.clear();
  RecordObservedGeneration(ctx);  // Spec changes while suspended apply when it resumes.
  RETURN_IF_ERROR(WriteStatus(ctx));
  if (newly || !deleted.empty()) {
    const std::string message =
        "spec.suspend is true: " + (deleted.empty() ? "not submitted" : "driver pod " + deleted + " deleted");
    LOG(INFO) << ctx.Describe() << ": SUSPENDED: " << message;
    events_.Normal(*ctx.object, "SparkApplicationSuspended", message);
  }
  return {};
}

ReconcileResult Reconciler::Resume(Context& ctx) {
  ctx.status.application_state = {AppState::kNew, ""};
  RETURN_IF_ERROR(WriteStatus(ctx));
  LOG(INFO) << ctx.Describe() << ": resumed (spec.suspend is false)";
  events_.Normal(*ctx.object, "SparkApplicationResumed", "spec.suspend is false: the application is submitted again");
  return ReconcileNew(ctx);
}

}  // namespace spark_operator::controller
