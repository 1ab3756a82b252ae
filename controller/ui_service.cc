#include "controller/ui_service.h"

#include "common/base/json.h"
#include "controller/labels.h"

namespace spark_operator::controller {
namespace {

int NodePortOf(const rapidjson::Value& service) {
  const rapidjson::Value* ports = FindPath(service, {"spec", "ports"});
  if (ports == nullptr || !ports->IsArray() || ports->Empty()) return 0;
  return static_cast<int>(GetInt((*ports)[0], {"nodePort"}));
}

}  // namespace

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
  const std::string app_name = NameOf(app);
  rapidjson::Document svc(rapidjson::kObjectType);
  auto& a = svc.GetAllocator();
  SetString(svc, {"apiVersion"}, "v1");
  SetString(svc, {"kind"}, "Service");
  SetString(svc, {"metadata", "name"}, UiServiceName(app_name));
  SetString(svc, {"metadata", "namespace"}, NamespaceOf(app));
  SetString(svc, {"metadata", "labels", kAppNameLabel}, LabelValueFor(app_name));
  rapidjson::Value owners(rapidjson::kArrayType);
  owners.PushBack(OwnerReference(app, a), a);
  SetPath(svc, {"metadata", "ownerReferences"}, std::move(owners));
  SetString(svc, {"spec", "type"}, std::string(UiServiceTypeName(type)));
  SetString(svc, {"spec", "selector", kAppNameLabel}, LabelValueFor(app_name));
  SetString(svc, {"spec", "selector", kSparkRoleLabel}, "driver");
  SetString(svc, {"spec", "selector", kAttemptLabel}, std::to_string(attempt));
  rapidjson::Value port(rapidjson::kObjectType);
  port.AddMember("name", "spark-driver-ui-port", a);
  port.AddMember("protocol", "TCP", a);
  port.AddMember("port", ui_port, a);
  port.AddMember("targetPort", ui_port, a);
  rapidjson::Value ports(rapidjson::kArrayType);
  ports.PushBack(port, a);
  SetPath(svc, {"spec", "ports"}, std::move(ports));
  return svc;
}

Result<UiServiceInfo> EnsureUiService(kube::Client& client, const rapidjson::Value& app, int attempt, int ui_port,
                                      UiServiceType type) {
  const std::string ns = NamespaceOf(app);
  const std::string name = UiServiceName(NameOf(app));
  Result<rapidjson::Document> existing = client.Get(kube::resources::kServices, ns, name);
  if (!existing.ok() && !IsNotFound(existing.status())) return existing.status();
  if (!existing.ok()) {
    Result<rapidjson::Document> created =
        client.Create(kube::resources::kServices, ns, BuildUiService(app, attempt, ui_port, type));
    if (IsAlreadyExists(created.status())) return UnavailableError("service " + name + " appeared meanwhile");
    if (!created.ok()) return created.status();
    return UiServiceInfo{name, NodePortOf(*created)};
  }
  const std::string attempt_str = std::to_string(attempt);
  if (GetString(*existing, {"spec", "selector", kAttemptLabel}) != attempt_str) {
    // A rerun: the same Service follows the new driver.
    const std::string patch =
        R"({"spec":{"selector":{")" + std::string(kAttemptLabel) + R"(":")" + attempt_str + R"("}}})";
    Result<rapidjson::Document> patched =
        client.Patch(kube::resources::kServices, ns, name, kube::PatchType::kMerge, patch);
    if (!patched.ok()) return patched.status();
    return UiServiceInfo{name, NodePortOf(*patched)};
  }
  return UiServiceInfo{name, NodePortOf(*existing)};
}

Result<std::string> NodeAddress(kube::Client& client, const std::string& node_name) {
  ASSIGN_OR_RETURN(const rapidjson::Document node, client.Get(kube::resources::kNodes, "", node_name));
  const rapidjson::Value* addresses = FindPath(node, {"status", "addresses"});
  if (addresses == nullptr || !addresses->IsArray() || addresses->Empty()) {
    return NotFoundError("node " + node_name + " has no addresses");
  }
  for (const rapidjson::Value& address : addresses->GetArray()) {
    if (GetString(address, {"type"}) == "InternalIP") return GetString(address, {"address"});
  }
  return GetString((*addresses)[0], {"address"});
}

Status ExposeDriverUi(kube::Client& client, const rapidjson::Value& app, const rapidjson::Value& driver, int attempt,
                      int ui_port, UiServiceType type, api::DriverInfo& info) {
  if (type == UiServiceType::kNone) return OkStatus();
  ASSIGN_OR_RETURN(const UiServiceInfo service, EnsureUiService(client, app, attempt, ui_port, type));
  info.web_ui_service_name = service.name;
  if (service.node_port <= 0) {
    // A ClusterIP Service (or a NodePort one created as ClusterIP under an earlier setting): in-cluster only.
    info.web_ui_port = ui_port;
    info.web_ui_url = service.name + "." + NamespaceOf(app) + ".svc:" + std::to_string(ui_port);
    return OkStatus();
  }
  info.web_ui_port = service.node_port;
  const std::string node = GetString(driver, {"spec", "nodeName"});
  if (node.empty()) return OkStatus();  // Not scheduled yet: the URL follows once it is.
  ASSIGN_OR_RETURN(const std::string address, NodeAddress(client, node));
  info.web_ui_url = address + ":" + std::to_string(service.node_port);
  return OkStatus();
}

Status DeleteDriverUi(kube::Client& client, const rapidjson::Value& app, api::DriverInfo& info) {
  const std::string name = UiServiceName(NameOf(app));
  const Status deleted = client.Delete(kube::resources::kServices, NamespaceOf(app), name);
  if (!deleted.ok() && !IsNotFound(deleted)) return deleted.WithContext("deleting service " + name);
  info.web_ui_port.reset();
  info.web_ui_service_name.clear();
  info.web_ui_url.clear();
  return OkStatus();
}

}  // namespace spark_operator::controller
