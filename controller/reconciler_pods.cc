// The reconciler's reads of pods: each pod is parsed into a kube::Pod where it is read, the app's pods once per
// reconcile, and handed on as values.
#include "controller/reconcile_context.h"

namespace spark_operator::controller {

Result<std::optional<kube::Pod>> Reconciler::FindDriverPod(Context& ctx, const std::string& name, bool ask_server) {
  if (kube::ObjectPtr cached = caches_.pod(ctx.ns + "/" + name); cached != nullptr) {
    if (cached != ctx.driver_object) {
      ctx.driver = kube::ParsePod(*cached);
      ctx.driver_object = std::move(cached);
    }
    return std::optional<kube::Pod>(ctx.driver);
  }
  if (!ask_server) return std::optional<kube::Pod>();
  if (!PodsListed()) return PodsNotListed(ctx);
  Result<rapidjson::Document> pod = client_->Get(kube::resources::kPods, ctx.ns, name);
  if (pod.ok()) return std::optional<kube::Pod>(kube::ParsePod(*pod));
  if (IsNotFound(pod.status())) return std::optional<kube::Pod>();
  return pod.status().WithContext("reading driver pod " + ctx.ns + "/" + name);
}

Result<const std::vector<kube::Pod>*> Reconciler::AppPods(Context& ctx) const {
  if (ctx.pods) return &*ctx.pods;
  if (!PodsListed()) return PodsNotListed(ctx);
  ctx.pods.emplace();
  for (const kube::ObjectPtr& pod : caches_.app_pods(ctx.ns, ctx.name)) {
    ctx.pods->push_back(pod == ctx.driver_object ? ctx.driver : kube::ParsePod(*pod));
  }
  return &*ctx.pods;
}

Status Reconciler::PodsNotListed(Context& ctx) {
  ctx.waiting_for_pods = true;
  return UnavailableError("the pod cache is not full yet");
}

std::vector<kube::Pod> Reconciler::CachedAppPods(const std::string& ns, const std::string& name) const {
  std::vector<kube::Pod> pods;
  for (const kube::ObjectPtr& pod : caches_.app_pods(ns, name)) pods.push_back(kube::ParsePod(*pod));
  return pods;
}

}  // namespace spark_operator::controller
