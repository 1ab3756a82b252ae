// The reconciler's reads of pods: each pod is parsed into a kube::Pod where it is read, the app's pods once per
// reconcile, and handed on as values.
#include "controller/reconcile_context.h"

namespace spark_operator::controller {

Result<std::optional<kube::Pod>> Reconciler::FindDriverPod(const std::string& ns, const std::string& name,
                                                           bool ask_server) {
  if (kube::ObjectPtr cached = caches_.pod(ns + "/" + name); cached != nullptr) {
    return std::optional<kube::Pod>(kube::ParsePod(*cached));
  }
  if (!ask_server) return std::optional<kube::Pod>();
  Result<rapidjson::Document> pod = client_->Get(kube::resources::kPods, ns, name);
  if (pod.ok()) return std::optional<kube::Pod>(kube::ParsePod(*pod));
  if (IsNotFound(pod.status())) return std::optional<kube::Pod>();
  return pod.status().WithContext("reading driver pod " + ns + "/" + name);
}

const std::vector<kube::Pod>& Reconciler::AppPods(Context& ctx) const {
  if (!ctx.pods) ctx.pods = CachedAppPods(ctx.ns, ctx.name);
  return *ctx.pods;
}

std::vector<kube::Pod> Reconciler::CachedAppPods(const std::string& ns, const std::string& name) const {
  std::vector<kube::Pod> pods;
  for (const kube::ObjectPtr& pod : caches_.app_pods(ns, name)) pods.push_back(kube::ParsePod(*pod));
  return pods;
}

}  // namespace spark_operator::controller
