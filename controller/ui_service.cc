#include "controller/ui_service.h"

#include "common/base/json.h"
#include "common/kube/service.h"
#include "controller/labels.h"
#include "controller/submit/submission.h"
#include "controller/ui_ingress.h"

namespace spark_operator::controller {
namespace {

int NodePortOf(const kube::Service& service) {
  return service.ports.empty() ? 0 : static_cast<int>(service.ports[0].node_port);
}

// Whether `existing` has what `desired` (with its one port) asks for, the attempt selector aside (a rerun only
// moves that).
bool HasShape(const kube::Service& existing, const kube::Service& desired) {
  if (existing.type != desired.type || existing.ports.size() != 1) return false;
  const kube::ServicePort& have = existing.ports[0];
  const kube::ServicePort& want = desired.ports[0];
  if (have.port != want.port || have.target_port != want.target_port || have.name != want.name) return false;
  return CarriesMetadata(existing.meta, desired.meta);
}

}  // namespace

bool CarriesMetadata(const kube::ObjectMeta& existing, const kube::ObjectMeta& desired) {
  for (const auto& [key, value] : desired.labels) {
    if (existing.Label(key) != value) return false;
  }
  for (const auto& [key, value] : desired.annotations) {
    if (existing.Annotation(key) != value) return false;
  }
  return true;
}

std::optional<api::IngressUrl> UiIngressUrl(const api::SparkApplication& app, const std::string& default_format) {
  const std::string& format = app.spec.spark_ui_options.ingress_url_format.empty()
                                  ? default_format
                                  : app.spec.spark_ui_options.ingress_url_format;
  if (format.empty()) return std::nullopt;
  Result<api::IngressUrl> url = api::ExpandIngressUrl(format, app.metadata.name, app.metadata.namespace_);
  if (!url.ok()) return std::nullopt;
  return std::move(*url);
}

UiPlan PlanUi(const api::SparkApplication& app, const UiDefaults& defaults) {
  const api::SparkUIOptions& options = app.spec.spark_ui_options;
  UiPlan plan;
  plan.type = defaults.service_type;
  if (options.service_type) {
    plan.type =
        *options.service_type == api::UiServiceKind::kClusterIP ? UiServiceType::kClusterIP : UiServiceType::kNodePort;
  }
  plan.ui_port = SparkUiPort(app);
  plan.service_port = options.service_port.value_or(plan.ui_port);
  if (!options.service_port_name.empty()) plan.port_name = options.service_port_name;
  plan.service_annotations = options.service_annotations;
  plan.service_labels = options.service_labels;
  plan.ingress = UiIngressUrl(app, defaults.ingress_url_format);
  if (plan.ingress && plan.type == UiServiceType::kNone) plan.type = UiServiceType::kClusterIP;
  plan.ingress_class = options.ingress_class_name.empty() ? defaults.ingress_class_name : options.ingress_class_name;
  plan.ingress_annotations = options.ingress_annotations;
  plan.ingress_tls = options.ingress_tls;
  return plan;
}

rapidjson::Value OwnerReference(const rapidjson::Value& owner, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value ref(rapidjson::kObjectType);
  ref.AddMember("apiVersion", JsonString(GetString(owner, {"apiVersion"}), a), a);
  ref.AddMember("kind", JsonString(GetString(owner, {"kind"}), a), a);
  ref.AddMember("name", JsonString(NameOf(owner), a), a);
  ref.AddMember("uid", JsonString(UidOf(owner), a), a);
  ref.AddMember("controller", true, a);
  // Foreground deletion of the app then waits for what it owns.
  ref.AddMember("blockOwnerDeletion", true, a);
  return ref;
}

Result<UiServiceType> ParseUiServiceType(std::string_view text) {
  for (const UiServiceType type : {UiServiceType::kNodePort, UiServiceType::kClusterIP, UiServiceType::kNone}) {
    if (text == UiServiceTypeName(type)) return type;
  }
  return InvalidArgumentError("--ui-service-type must be NodePort, ClusterIP or None, not \"" + std::string(text) +
                              "\"");
}

std::string_view UiServiceTypeName(UiServiceType type) {
  switch (type) {
    case UiServiceType::kNodePort:
      return "NodePort";
    case UiServiceType::kClusterIP:
      return "ClusterIP";
    case UiServiceType::kNone:
      return "None";
  }
  return "";
}

rapidjson::Document BuildUiService(const rapidjson::Value& app, int attempt, int ui_port, UiServiceType type) {
  UiPlan plan;
  plan.type = type;
  plan.ui_port = ui_port;
  plan.service_port = ui_port;
  return BuildUiService(app, attempt, plan);
}

rapidjson::Document BuildUiService(const rapidjson::Value& app, int attempt, const UiPlan& plan) {
  const std::string app_name = NameOf(app);
  rapidjson::Document svc(rapidjson::kObjectType);
  auto& a = svc.GetAllocator();
  SetString(svc, {"apiVersion"}, "v1");
  SetString(svc, {"kind"}, "Service");
  SetString(svc, {"metadata", "name"}, UiServiceName(app_name));
  SetString(svc, {"metadata", "namespace"}, NamespaceOf(app));
  for (const auto& [key, value] : plan.service_labels) SetString(svc, {"metadata", "labels", key}, value);
  for (const auto& [key, value] : plan.service_annotations) SetString(svc, {"metadata", "annotations", key}, value);
  // The Service is found by this label; the user's labels cannot take it.
  SetString(svc, {"metadata", "labels", kAppNameLabel}, LabelValueFor(app_name));
  rapidjson::Value owners(rapidjson::kArrayType);
  owners.PushBack(OwnerReference(app, a), a);
  SetPath(svc, {"metadata", "ownerReferences"}, std::move(owners));
  SetString(svc, {"spec", "type"}, std::string(UiServiceTypeName(plan.type)));
  SetString(svc, {"spec", "selector", kAppNameLabel}, LabelValueFor(app_name));
  SetString(svc, {"spec", "selector", kSparkRoleLabel}, "driver");
  SetString(svc, {"spec", "selector", kAttemptLabel}, std::to_string(attempt));
  rapidjson::Value port(rapidjson::kObjectType);
  port.AddMember("name", JsonString(plan.port_name, a), a);
  port.AddMember("protocol", "TCP", a);
  port.AddMember("port", plan.service_port, a);
  port.AddMember("targetPort", plan.ui_port, a);
  rapidjson::Value ports(rapidjson::kArrayType);
  ports.PushBack(port, a);
  SetPath(svc, {"spec", "ports"}, std::move(ports));
  return svc;
}

Result<UiServiceInfo> EnsureUiService(kube::Client& client, const rapidjson::Value& app, int attempt,
                                      const UiPlan& plan, bool likely_missing) {
  const std::string ns = NamespaceOf(app);
  const std::string name = UiServiceName(NameOf(app));
  const rapidjson::Document desired = BuildUiService(app, attempt, plan);
  if (likely_missing) {
    // A new driver's Service: creating it without reading first spares a request per app; one that is there
    // after all is read and handled below.
    Result<rapidjson::Document> created = client.Create(kube::resources::kServices, ns, desired);
    if (created.ok()) return UiServiceInfo{name, NodePortOf(kube::ParseService(*created))};
    if (!IsAlreadyExists(created.status())) return created.status();
  }
  const Result<rapidjson::Document> read = client.Get(kube::resources::kServices, ns, name);
  if (!read.ok() && !IsNotFound(read.status())) return read.status();
  if (likely_missing && !read.ok()) return UnavailableError("service " + name + " went meanwhile");
  const std::optional<kube::Service> existing =
      read.ok() ? std::optional<kube::Service>(kube::ParseService(*read)) : std::nullopt;
  if (existing && !HasShape(*existing, kube::ParseService(desired))) {
    // Made for an earlier spec: a type change cannot be patched in place (node ports), so it is made anew.
    kube::DeleteOptions options;
    options.precondition_uid = existing->meta.uid;
    const Status deleted = client.Delete(kube::resources::kServices, ns, name, options);
    if (!deleted.ok() && !IsNotFound(deleted) && !IsConflict(deleted)) return deleted;
    return UnavailableError("service " + name + " was made for an earlier spec; making it again");
  }
  if (!existing) {
    Result<rapidjson::Document> created = client.Create(kube::resources::kServices, ns, desired);
    if (IsAlreadyExists(created.status())) return UnavailableError("service " + name + " appeared meanwhile");
    if (!created.ok()) return created.status();
    return UiServiceInfo{name, NodePortOf(kube::ParseService(*created))};
  }
  const std::string attempt_str = std::to_string(attempt);
  if (const auto selected = existing->selector.find(kAttemptLabel);
      selected == existing->selector.end() || selected->second != attempt_str) {
    // A rerun: the same Service follows the new driver.
    rapidjson::Document patch(rapidjson::kObjectType);
    SetString(patch, {"spec", "selector", kAttemptLabel}, attempt_str);
    Result<rapidjson::Document> patched =
        client.Patch(kube::resources::kServices, ns, name, kube::PatchType::kMerge, ToJson(patch));
    if (!patched.ok()) return patched.status();
    return UiServiceInfo{name, NodePortOf(kube::ParseService(*patched))};
  }
  return UiServiceInfo{name, NodePortOf(*existing)};
}

Result<std::string> NodeAddress(kube::Client& client, const std::string& node_name) {
  ASSIGN_OR_RETURN(const rapidjson::Document object, client.Get(kube::resources::kNodes, "", node_name));
  const kube::Node node = kube::ParseNode(object);
  if (node.addresses.empty()) return NotFoundError("node " + node_name + " has no addresses");
  for (const kube::NodeAddress& address : node.addresses) {
    if (address.type == "InternalIP") return address.address;
  }
  return node.addresses[0].address;
}

NodeAddresses::NodeAddresses(std::chrono::seconds ttl) : ttl_(ttl) {}

Result<std::string> NodeAddresses::Get(kube::Client& client, const std::string& node_name) {
  const auto now = std::chrono::steady_clock::now();
  {
    const std::lock_guard lock(mu_);
    if (const auto it = known_.find(node_name); it != known_.end() && now - it->second.read < ttl_) {
      return it->second.address;
    }
  }
  ASSIGN_OR_RETURN(std::string address, NodeAddress(client, node_name));
  const std::lock_guard lock(mu_);
  if (known_.size() >= kMaxNodes) known_.clear();  // Bounded; a cluster's nodes are read again.
  known_[node_name] = {address, now};
  return address;
}

Status ExposeDriverUi(kube::Client& client, const rapidjson::Value& app, const kube::Pod& driver, int attempt,
                      const UiPlan& plan, api::DriverInfo& info, NodeAddresses& nodes) {
  if (plan.type == UiServiceType::kNone) return OkStatus();
  ASSIGN_OR_RETURN(const UiServiceInfo service,
                   EnsureUiService(client, app, attempt, plan, /*likely_missing=*/info.web_ui_service_name.empty()));
  info.web_ui_service_name = service.name;
  if (plan.ingress) {
    RETURN_IF_ERROR(EnsureUiIngress(client, app, plan));
    info.web_ui_ingress_name = UiIngressName(NameOf(app));
    info.web_ui_ingress_address = UiIngressAddress(plan);
  } else if (!info.web_ui_ingress_name.empty()) {
    RETURN_IF_ERROR(DeleteUiIngress(client, app));  // The spec no longer asks for one.
    info.web_ui_ingress_name.clear();
    info.web_ui_ingress_address.clear();
  }
  if (service.node_port <= 0) {
    // A ClusterIP Service (or a NodePort one created as ClusterIP under an earlier setting): in-cluster only.
    info.web_ui_port = plan.service_port;
    info.web_ui_url = service.name + "." + NamespaceOf(app) + ".svc:" + std::to_string(plan.service_port);
    return OkStatus();
  }
  info.web_ui_port = service.node_port;
  if (driver.node_name.empty()) return OkStatus();  // Not scheduled yet: the URL follows once it is.
  ASSIGN_OR_RETURN(const std::string address, nodes.Get(client, driver.node_name));
  info.web_ui_url = address + ":" + std::to_string(service.node_port);
  return OkStatus();
}

Status DeleteDriverUi(kube::Client& client, const rapidjson::Value& app, api::DriverInfo& info) {
  const std::string name = UiServiceName(NameOf(app));
  const Status deleted = client.Delete(kube::resources::kServices, NamespaceOf(app), name);
  if (!deleted.ok() && !IsNotFound(deleted)) return deleted.WithContext("deleting service " + name);
  if (!info.web_ui_ingress_name.empty()) RETURN_IF_ERROR(DeleteUiIngress(client, app));
  info.web_ui_ingress_name.clear();
  info.web_ui_ingress_address.clear();
  info.web_ui_port.reset();
  info.web_ui_service_name.clear();
  info.web_ui_url.clear();
  return OkStatus();
}

}  // namespace spark_operator::controller
