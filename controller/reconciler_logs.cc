// The reconciler's log-shipping steps (controller/logs/log_keeper.h does the work); apart from reconciler.cc so
// that the state machine reads on its own.
#include <glog/logging.h>

#include <algorithm>

#include "common/base/json.h"
#include "controller/driver_pod.h"
#include "controller/finalizers.h"
#include "controller/pod_state.h"
#include "controller/reconcile_context.h"

namespace spark_operator::controller {
namespace {

// The sooner of two requeues; a result without one is woken by events only.
ReconcileResult Sooner(ReconcileResult result, std::chrono::milliseconds wait) {
  if (wait.count() == 0) return result;
  if (!result.requeue_after || *result.requeue_after > wait) result.requeue_after = wait;
  return result;
}

}  // namespace

ReconcileResult Reconciler::ReconcileLogs(Context& ctx, ReconcileResult result) {
  if (options_.logs == nullptr) return result;
  ASSIGN_OR_RETURN(const std::vector<kube::Pod>* pods, AppPods(ctx));
  // The state machine read the driver before the cache took its end: shipped now, the run's manifest would record
  // the state the app is leaving. The next reconcile (queued by that pod event) ends the app first.
  const api::AppState app = ctx.state();
  if (app == api::AppState::kSubmitted || app == api::AppState::kRunning || app == api::AppState::kUnknown) {
    for (const kube::Pod& pod : *pods) {
      // A deleted app of the same name may have left an ended driver of this name behind.
      if (pod.meta.name != ctx.status.driver_info.pod_name ||
          DriverOwner(pod, UidOf(*ctx.object)) != PodOwner::kThisApp) {
        continue;
      }
      const api::AppState driver = ObserveDriver(pod).state;
      if (driver == api::AppState::kCompleted || driver == api::AppState::kFailed) {
        return Sooner(std::move(result), std::chrono::milliseconds(200));
      }
    }
  }
  const std::string state(api::EnumName(ctx.state()));
  DeferredEvents events;
  const logs::LogView view{*ctx.object, ctx.app ? &*ctx.app : nullptr, *pods, api::SubmissionNumber(ctx.status), state,
                           events};
  const Result<std::chrono::milliseconds> wait = options_.logs->Step(view, ctx.status.logs);
  if (!wait.ok()) return wait.status();
  RETURN_IF_ERROR(WriteStatus(ctx));
  events.FlushTo(events_, *ctx.object);
  return Sooner(std::move(result), *wait);
}

ReconcileResult Reconciler::ReconcileDeleting(Context& ctx) {
  if (options_.logs == nullptr || !HasFinalizer(*ctx.object, logs::kLogsFinalizer)) return {};
  ASSIGN_OR_RETURN(const std::vector<kube::Pod>* pods, AppPods(ctx));
  const std::string state(api::EnumName(ctx.state()));
  DeferredEvents events;
  const logs::LogView view{*ctx.object, ctx.app ? &*ctx.app : nullptr, *pods, api::SubmissionNumber(ctx.status), state,
                           events};
  const Result<std::chrono::milliseconds> wait = options_.logs->StepDeleting(view, ctx.status.logs);
  if (!wait.ok()) return IsConflict(wait.status()) ? RequeueAfter(std::chrono::milliseconds(200)) : wait.status();
  if (wait->count() == 0) {
    events.FlushTo(events_, *ctx.object);
    return {};  // Let go: the app is gone once the server removes it.
  }
  const Status written = WriteStatus(ctx);
  if (!written.ok() && !IsNotFound(written) && !IsConflict(written)) return written;
  if (written.ok()) events.FlushTo(events_, *ctx.object);
  return RequeueAfter(*wait);
}

void Reconciler::ReleaseOrphanPods(const std::string& key) {
  if (options_.logs == nullptr) return;
  const size_t slash = key.find('/');
  if (slash == std::string::npos) return;
  const std::string ns = key.substr(0, slash);
  const std::string name = key.substr(slash + 1);
  // Before the pod cache is full these are the pods listed so far: each one listed later queues the key again.
  const std::vector<kube::Pod> pods = CachedAppPods(ns, name);
  const bool held = std::any_of(pods.begin(), pods.end(),
                                [](const kube::Pod& pod) { return pod.meta.HasFinalizer(logs::kLogsFinalizer); });
  if (!held) return;
  // The app cache may not have caught up (just after a restart): only the server's word that the app is gone
  // lets its pods go.
  const Result<rapidjson::Document> app = client_->Get(kube::resources::kSparkApplications, ns, name);
  if (!app.ok() && IsNotFound(app.status())) options_.logs->ReleaseOrphans(key, pods);
}

}  // namespace spark_operator::controller
