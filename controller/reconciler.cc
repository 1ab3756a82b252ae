#include "controller/reconciler.h"

#include <glog/logging.h>

#include <optional>
#include <utility>

#include "api/spark_application.h"
#include "common/base/json.h"
#include "common/kube/time_format.h"
#include "controller/attempt_mark.h"
#include "controller/driver_pod.h"
#include "controller/labels.h"
#include "controller/mount_check.h"
#include "controller/native/native_submit.h"
#include "controller/pod_state.h"
#include "controller/reconcile_context.h"
#include "controller/submit/submission.h"
#include "controller/ui_service.h"
#include "controller/wait.h"

namespace spark_operator::controller {

using api::AppState;

namespace {

// How often a QUEUED app is decided again without an event: a safety net for a wake-up that was missed (a
// quota's usage reaching the cache after the app's last decision, with nothing else changing).
constexpr auto kAdmissionRecheck = std::chrono::seconds(30);
// When a UI or a submission was left for later (every slot taken, controller/slots.h): a safety net, since a
// freed slot wakes the app.
constexpr auto kSlotRetry = std::chrono::seconds(30);

kube::WallTime Now() { return std::chrono::system_clock::now(); }

// Seconds left of a wait of `seconds` from `since`; saturating (controller/wait.h).
int64_t Left(const std::string& since, int64_t seconds) { return SecondsLeft(since, seconds, Now()); }

}  // namespace

Reconciler::Reconciler(std::shared_ptr<kube::Client> client, CacheView caches, Submitter& submitter, Events& events,
                       ControllerMetrics& metrics, ReconcilerOptions options)
    : client_(std::move(client)),
      caches_(std::move(caches)),
      submitter_(submitter),
      ui_slots_(options.ui.service_slots, options.enqueue),
      submission_slots_(options.submission_backlog, options.enqueue),
      events_(events),
      metrics_(metrics),
      options_(std::move(options)) {}

ReconcileResult Reconciler::Reconcile(const std::string& key) {
  kube::ObjectPtr object = caches_.app(key);
  if (object == nullptr) {
    // Deleted: its queued submissions go; owner references let the garbage collector remove its pods.
    submitter_.Forget(key);
    status_throttle_.Forget(key);
    own_writes_.Forget(key);
    ReleaseOrphanPods(key);
    return {};
  }
  object = own_writes_.Fresher(key, std::move(object));
  // A namesake deleted before this app was created may have left queued submissions or results.
  submitter_.Forget(key, UidOf(*object));
  Context ctx = Load(key, object);
  const bool deleting = !GetString(*object, {"metadata", "deletionTimestamp"}).empty();
  ReconcileResult result = deleting ? ReconcileDeleting(ctx) : ReconcileState(ctx);
  if (!deleting && result.status.ok()) result = ReconcileLogs(ctx, std::move(result));
  // What it did before it needed the pods stays done; the manager queues the app again once they are listed.
  if (ctx.waiting_for_pods) return {};
  if (deleting) return result;
  // Someone (often our own previous write, not yet in the cache) changed the app: look again shortly.
  if (IsConflict(result.status)) return RequeueAfter(std::chrono::milliseconds(200));
  if (IsNotFound(result.status)) return {};
  return result;
}

Reconciler::Context Reconciler::Load(const std::string& key, const kube::ObjectPtr& object) const {
  Context ctx;
  ctx.key = key;
  ctx.ns = NamespaceOf(*object);
  ctx.name = NameOf(*object);
  ctx.object = object;
  ctx.generation = GetInt(*object, {"metadata", "generation"});

  Result<api::SparkApplication> parsed = api::ParseSparkApplication(*object);
  if (parsed.ok()) {
    ctx.app = std::move(*parsed);
    api::ApplyDefaults(*ctx.app);
    if (const Status valid = api::Validate(*ctx.app); !valid.ok()) ctx.spec_error = valid.message();
    ctx.old_status = ctx.app->status;
  } else {
    ctx.spec_error = parsed.status().message();
    if (const rapidjson::Value* status = FindPath(*object, {"status"}); status != nullptr) {
      Result<api::SparkApplicationStatus> s = api::ParseSparkApplicationStatus(*status);
      if (s.ok()) ctx.old_status = std::move(*s);
    }
  }
  ctx.status = ctx.old_status;
  ctx.observed_generation = ctx.status.observed_generation;
  if (!ctx.observed_generation) {
    // Written by earlier versions of the controller, which kept it in an annotation.
    const std::string legacy = GetString(*object, {"metadata", "annotations", kObservedGenerationAnnotation});
    if (!legacy.empty()) ctx.observed_generation = std::atoll(legacy.c_str());
  }
  return ctx;
}

ReconcileResult Reconciler::ReconcileState(Context& ctx) {
  if (Suspends(ctx)) return Suspend(ctx);
  if (ctx.state() == AppState::kSuspended) return Resume(ctx);
  const bool spec_changed = ctx.observed_generation && *ctx.observed_generation != ctx.generation;
  if (spec_changed && ctx.state() != AppState::kNew) return RestartForSpecChange(ctx);
  switch (ctx.state()) {
    case AppState::kNew:
    case AppState::kQueued:
      return ReconcileNew(ctx);
    case AppState::kSubmitted:
    case AppState::kRunning:
    case AppState::kUnknown:
      return ReconcileDriver(ctx);
    default:
      return ReconcileFinished(ctx);
  }
}

ReconcileResult Reconciler::RestartForSpecChange(Context& ctx) {
  // A spark-submit of the old spec may still be running (the app is RUNNING as soon as its pod exists): let it
  // end, so that the driver it made is stopped below.
  const int number = api::SubmissionNumber(ctx.status);
  const std::string uid = UidOf(*ctx.object);
  if (submitter_.InFlight(uid, number)) return RequeueAfter(std::chrono::seconds(1));
  submitter_.Clear(uid, number);
  // The new run's driver and log keys carry the next submission number: the old driver is stopped but not
  // waited for, since its logs finalizer may keep it while its logs are stored.
  ASSIGN_OR_RETURN(const std::string stopped, StopDrivers(ctx));
  LOG(INFO) << ctx.Describe() << ": spec changed (generation " << ctx.generation << "), running it again"
            << (stopped.empty() ? "" : "; stopped driver pod(s) " + stopped);
  const api::LogsStatus logs = ctx.status.logs;  // Earlier runs' logs may still be shipping.
  ctx.status = {};
  ctx.status.logs = logs;
  if (number > 0) ctx.status.submission_number = number;
  ctx.status.application_state.state = AppState::kNew;
  RETURN_IF_ERROR(WriteStatus(ctx));
  events_.Normal(*ctx.object, "SparkApplicationSpecUpdated", "spec changed; the application runs again");
  return RequeueAfter(std::chrono::milliseconds(100));
}

ReconcileResult Reconciler::ReconcileNew(Context& ctx) {
  if (!ctx.status.driver_info.pod_name.empty()) return ReconcileInFlight(ctx);
  if (!ctx.spec_error.empty()) {
    const std::string message = "invalid SparkApplication: " + ctx.spec_error;
    ctx.status.application_state = {AppState::kFailed, message};
    ctx.status.termination_time = kube::FormatTime(Now());
    // With the generation: a FAILED status without it would never be retried after the spec is fixed.
    RecordObservedGeneration(ctx);
    RETURN_IF_ERROR(WriteStatus(ctx));
    LOG(WARNING) << ctx.Describe() << ": " << message;
    events_.Warning(*ctx.object, "SparkApplicationValidationFailed", message);
    metrics_.failed.Increment();
    return {};
  }
  if (ctx.app->spec.submission_by_user) return ReconcileUserSubmitted(ctx);
  // Quota-aware admission (controller/admission.h): not admitted, it says QUEUED or FAILED and why.
  if (options_.admit && !options_.admit(*ctx.app, ctx.status)) {
    RecordObservedGeneration(ctx);  // A FAILED "never fits" runs again once the spec asks for less.
    RETURN_IF_ERROR(WriteStatus(ctx));
    // Woken when room may have freed (options_.admit's owner queues the namespace's waiting apps when an app
    // there changes state or goes, or its tenant or quota changes); the requeue is a safety net.
    return RequeueAfter(kAdmissionRecheck);
  }
  return StartAttempt(ctx);
}

ReconcileResult Reconciler::ReconcileUserSubmitted(Context& ctx) {
  ASSIGN_OR_RETURN(const std::vector<kube::Pod>* pods, AppPods(ctx));
  const kube::Pod* pod = FindUserSubmittedDriver(*pods, *ctx.object);
  if (pod == nullptr) return {};  // The pod informer enqueues the app when the user's driver appears.
  RecordObservedGeneration(ctx);
  ctx.status.driver_info.pod_name = pod->meta.name;
  ctx.status.submission_time = pod->meta.creation_timestamp;
  return Adopt(ctx, "submitted by the user");
}

ReconcileResult Reconciler::StartAttempt(Context& ctx) {
  // An app that ships its logs holds its pods for them from their creation (the logs finalizer, put on by
  // ReconcileLogs, which reads the pods): it is not started before the pod cache is full.
  if (options_.logs != nullptr && !PodsListed() &&
      !options_.logs->DestinationOf(ctx.app ? &*ctx.app : nullptr, ctx.status.logs).empty()) {
    return PodsNotListed(ctx);
  }
  // Marked only when its submission can be queued now: one marked and then queued behind thousands would hold
  // its arguments in the submitter's queue, and show an attempt started that is not. A native submission keeps
  // the slot until it has run; one that goes to spark-submit lets it go once queued, so that a few slow
  // spark-submit runs never hold up the native ones.
  if (!HoldSubmissionSlot(ctx)) return RequeueAfter(kSlotRetry);
  ctx.status = NextAttemptMark(ctx.status, ctx.name, kube::FormatTime(Now()));
  RecordObservedGeneration(ctx);
  RETURN_IF_ERROR(WriteStatus(ctx));
  ctx.just_marked = true;
  LOG(INFO) << ctx.Describe() << ": starting submission attempt " << ctx.status.submission_attempts << ", submission "
            << api::SubmissionNumber(ctx.status) << " (driver pod " << ctx.status.driver_info.pod_name << ")";
  return ReconcileInFlight(ctx);
}

ReconcileResult Reconciler::ReconcileInFlight(Context& ctx) {
  // Submissions, pods and native object names are keyed by the number no other submission of the app has.
  const int attempt = api::SubmissionNumber(ctx.status);
  const std::string uid = UidOf(*ctx.object);
  const std::string& pod_name = ctx.status.driver_info.pod_name;
  ASSIGN_OR_RETURN(std::optional<kube::Pod> pod, FindDriverPod(ctx, pod_name, /*ask_server=*/false));
  if (pod) return ClaimDriver(ctx, *pod);

  if (std::optional<Result<ProcessResult>> result = submitter_.PeekResult(uid, attempt)) {
    if (result->ok() && (*result)->ok()) return Adopt(ctx, "spark-submit succeeded");
    // spark-submit may have failed only because the pod was already there (an earlier run of this attempt).
    ASSIGN_OR_RETURN(pod, FindDriverPod(ctx, pod_name, /*ask_server=*/true));
    if (pod) return ClaimDriver(ctx, *pod);
    RETURN_IF_ERROR(MarkSubmissionFailed(ctx, SubmitFailureMessage(*result)));
    submitter_.Clear(uid, attempt);
    return ReconcileFinished(ctx);  // Schedules a retry if the restart policy allows one.
  }
  if (submitter_.InFlight(uid, attempt)) return {};  // The submitter enqueues the app when done.

  // Marked but neither running nor finished here: a restart after a crash, or a mark written earlier. The server
  // is the judge of whether the attempt's driver already exists; a mark this reconcile just wrote has none.
  if (!ctx.just_marked) {
    ASSIGN_OR_RETURN(pod, FindDriverPod(ctx, pod_name, /*ask_server=*/true));
    if (pod) return ClaimDriver(ctx, *pod);
  }
  if (!ctx.app) return InternalError("spec no longer parses: " + ctx.spec_error);
  if (!HoldSubmissionSlot(ctx)) return RequeueAfter(kSlotRetry);
  if (options_.prepare_tenant) {
    if (const Status prepared = options_.prepare_tenant(*ctx.app); !prepared.ok()) {
      RETURN_IF_ERROR(MarkSubmissionFailed(ctx, prepared.message()));
      return ReconcileFinished(ctx);  // The admin may grant what was missing: retried by the restart policy.
    }
  }
  SubmissionContext submission{.spark_submit = options_.spark_submit,
                               .master = options_.master,
                               .attempt = attempt,
                               .auth_confs = options_.auth_confs};
  submission.ingress_url_format = options_.ui.ingress_url_format;
  Result<std::vector<Submitter::File>> files =
      PodTemplateFiles(*ctx.object, *ctx.app, options_.pod_template_dir, attempt, submission);
  if (!files.ok()) return MarkSubmissionFailed(ctx, files.status().message());
  Result<std::vector<std::string>> argv = BuildSubmitArgs(*ctx.app, submission);
  if (!argv.ok()) return MarkSubmissionFailed(ctx, argv.status().message());
  if (!options_.native_submission) {
    submitter_.Submit(ctx.key, uid, attempt, std::move(*argv), std::move(*files));
    return {};
  }
  std::map<std::string, std::string> file_contents;
  for (const Submitter::File& file : *files) file_contents[file.path] = file.content;
  const int64_t now_millis = std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  const native::DriverIdentity identity = native::IdentityFor(uid, attempt, now_millis);
  Result<native::NativePlan> plan = native::PlanNativeSubmission(*argv, file_contents, identity);
  if (!plan.ok()) return MarkSubmissionFailed(ctx, plan.status().message());
  if (plan->unsupported.empty()) {
    // The job keeps the arguments, not the built objects, and builds them again (the same, a fraction of a
    // millisecond) when a lane takes it: 10,000 apps created at once leave thousands queued, and their objects
    // held 368 MB at N = 10,000.
    submitter_.SubmitNative(
        ctx.key, uid, attempt,
        [client = client_, argv = std::move(*argv), files = std::move(file_contents),
         identity]() -> Result<ProcessResult> {
          ASSIGN_OR_RETURN(const native::NativePlan built, native::PlanNativeSubmission(argv, files, identity));
          return native::RunNativeSubmission(*client, built.objects);
        },
        std::move(ctx.submission_slot));
    return {};
  }
  if (options_.spark_submit.empty()) {
    return MarkSubmissionFailed(ctx, "the native submitter does not build " + plan->unsupported +
                                         ", and this controller has no spark-submit (--spark-submit)");
  }
  events_.Normal(*ctx.object, "SparkApplicationSubmittedWithSparkSubmit",
                 "submitting with spark-submit: the native submitter does not build " + plan->unsupported);
  submitter_.Submit(ctx.key, uid, attempt, std::move(*argv), std::move(*files));
  return {};
}

Status Reconciler::MarkSubmissionFailed(Context& ctx, const std::string& message) {
  ctx.status.application_state = {AppState::kSubmissionFailed, message};
  ctx.status.termination_time = kube::FormatTime(Now());
  RETURN_IF_ERROR(WriteStatus(ctx));
  LOG(WARNING) << ctx.Describe() << ": submission attempt " << ctx.status.submission_attempts << ": " << message;
  events_.Warning(*ctx.object, "SparkApplicationSubmissionFailed", message);
  metrics_.submission_failed.Increment();
  return OkStatus();
}

ReconcileResult Reconciler::ClaimDriver(Context& ctx, const kube::Pod& pod) {
  const std::string& pod_name = ctx.status.driver_info.pod_name;
  switch (DriverOwner(pod, UidOf(*ctx.object))) {
    case PodOwner::kThisApp:
      // Submitted when its pod was made; an adoption held back (HoldWhileSubmitting) is stored later.
      if (ctx.status.submission_time.empty()) ctx.status.submission_time = pod.meta.creation_timestamp;
      return Adopt(ctx, "driver pod exists");
    case PodOwner::kOtherApp: {
      // The driver of a deleted app of the same name: the garbage collector removes it, but its name is needed
      // now. The UID precondition spares a pod that replaced it meanwhile.
      if (!pod.meta.Deleting()) {
        kube::DeleteOptions options;
        options.precondition_uid = pod.meta.uid;
        const Status deleted = client_->Delete(kube::resources::kPods, ctx.ns, pod_name, options);
        if (!deleted.ok() && !IsNotFound(deleted) && !IsConflict(deleted)) return deleted;
        LOG(INFO) << ctx.Describe() << ": deleting driver pod " << pod_name << " of an earlier app of the same name";
      }
      // A submission that failed on that pod's name is tried again once it is gone.
      submitter_.Clear(UidOf(*ctx.object), api::SubmissionNumber(ctx.status));
      return RequeueAfter(std::chrono::seconds(1));
    }
    case PodOwner::kUnknown:
      break;
  }
  // Someone else's pod holds the name: this attempt cannot have its driver; the next one gets another name.
  const std::string message = "driver pod " + pod_name + " already exists and was not submitted for this application";
  RETURN_IF_ERROR(MarkSubmissionFailed(ctx, message));
  submitter_.Clear(UidOf(*ctx.object), api::SubmissionNumber(ctx.status));
  return ReconcileFinished(ctx);
}

ReconcileResult Reconciler::Adopt(Context& ctx, const std::string& how) {
  const int attempt = ctx.status.submission_attempts;
  ctx.status.application_state = {AppState::kSubmitted, ""};
  if (ctx.status.submission_time.empty()) ctx.status.submission_time = kube::FormatTime(Now());
  ctx.status.execution_attempts += 1;
  // Stored by the status write that ends ReconcileDriver, with the driver's UI and state (WriteStatus announces
  // it); until then the attempt's outcome stays with the submitter, so a failed write adopts again.
  ctx.adopted = "submission attempt " + std::to_string(attempt) + ", driver pod " + ctx.status.driver_info.pod_name +
                " (" + how + ")";
  return ReconcileDriver(ctx);
}

ReconcileResult Reconciler::ReconcileDriver(Context& ctx) {
  // The submission's outcome may arrive after its driver pod was adopted; kept, it would stay until the app is
  // deleted (a spark-submit output tail is up to 64 KiB, times thousands of apps). An adoption not yet stored
  // clears it once stored (WriteStatus).
  if (!ctx.adopted) submitter_.Clear(UidOf(*ctx.object), api::SubmissionNumber(ctx.status));
  const std::string pod_name = ctx.status.driver_info.pod_name;
  // Only a confirmed absence counts: an error reading the pod is returned (retried with back-off), status as is.
  ASSIGN_OR_RETURN(const std::optional<kube::Pod> pod, FindDriverPod(ctx, pod_name, /*ask_server=*/true));
  if (!pod) {
    const int64_t grace = options_.driver_startup_grace.count();
    // The app id is taken from the driver pod the first time it is seen.
    const bool seen = !ctx.status.app_id.empty();
    if (!seen && Left(ctx.status.submission_time, grace) > 0) {
      RETURN_IF_ERROR(WriteStatus(ctx));  // An adoption is stored before waiting.
      return RequeueAfter(RequeueDelay(Left(ctx.status.submission_time, grace)));
    }
    return Terminate(
        ctx, true,
        seen ? "driver pod " + pod_name + " disappeared (deleted?)"
             : "driver pod " + pod_name + " did not appear within " + std::to_string(grace) + "s of submission");
  }
  EnsureDriverOwnedAndExposed(ctx, *pod);
  const DriverObservation driver = ObserveDriver(*pod);
  if (ctx.app && driver.state != AppState::kCompleted && driver.state != AppState::kFailed) {
    if (const std::vector<std::string> missing = MissingInitializerMounts(*ctx.app, *pod); !missing.empty()) {
      // Running the job without the configuration it asked for is worse than not running it.
      const Status deleted = client_->Delete(kube::resources::kPods, ctx.ns, pod_name);
      std::string list;
      for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
      return Terminate(ctx, true,
                       "driver pod " + pod_name + " was created without " + list +
                           ": the spark-operator-initializer webhook did not mutate it (is it installed, with its "
                           "MutatingWebhookConfiguration covering namespace " +
                           ctx.ns + "? see deploy/initializer-only); " +
                           (deleted.ok() || IsNotFound(deleted) ? "the pod was deleted rather than run without them"
                                                                : "deleting the pod failed: " + deleted.message()));
    }
  }
  if (!driver.app_id.empty()) ctx.status.app_id = driver.app_id;
  // Spark labels every driver with its app id; a pod that lacks it (not made by spark-submit) still needs one.
  if (ctx.status.app_id.empty()) {
    std::string uid = UidOf(*ctx.object);
    std::erase(uid, '-');
    ctx.status.app_id = "spark-" + uid;
  }
  ASSIGN_OR_RETURN(const std::vector<kube::Pod>* pods, AppPods(ctx));
  ctx.status.executor_state = ObserveExecutors(*pods, api::SubmissionNumber(ctx.status));

  if (driver.state == AppState::kCompleted) return Terminate(ctx, false, "");
  if (driver.state == AppState::kFailed) return Terminate(ctx, true, driver.error_message);
  const AppState before = ctx.state();
  ctx.status.application_state = {driver.state, driver.error_message};
  if (const auto wait = HoldWhileSubmitting(ctx); wait.count() > 0) return RequeueAfter(wait);
  if (const auto wait = HoldExecutorOnlyChange(ctx); wait.count() > 0) return RequeueAfter(wait);
  RETURN_IF_ERROR(WriteStatus(ctx));
  if (before != AppState::kRunning && driver.state == AppState::kRunning) {
    LOG(INFO) << ctx.Describe() << ": RUNNING (driver pod " << pod_name << ")";
    events_.Normal(*ctx.object, "SparkDriverRunning", "driver pod " + pod_name + " is running");
  }
  // Pod events drive the next step; this only catches a missed one, or comes back for a UI left for later.
  return RequeueAfter(ctx.ui_deferred ? kSlotRetry : std::chrono::seconds(60));
}

ReconcileResult Reconciler::Terminate(Context& ctx, bool failed, const std::string& message) {
  status_throttle_.Forget(ctx.key);
  const api::RestartPolicy policy = ctx.restart();
  const int runs = ctx.status.execution_attempts;
  const bool rerun =
      policy.type == api::RestartPolicyType::kAlways ||
      (policy.type == api::RestartPolicyType::kOnFailure && failed && runs <= policy.on_failure_retries.value_or(0));
  ctx.status.termination_time = kube::FormatTime(Now());
  ReleaseDriverUi(ctx);
  const std::string run = "run " + std::to_string(runs) + " (driver pod " + ctx.status.driver_info.pod_name + ")";
  if (rerun) {
    const int64_t interval = policy.on_failure_retry_interval.value_or(5);
    ctx.status.application_state = {AppState::kPendingRerun, message};
    RETURN_IF_ERROR(WriteStatus(ctx));
    const std::string text = run + (failed ? " failed: " + message : " completed") + "; running again in " +
                             std::to_string(interval) + "s (restartPolicy " + std::string(api::EnumName(*policy.type)) +
                             ")";
    LOG(INFO) << ctx.Describe() << ": PENDING_RERUN: " << text;
    if (failed) {
      events_.Warning(*ctx.object, "SparkApplicationPendingRerun", text);
    } else {
      events_.Normal(*ctx.object, "SparkApplicationPendingRerun", text);
    }
    metrics_.reruns.Increment();
    return RequeueAfter(RequeueDelay(interval));
  }
  ctx.status.application_state = {failed ? AppState::kFailed : AppState::kCompleted, message};
  RETURN_IF_ERROR(WriteStatus(ctx));
  if (failed) {
    LOG(WARNING) << ctx.Describe() << ": FAILED: " << run << ": " << message;
    events_.Warning(*ctx.object, "SparkApplicationFailed", run + " failed: " + message);
    metrics_.failed.Increment();
  } else {
    LOG(INFO) << ctx.Describe() << ": COMPLETED: " << run;
    events_.Normal(*ctx.object, "SparkApplicationCompleted", run + " completed");
    metrics_.completed.Increment();
  }
  return ReconcileFinished(ctx);
}

ReconcileResult Reconciler::ReconcileFinished(Context& ctx) {
  if (!ctx.status.driver_info.web_ui_service_name.empty()) {
    const std::optional<Slots::Slot> slot = ui_slots_.TryTake(ctx.key);
    if (!slot) return RequeueAfter(kSlotRetry);
    RETURN_IF_ERROR(DeleteDriverUi(*client_, *ctx.object, ctx.status.driver_info));
    RETURN_IF_ERROR(WriteStatus(ctx));
  }
  const api::RestartPolicy policy = ctx.restart();
  const AppState state = ctx.state();
  if (state == AppState::kCompleted || state == AppState::kFailed) {
    // An executor's last change can reach the cache after its driver's end: keep the states of the attempt's
    // executor pods current while they remain (a pod deleted since keeps its last state).
    ASSIGN_OR_RETURN(const std::vector<kube::Pod>* pods, AppPods(ctx));
    for (const auto& [name, observed] : ObserveExecutors(*pods, api::SubmissionNumber(ctx.status))) {
      ctx.status.executor_state[name] = observed;
    }
    if (const auto wait = HoldExecutorOnlyChange(ctx); wait.count() > 0) return RequeueAfter(wait);
    RETURN_IF_ERROR(WriteStatus(ctx));
  }
  if (state == AppState::kPendingRerun) {
    const int64_t interval = policy.on_failure_retry_interval.value_or(5);
    if (const int64_t left = Left(ctx.status.termination_time, interval); left > 0) {
      return RequeueAfter(RequeueDelay(left));
    }
    return StartAttempt(ctx);
  }
  if (state == AppState::kSubmissionFailed && ctx.app && policy.type != api::RestartPolicyType::kNever) {
    const int failures = ctx.status.submission_attempts - ctx.status.execution_attempts;
    if (policy.type == api::RestartPolicyType::kAlways ||
        failures <= policy.on_submission_failure_retries.value_or(0)) {
      const int64_t interval = policy.on_submission_failure_retry_interval.value_or(5);
      if (const int64_t left = Left(ctx.status.termination_time, interval); left > 0) {
        return RequeueAfter(RequeueDelay(left));
      }
      return StartAttempt(ctx);
    }
  }
  if (ctx.app && ctx.app->spec.time_to_live_seconds && !ctx.status.termination_time.empty()) {
    const int64_t ttl = *ctx.app->spec.time_to_live_seconds;
    if (const int64_t left = Left(ctx.status.termination_time, ttl); left > 0) return RequeueAfter(RequeueDelay(left));
    LOG(INFO) << ctx.Describe() << ": timeToLiveSeconds (" << ttl << ") passed, deleting the application";
    kube::DeleteOptions options;
    options.propagation = kube::Propagation::kBackground;
    options.precondition_uid = UidOf(*ctx.object);
    return client_->Delete(kube::resources::kSparkApplications, ctx.ns, ctx.name, options);
  }
  return {};
}

bool Reconciler::HoldSubmissionSlot(Context& ctx) {
  if (ctx.submission_slot) return true;
  std::optional<Slots::Slot> slot = submission_slots_.TryTake(ctx.key);
  if (!slot) return false;
  ctx.submission_slot = std::make_shared<const Slots::Slot>(std::move(*slot));
  return true;
}

}  // namespace spark_operator::controller
