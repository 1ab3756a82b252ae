// The state machine of one SparkApplication, run for its key by the manager's workers. Level-triggered and
// idempotent: it reads the app and its pods from the informer caches, decides the one next step, writes the
// status with a conditional update (a Conflict just means "look again"), and never submits an attempt whose
// driver pod exists.
//
//   NEW --validate--> FAILED (invalid spec; stays until metadata.generation changes). FAILED rather than
//         SUBMISSION_FAILED because nothing was submitted and retrying cannot help: errorMessage names every
//         problem, a Warning Event (SparkApplicationValidationFailed) says the same.
//   Any app past NEW whose spec changed (metadata.generation != status.observedGeneration), running
//   or finished, has its driver pods deleted and runs again from NEW, as users of kubeflow's operator expect.
//   NEW --mark attempt N in status, then spark-submit--> SUBMITTED | SUBMISSION_FAILED
//   SUBMITTED --driver Running--> RUNNING --driver exits--> COMPLETED | FAILED
//   FAILED / COMPLETED --restartPolicy--> PENDING_RERUN --interval--> NEW (attempt N+1)
//   SUBMISSION_FAILED --onSubmissionFailureRetries--> NEW (attempt N+1)
//
// "Attempt N in flight" is state NEW with driverInfo.podName set: it is written BEFORE spark-submit runs, so
// after a crash the restarted controller finds the mark, adopts the driver pod if it exists (its name is
// deterministic, "<app>-<N>-driver") or runs attempt N again, which the API server makes safe: a second
// pod of the same name cannot be created. Adoption checks the app's UID (label or owner reference, set when
// spark-submit creates the pod, through a pod template), so a re-created app never takes its namesake's driver.
//
// spec.suspend: any state goes SUSPENDED once no submission is in flight and the running driver pods are deleted
// (a finished app's suspend was set by a spec change, which would run it again: the suspension holds that run);
// unset again, SUSPENDED goes NEW and submits attempt N+1.
//
// spec.submissionByUser: NEW waits for a driver pod the user submitted (controller/driver_pod.h) and goes
// SUBMITTED with it; no spark-submit runs, no rerun follows.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/kube/client.h"
#include "common/kube/pod.h"
#include "common/kube/store.h"
#include "common/runtime/workqueue.h"
#include "controller/controller_metrics.h"
#include "controller/events.h"
#include "controller/logs/log_keeper.h"
#include "controller/own_writes.h"
#include "controller/slots.h"
#include "controller/status_throttle.h"
#include "controller/submit/submitter.h"
#include "controller/ui_service.h"

namespace spark_operator::controller {

struct ReconcilerOptions {
  // Build the driver's objects in-process (controller/native/) where the builder implements every setting the
  // app uses; spark-submit otherwise, when `spark_submit` is set.
  bool native_submission = false;
  std::string spark_submit;             // Empty: no spark-submit (native submission only).
  std::string master;                   // k8s://https://...
  std::vector<std::string> auth_confs;  // spark.kubernetes.authenticate.submission.*
  // A directory only the controller writes, for the driver pod templates it gives spark-submit; empty: none,
  // and the driver pod is owned only once the reconciler sees it.
  std::string pod_template_dir;
  // How long a submitted app may wait for its driver pod to appear before it is FAILED.
  std::chrono::seconds driver_startup_grace{120};
  // Run before each spark-submit (controller/tenant.h); unset when --prepare-tenant=false.
  std::function<Status(const api::SparkApplication&)> prepare_tenant;
  // Before a NEW or QUEUED app starts an attempt (controller/admission.h): false holds it, with the state and
  // message it set in the status, and is decided again when its owner queues it (controller/manager.cc does when
  // room may have freed) or after 30 s. Unset: every app is admitted.
  std::function<bool(const api::SparkApplication&, api::SparkApplicationStatus&)> admit;
  // The Service (--ui-service-type) and Ingress (--ingress-url-format) that expose a running driver's UI;
  // deleted when the driver ends. spec.sparkUIOptions overrides them per app.
  UiDefaults ui;
  // Queues an app's key (the manager's work queue, ahead of the others): a freed slot wakes an app that waited
  // for one.
  std::function<void(const std::string& key)> enqueue;
  // Copies finished runs' logs (controller/logs/); null: no log shipping at all.
  logs::LogKeeper* logs = nullptr;
  // How long a status change that only reports executor pods waits for the ones that follow it
  // (controller/status_throttle.h).
  std::chrono::milliseconds executor_status_wait{2000};
  // How long a submitted app's progress (SUBMITTED, RUNNING, its executors) may wait while native submissions
  // queue for a lane (HoldWhileSubmitting); zero: never held.
  std::chrono::milliseconds status_wait_while_submitting{10000};
  // Native submissions queued or running at once (controller/slots.h); an app beyond them stays NEW, unmarked.
  int submission_backlog = 256;
};

// Read access to the informer caches.
struct CacheView {
  std::function<kube::ObjectPtr(const std::string& key)> app;
  std::function<kube::ObjectPtr(const std::string& key)> pod;  // "namespace/podName"
  std::function<std::vector<kube::ObjectPtr>(const std::string& ns, const std::string& app)> app_pods;
  // Whether the pod cache holds every pod (null: always). Until then a reconcile that must know an app's pods
  // stops without a decision and without a retry: the manager queues every app again once the cache is full.
  std::function<bool()> pods_listed;
};

class Reconciler {
 public:
  Reconciler(std::shared_ptr<kube::Client> client, CacheView caches, Submitter& submitter, Events& events,
             ControllerMetrics& metrics, ReconcilerOptions options);

  ReconcileResult Reconcile(const std::string& key);

 private:
  struct Context;  // One reconcile's view of the app; defined in reconcile_context.h.

  // The app parsed and defaulted, with its status as stored.
  Context Load(const std::string& key, const kube::ObjectPtr& object) const;
  ReconcileResult ReconcileState(Context& ctx);
  // Log shipping (reconciler_logs.cc), after the state machine's step `result` for a live app.
  ReconcileResult ReconcileLogs(Context& ctx, ReconcileResult result);
  // A deleted app that holds the logs finalizer: its pods are stopped and their logs stored before it goes.
  ReconcileResult ReconcileDeleting(Context& ctx);
  // Pods still held for the logs of an app that is gone without its finalizer.
  void ReleaseOrphanPods(const std::string& key);
  ReconcileResult RestartForSpecChange(Context& ctx);
  ReconcileResult ReconcileNew(Context& ctx);
  ReconcileResult ReconcileUserSubmitted(Context& ctx);
  ReconcileResult StartAttempt(Context& ctx);
  ReconcileResult ReconcileInFlight(Context& ctx);
  // SUBMISSION_FAILED with `message`: written, logged and recorded as an Event.
  Status MarkSubmissionFailed(Context& ctx, const std::string& message);
  ReconcileResult ReconcileDriver(Context& ctx);
  ReconcileResult ReconcileFinished(Context& ctx);
  // A pod found at the attempt's driver name: adopted when it was submitted for this app (by UID).
  ReconcileResult ClaimDriver(Context& ctx, const kube::Pod& pod);
  ReconcileResult Adopt(Context& ctx, const std::string& how);
  ReconcileResult Terminate(Context& ctx, bool failed, const std::string& message);
  // The UI's Service and Ingress (reconciler_ui.cc): made for a running driver, deleted when it ends. With
  // every UI slot taken, Expose leaves the UI for a later reconcile (ctx.ui_deferred) and Release leaves the
  // Service to ReconcileFinished; Release(ctx, /*wait=*/true) deletes it regardless.
  void EnsureDriverOwnedAndExposed(Context& ctx, const kube::Pod& pod);
  void ReleaseDriverUi(Context& ctx, bool wait = false);
  // spec.suspend (reconciler_suspend.cc): whether it holds the app now; holding it; letting it go again.
  bool Suspends(const Context& ctx) const;
  ReconcileResult Suspend(Context& ctx);
  ReconcileResult Resume(Context& ctx);
  // Deletes the app's drivers that may still run (for a suspend or a spec change); returns their names. An
  // ended driver stays for its logs; a deleted one may stay a while, held by its logs finalizer.
  Result<std::string> StopDrivers(Context& ctx);

  Status WriteStatus(Context& ctx);
  // When the status differs from the stored one only in its executors' states and that change must wait
  // (StatusThrottle), puts it back and returns how long; else zero, and the caller writes.
  std::chrono::milliseconds HoldExecutorOnlyChange(Context& ctx);
  // The same for any change of a live driver's app while native submissions queue for a lane, except one that
  // stores the UI just made for it.
  std::chrono::milliseconds HoldWhileSubmitting(Context& ctx);
  // Puts the status back as stored, adoption included: the log step after a held change must not write it.
  static void PutBack(Context& ctx);
  // Whether the reconcile holds a submission slot, taking one if it can; without one the app is woken when one
  // frees.
  bool HoldSubmissionSlot(Context& ctx);
  // Sets status.observedGeneration to the spec being acted on; the next WriteStatus stores it.
  void RecordObservedGeneration(Context& ctx);
  // Pods (reconciler_pods.cc), parsed where they are read. The driver pod from the cache, else from the API
  // server (the cache may lag a fresh pod). None only when it is not in the cache and (with ask_server) the
  // server says 404; any other failure is an error. A cached pod is parsed once per reconcile (also for AppPods).
  // Before the pod cache is full, a pod it lacks is not asked for (a restart would ask for every driver): with
  // ask_server, PodsNotListed.
  Result<std::optional<kube::Pod>> FindDriverPod(Context& ctx, const std::string& name, bool ask_server);
  // The app's pods in the cache, parsed once per reconcile; PodsNotListed before the pod cache is full.
  Result<const std::vector<kube::Pod>*> AppPods(Context& ctx) const;
  // Whether the pod cache is full (CacheView::pods_listed).
  bool PodsListed() const { return !caches_.pods_listed || caches_.pods_listed(); }
  // Marks the reconcile as waiting for the pod cache and says why it stops.
  static Status PodsNotListed(Context& ctx);
  // The app's pods in the cache, parsed: for an app that is gone and has no reconcile context.
  std::vector<kube::Pod> CachedAppPods(const std::string& ns, const std::string& name) const;

  const std::shared_ptr<kube::Client> client_;
  const CacheView caches_;
  Submitter& submitter_;
  StatusThrottle status_throttle_;  // Status changes that wait (HoldExecutorOnlyChange, HoldWhileSubmitting).
  OwnWrites own_writes_;
  NodeAddresses node_addresses_;  // For the UI's URL: the drivers of many apps share a node.
  Slots ui_slots_;
  Slots submission_slots_;
  Events& events_;
  ControllerMetrics& metrics_;
  const ReconcilerOptions options_;
};

}  // namespace spark_operator::controller
