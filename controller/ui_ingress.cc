#include "controller/ui_ingress.h"

#include "common/base/json.h"
#include "controller/labels.h"

namespace spark_operator::controller {
namespace {

constexpr char kRewriteTarget[] = "nginx.ingress.kubernetes.io/rewrite-target";

bool TlsCovers(const api::IngressTLS& tls, const std::string& host) {
  if (tls.hosts.empty()) return true;  // The certificate of the controller's default host.
  for (const std::string& h : tls.hosts) {
    if (h == host) return true;
    if (h.rfind("*.", 0) == 0) {
      const size_t dot = host.find('.');
      if (dot != std::string::npos && host.substr(dot) == h.substr(1)) return true;
    }
  }
  return false;
}

}  // namespace

rapidjson::Document BuildUiIngress(const rapidjson::Value& app, const UiPlan& plan) {
  const api::IngressUrl& url = *plan.ingress;
  const std::string app_name = NameOf(app);
  rapidjson::Document ing(rapidjson::kObjectType);
  auto& a = ing.GetAllocator();
  SetString(ing, {"apiVersion"}, "networking.k8s.io/v1");
  SetString(ing, {"kind"}, "Ingress");
  SetString(ing, {"metadata", "name"}, UiIngressName(app_name));
  SetString(ing, {"metadata", "namespace"}, NamespaceOf(app));
  SetString(ing, {"metadata", "labels", kAppNameLabel}, LabelValueFor(app_name));
  // The user's annotations win, so that another ingress controller's way of stripping the path can replace it.
  if (!url.path.empty()) SetString(ing, {"metadata", "annotations", kRewriteTarget}, "/$2");
  for (const auto& [key, value] : plan.ingress_annotations) SetString(ing, {"metadata", "annotations", key}, value);
  rapidjson::Value owners(rapidjson::kArrayType);
  owners.PushBack(OwnerReference(app, a), a);
  SetPath(ing, {"metadata", "ownerReferences"}, std::move(owners));

  rapidjson::Document path(rapidjson::kObjectType);
  if (url.path.empty()) {
    SetString(path, {"path"}, "/");
    SetString(path, {"pathType"}, "Prefix");
  } else {
    SetString(path, {"path"}, url.path + "(/|$)(.*)");
    SetString(path, {"pathType"}, "ImplementationSpecific");
  }
  SetString(path, {"backend", "service", "name"}, UiServiceName(app_name));
  SetPath(path, {"backend", "service", "port", "number"}, rapidjson::Value(plan.service_port));
  rapidjson::Value paths(rapidjson::kArrayType);
  paths.PushBack(rapidjson::Value(path, a), a);
  rapidjson::Document rule(rapidjson::kObjectType);
  SetString(rule, {"host"}, url.host);
  SetPath(rule, {"http", "paths"}, rapidjson::Value(paths, rule.GetAllocator()));
  rapidjson::Value rules(rapidjson::kArrayType);
  rules.PushBack(rapidjson::Value(rule, a), a);
  if (!plan.ingress_class.empty()) SetString(ing, {"spec", "ingressClassName"}, plan.ingress_class);
  SetPath(ing, {"spec", "rules"}, std::move(rules));
  if (!plan.ingress_tls.empty()) {
    rapidjson::Value tls(rapidjson::kArrayType);
    for (const api::IngressTLS& entry : plan.ingress_tls) {
      rapidjson::Value item(rapidjson::kObjectType);
      if (!entry.hosts.empty()) {
        rapidjson::Value hosts(rapidjson::kArrayType);
        for (const std::string& h : entry.hosts) hosts.PushBack(JsonString(h, a), a);
        item.AddMember("hosts", hosts, a);
      }
      if (!entry.secret_name.empty()) item.AddMember("secretName", JsonString(entry.secret_name, a), a);
      tls.PushBack(item, a);
    }
    SetPath(ing, {"spec", "tls"}, std::move(tls));
  }
  return ing;
}

std::string UiIngressAddress(const UiPlan& plan) {
  const api::IngressUrl& url = *plan.ingress;
  bool tls = false;
  for (const api::IngressTLS& entry : plan.ingress_tls) tls = tls || TlsCovers(entry, url.host);
  return url.Address(tls ? "https" : "http");
}

Status EnsureUiIngress(kube::Client& client, const rapidjson::Value& app, const UiPlan& plan) {
  const std::string ns = NamespaceOf(app);
  const std::string name = UiIngressName(NameOf(app));
  rapidjson::Document desired = BuildUiIngress(app, plan);
  Result<rapidjson::Document> existing = client.Get(kube::resources::kIngresses, ns, name);
  if (!existing.ok() && !IsNotFound(existing.status())) return existing.status().WithContext("reading ingress " + name);
  if (!existing.ok()) {
    const Result<rapidjson::Document> created = client.Create(kube::resources::kIngresses, ns, desired);
    if (IsAlreadyExists(created.status())) return UnavailableError("ingress " + name + " appeared meanwhile");
    return created.status().WithContext("creating ingress " + name);
  }
  const rapidjson::Value* spec = FindPath(*existing, {"spec"});
  const kube::ObjectMeta meta = kube::ParseObjectMeta(*existing);
  if (spec != nullptr && *spec == desired["spec"] && CarriesMetadata(meta, kube::ParseObjectMeta(desired))) {
    return OkStatus();
  }
  // Made for an earlier spec: replaced whole (the update is conditional on the version read).
  SetString(desired, {"metadata", "resourceVersion"}, meta.resource_version);
  return client.Update(kube::resources::kIngresses, desired).status().WithContext("updating ingress " + name);
}

Status DeleteUiIngress(kube::Client& client, const rapidjson::Value& app) {
  const std::string name = UiIngressName(NameOf(app));
  const Status deleted = client.Delete(kube::resources::kIngresses, NamespaceOf(app), name);
  if (!deleted.ok() && !IsNotFound(deleted)) return deleted.WithContext("deleting ingress " + name);
  return OkStatus();
}

}  // namespace spark_operator::controller
