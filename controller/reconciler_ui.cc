// The reconciler's steps for the driver's UI (controller/ui_service.h, controller/ui_ingress.h); apart from
// reconciler.cc so that the state machine reads on its own.
#include <glog/logging.h>

#include "controller/driver_pod.h"
#include "controller/labels.h"
#include "controller/reconcile_context.h"

namespace spark_operator::controller {

void Reconciler::EnsureDriverOwnedAndExposed(Context& ctx, const kube::Pod& pod) {
  if (const Status owned = EnsureOwnedByApp(*client_, pod, *ctx.object); !owned.ok()) {
    LOG(WARNING) << ctx.Describe() << ": owning driver pod: " << owned.ToString();
  }
  if (!ctx.app) return;
  api::DriverInfo& info = ctx.status.driver_info;
  const UiPlan plan = PlanUi(*ctx.app, options_.ui);
  const bool ingress_done = plan.ingress ? !info.web_ui_ingress_name.empty() : info.web_ui_ingress_name.empty();
  if (!info.web_ui_service_name.empty() && !info.web_ui_url.empty() && ingress_done) return;
  // A driver that has ended serves no UI; its Service would only be deleted again.
  if (pod.phase == "Succeeded" || pod.phase == "Failed") return;
  if (plan.type == UiServiceType::kNone) return;  // No Service, no Ingress: no slot needed.
  const std::optional<Slots::Slot> slot = ui_slots_.TryTake(ctx.key);
  if (!slot) {
    ctx.ui_deferred = true;
    return;
  }
  const Status exposed =
      ExposeDriverUi(*client_, *ctx.object, pod, api::SubmissionNumber(ctx.status), plan, info, node_addresses_);
  if (!exposed.ok()) LOG(WARNING) << ctx.Describe() << ": UI: " << exposed.ToString();
}

void Reconciler::ReleaseDriverUi(Context& ctx, bool wait) {
  const UiServiceType type = ctx.app ? PlanUi(*ctx.app, options_.ui).type : options_.ui.service_type;
  if (type == UiServiceType::kNone && ctx.status.driver_info.web_ui_service_name.empty()) return;
  const std::optional<Slots::Slot> slot = ui_slots_.TryTake(ctx.key);
  if (!slot && !wait) {
    // ReconcileFinished deletes it while the status names it: named also when only a create that timed out may
    // have made it. The driver has ended, so its URL no longer answers.
    ctx.status.driver_info.web_ui_service_name = UiServiceName(ctx.name);
    ctx.status.driver_info.web_ui_url.clear();
    return;
  }
  // Failing here only delays the deletion: ReconcileFinished tries again while the status names the Service.
  const Status deleted = DeleteDriverUi(*client_, *ctx.object, ctx.status.driver_info);
  if (!deleted.ok()) LOG(WARNING) << ctx.Describe() << ": UI: " << deleted.ToString();
}

}  // namespace spark_operator::controller
