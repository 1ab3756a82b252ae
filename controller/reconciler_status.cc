// The reconciler's status writes: which change waits (controller/status_throttle.h) and how a write is stored;
// apart from reconciler.cc so that the state machine reads on its own.
#include <glog/logging.h>

#include <utility>

#include "api/spark_application.h"
#include "common/base/json.h"
#include "controller/cache_transform.h"
#include "controller/reconcile_context.h"
#include "controller/reconciler.h"

namespace spark_operator::controller {

std::chrono::milliseconds Reconciler::HoldExecutorOnlyChange(Context& ctx) {
  api::SparkApplicationStatus without_executors = ctx.status;
  without_executors.executor_state = ctx.old_status.executor_state;
  if (ctx.status == ctx.old_status || without_executors != ctx.old_status) return std::chrono::milliseconds(0);
  const std::chrono::milliseconds wait = status_throttle_.Reserve(ctx.key, options_.executor_status_wait);
  if (wait.count() > 0) PutBack(ctx);
  return wait;
}

std::chrono::milliseconds Reconciler::HoldWhileSubmitting(Context& ctx) {
  // While native submissions queue, each of them waits on the API server's answers (bench/scale.sh: a lane's time
  // per app grows with what else the server takes at once), and a write of an app's status is one of its dearest
  // requests: a submission that waits is worth more to users than a state a few seconds fresher. The first held
  // change waits the longest; the write then carries every change made meanwhile, and a driver's end never waits
  // (the caller ends the app before this). A UI just made is stored at once: its Service exists and the user may
  // open it.
  if (options_.status_wait_while_submitting.count() == 0 || ctx.status == ctx.old_status ||
      submitter_.QueuedNative() == 0) {
    return std::chrono::milliseconds(0);
  }
  const api::DriverInfo& now = ctx.status.driver_info;
  const api::DriverInfo& stored = ctx.old_status.driver_info;
  if (now.web_ui_service_name != stored.web_ui_service_name || now.web_ui_url != stored.web_ui_url ||
      now.web_ui_ingress_name != stored.web_ui_ingress_name) {
    return std::chrono::milliseconds(0);
  }
  const std::chrono::milliseconds wait = status_throttle_.Reserve(ctx.key, options_.status_wait_while_submitting);
  if (wait.count() > 0) PutBack(ctx);
  return wait;
}

void Reconciler::PutBack(Context& ctx) {
  ctx.status = ctx.old_status;
  ctx.held = true;
  // An adoption not stored is made again by the next reconcile, which finds the driver pod as this one did.
  ctx.adopted.reset();
}

Status Reconciler::WriteStatus(Context& ctx) {
  if (ctx.status == ctx.old_status) return OkStatus();
  rapidjson::Document doc = CopyJson(*ctx.object);
  const rapidjson::Document status = api::StatusToJson(ctx.status);
  SetPath(doc, {"status"}, rapidjson::Value(status, doc.GetAllocator()));
  ASSIGN_OR_RETURN(rapidjson::Document updated, client_->UpdateStatus(kube::resources::kSparkApplications, doc));
  const std::string replaced = GetString(*ctx.object, {"metadata", "resourceVersion"});
  // Kept until the cache catches up, so trimmed as the cache trims.
  TrimAppForCache(updated);
  ctx.object = own_writes_.Record(ctx.key, replaced, updated);
  ctx.old_status = ctx.status;
  if (!ctx.held) status_throttle_.Forget(ctx.key);  // This write carried every change that waited.
  if (ctx.adopted) {
    const std::string message = *std::exchange(ctx.adopted, std::nullopt);
    submitter_.Clear(UidOf(*ctx.object), api::SubmissionNumber(ctx.status));
    LOG(INFO) << ctx.Describe() << ": SUBMITTED: " << message;
    events_.Normal(*ctx.object, "SparkApplicationSubmitted", message);
    metrics_.submitted.Increment();
  }
  return OkStatus();
}

void Reconciler::RecordObservedGeneration(Context& ctx) {
  // In the status, so that the next status write records it together with the state it explains; that write is
  // conditional on the resourceVersion read with the generation.
  ctx.status.observed_generation = ctx.generation;
  ctx.observed_generation = ctx.generation;
}

}  // namespace spark_operator::controller
