#include "controller/tenant_objects.h"

#include <string_view>

#include "api/quantity.h"
#include "common/base/json.h"

namespace spark_operator::controller {
namespace {

constexpr char kRbacApiVersion[] = "rbac.authorization.k8s.io/v1";

rapidjson::Document Base(const char* api_version, const char* kind, const std::string& ns, const std::string& name,
                         const std::string& tenant) {
  rapidjson::Document doc(rapidjson::kObjectType);
  SetString(doc, {"apiVersion"}, api_version);
  SetString(doc, {"kind"}, kind);
  SetString(doc, {"metadata", "name"}, name);
  if (!ns.empty()) SetString(doc, {"metadata", "namespace"}, ns);
  SetString(doc, {"metadata", "labels", "app.kubernetes.io/managed-by"}, "spark-operator");
  SetString(doc, {"metadata", "labels", "app.kubernetes.io/part-of"}, "spark-operator");
  SetString(doc, {"metadata", "labels", kTenantLabel}, tenant);
  return doc;
}

bool HasLimits(const api::TenantDefaults& d) {
  return !d.requests.cpu.empty() || !d.requests.memory.empty() || !d.limits.cpu.empty() || !d.limits.memory.empty();
}

void SetAmounts(rapidjson::Value& limit, const char* field, const api::ResourceAmounts& amounts,
                rapidjson::Document::AllocatorType& a) {
  if (amounts.cpu.empty() && amounts.memory.empty()) return;
  rapidjson::Value values(rapidjson::kObjectType);
  if (!amounts.cpu.empty()) values.AddMember("cpu", JsonString(KubernetesCpu(amounts.cpu), a), a);
  if (!amounts.memory.empty()) values.AddMember("memory", JsonString(KubernetesMemory(amounts.memory), a), a);
  limit.AddMember(rapidjson::StringRef(field), values, a);
}

TenantObject Quota(const api::SparkTenant& tenant) {
  const std::string& ns = tenant.spec.namespace_.name;
  const api::TenantQuota& q = tenant.spec.quota;
  rapidjson::Document quota = Base("v1", "ResourceQuota", ns, kTenantQuotaObjectName, tenant.metadata.name);
  SetPath(quota, {"spec", "hard"}, rapidjson::Value(rapidjson::kObjectType));
  if (!q.cpu.empty()) SetString(quota, {"spec", "hard", "requests.cpu"}, KubernetesCpu(q.cpu));
  if (!q.memory.empty()) SetString(quota, {"spec", "hard", "requests.memory"}, KubernetesMemory(q.memory));
  if (q.pods) SetString(quota, {"spec", "hard", "pods"}, std::to_string(*q.pods));
  return {&kube::resources::kResourceQuotas, "ResourceQuota", kTenantQuotaObjectName, std::move(quota)};
}

TenantObject Limits(const api::SparkTenant& tenant) {
  rapidjson::Document range =
      Base("v1", "LimitRange", tenant.spec.namespace_.name, kTenantLimitRangeName, tenant.metadata.name);
  auto& a = range.GetAllocator();
  rapidjson::Value limit(rapidjson::kObjectType);
  // Type Container: a LimitRange has defaults only per container. Spark sets its container's requests, so they
  // reach sidecars and init containers only, and admission counts them (controller/admission.h).
  limit.AddMember("type", "Container", a);
  SetAmounts(limit, "default", tenant.spec.defaults.limits, a);
  SetAmounts(limit, "defaultRequest", tenant.spec.defaults.requests, a);
  rapidjson::Value limits(rapidjson::kArrayType);
  limits.PushBack(limit, a);
  SetPath(range, {"spec", "limits"}, std::move(limits));
  return {&kLimitRanges, "LimitRange", kTenantLimitRangeName, std::move(range)};
}

TenantObject MembersBinding(const api::SparkTenant& tenant) {
  const std::string& ns = tenant.spec.namespace_.name;
  rapidjson::Document binding = Base(kRbacApiVersion, "RoleBinding", ns, kMembersBindingName, tenant.metadata.name);
  SetString(binding, {"roleRef", "apiGroup"}, "rbac.authorization.k8s.io");
  SetString(binding, {"roleRef", "kind"}, "ClusterRole");
  SetString(binding, {"roleRef", "name"}, kMemberClusterRole);
  auto& a = binding.GetAllocator();
  rapidjson::Value subjects(rapidjson::kArrayType);
  for (const api::TenantMember& member : tenant.spec.members) {
    rapidjson::Value subject(rapidjson::kObjectType);
    const api::MemberKind kind = member.kind.value_or(api::MemberKind::kUser);
    subject.AddMember("kind", JsonString(api::EnumName(kind), a), a);
    subject.AddMember("name", JsonString(member.name, a), a);
    if (kind == api::MemberKind::kServiceAccount) {
      subject.AddMember("namespace", JsonString(member.namespace_, a), a);
    } else {
      subject.AddMember("apiGroup", "rbac.authorization.k8s.io", a);
    }
    subjects.PushBack(subject, a);
  }
  // An empty list, not a missing one: applying without subjects must take away the ones applied before.
  SetPath(binding, {"subjects"}, std::move(subjects));
  return {&kube::resources::kRoleBindings, "RoleBinding", kMembersBindingName, std::move(binding)};
}

std::string QuotaValue(const rapidjson::Value& quota, const char* where, const char* resource) {
  const rapidjson::Value* values = FindPath(quota, {"status", where});
  if (values == nullptr || !values->IsObject()) return "";
  return GetString(*values, {resource});
}

// Quantities as the API server may rewrite them: "2000m" for "2", "4096Mi" for "4Gi".
bool SameQuantity(const std::string& a, const std::string& b) {
  const Result<int64_t> cpu_a = api::ParseCpuMillis(a);
  const Result<int64_t> cpu_b = api::ParseCpuMillis(b);
  if (cpu_a.ok() && cpu_b.ok()) return *cpu_a == *cpu_b;
  const Result<int64_t> bytes_a = api::ParseKubernetesMemoryBytes(a);
  const Result<int64_t> bytes_b = api::ParseKubernetesMemoryBytes(b);
  return bytes_a.ok() && bytes_b.ok() && *bytes_a == *bytes_b;
}

bool Empty(const rapidjson::Value& v) { return (v.IsArray() && v.Empty()) || (v.IsObject() && v.ObjectEmpty()); }

// `quantities`: inside a map of resource amounts (a quota's hard, a LimitRange's default and defaultRequest).
bool Matches(const rapidjson::Value& live, const rapidjson::Value& wanted, bool quantities, bool top) {
  if (wanted.IsObject()) {
    if (!live.IsObject()) return false;
    for (const auto& member : wanted.GetObject()) {
      const std::string_view key(member.name.GetString(), member.name.GetStringLength());
      if (top && (key == "apiVersion" || key == "kind")) continue;
      const auto it = live.FindMember(member.name);
      if (it == live.MemberEnd()) {
        if (Empty(member.value)) continue;
        return false;
      }
      const bool amounts = key == "hard" || key == "default" || key == "defaultRequest" || key == "max" ||
                           key == "min" || key == "maxLimitRequestRatio";
      if (!Matches(it->value, member.value, quantities || amounts, false)) return false;
    }
    return true;
  }
  if (wanted.IsArray()) {
    if (!live.IsArray() || live.Size() != wanted.Size()) return false;
    for (rapidjson::SizeType i = 0; i < wanted.Size(); ++i) {
      if (!Matches(live[i], wanted[i], quantities, false)) return false;
    }
    return true;
  }
  if (quantities && wanted.IsString() && live.IsString()) {
    return std::string_view(live.GetString()) == wanted.GetString() ||
           SameQuantity(live.GetString(), wanted.GetString());
  }
  return live == wanted;
}

}  // namespace

bool HasQuota(const api::TenantQuota& quota) { return !quota.cpu.empty() || !quota.memory.empty() || quota.pods; }

bool AppliedAsWanted(const rapidjson::Value& live, const rapidjson::Value& wanted) {
  return Matches(live, wanted, false, true);
}

std::vector<TenantObject> BuildTenantManifest(const api::SparkTenant& tenant) {
  const std::string& ns = tenant.spec.namespace_.name;
  const std::string& name = tenant.metadata.name;
  std::vector<TenantObject> out;

  rapidjson::Document nsobj = Base("v1", "Namespace", "", ns, name);
  for (const auto& [key, value] : tenant.spec.namespace_.labels) {
    if (key != kTenantLabel) SetString(nsobj, {"metadata", "labels", key.c_str()}, value);
  }
  for (const auto& [key, value] : tenant.spec.namespace_.annotations) {
    SetString(nsobj, {"metadata", "annotations", key.c_str()}, value);
  }
  out.push_back({&kube::resources::kNamespaces, "Namespace", ns, std::move(nsobj)});

  // The driver's account, Role and binding: the same objects --prepare-tenant applies for an app.
  api::SparkApplication app;
  app.metadata.namespace_ = ns;
  app.spec.driver.service_account = tenant.spec.defaults.driver_service_account;
  for (TenantObject& object : BuildTenantObjects(app, TenantOptions{})) {
    SetString(object.object, {"metadata", "labels", kTenantLabel}, name);
    out.push_back(std::move(object));
  }
  out.push_back(MembersBinding(tenant));
  if (HasQuota(tenant.spec.quota)) out.push_back(Quota(tenant));
  if (HasLimits(tenant.spec.defaults)) out.push_back(Limits(tenant));
  return out;
}

std::vector<TenantObject> TenantObjectsToDelete(const api::SparkTenant& tenant) {
  std::vector<TenantObject> out;
  if (!HasQuota(tenant.spec.quota)) out.push_back(Quota(tenant));
  if (!HasLimits(tenant.spec.defaults)) out.push_back(Limits(tenant));
  return out;
}

api::QuotaStatus QuotaStatusFrom(const rapidjson::Value& quota) {
  api::QuotaStatus status;
  status.hard = {QuotaValue(quota, "hard", "requests.cpu"), QuotaValue(quota, "hard", "requests.memory"),
                 QuotaValue(quota, "hard", "pods")};
  status.used = {QuotaValue(quota, "used", "requests.cpu"), QuotaValue(quota, "used", "requests.memory"),
                 QuotaValue(quota, "used", "pods")};
  return status;
}

}  // namespace spark_operator::controller
