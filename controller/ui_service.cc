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

rapidjson::Document BuildUiService(const rapidjson::Value& app, int attempt, int ui_port) {
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
  SetString(svc, {"spec", "type"}, "NodePort");
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

Result<UiServiceInfo> EnsureUiService(kube::Client& client, const rapidjson::Value& app, int attempt, int ui_port) {
  const std::string ns = NamespaceOf(app);
  const std::string name = UiServiceName(NameOf(app));
  Result<rapidjson::Document> existing = client.Get(kube::resources::kServices, ns, name);
  if (!existing.ok() && !IsNotFound(existing.status())) return existing.status();
  if (!existing.ok()) {
    Result<rapidjson::Document> created =
        client.Create(kube::resources::kServices, ns, BuildUiService(app, attempt, ui_port));
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

}  // namespace spark_operator::controller
