#include "controller/tenant_reconciler.h"

#include <glog/logging.h>

#include <algorithm>
#include <array>

#include "api/quantity.h"
#include "common/base/json.h"
#include "common/kube/time_format.h"
#include "controller/tenant_objects.h"

namespace spark_operator::controller {
namespace {

constexpr char kNamespaceIndex[] = "tenant-namespace";
constexpr char kReady[] = "Ready";
// What the tenant controller applies inside a tenant's namespace, watched for repairs.
const std::array<const kube::Resource*, 5> kOwnedKinds{&kube::resources::kServiceAccounts, &kube::resources::kRoles,
                                                       &kube::resources::kRoleBindings,
                                                       &kube::resources::kResourceQuotas, &kLimitRanges};

const kube::Resource kRuntimeClasses{"node.k8s.io", "v1", "runtimeclasses", /*namespaced=*/false};

std::string TenantNamespaceOf(const rapidjson::Value& tenant) {
  std::string ns = GetString(tenant, {"spec", "namespace", "name"});
  return ns.empty() ? NameOf(tenant) : ns;
}

Status WithContext(const Status& s, const std::string& context) {
  return Status(s.code(), context + ": " + s.message(), s.http_status());
}

int64_t ValueOr(const Result<int64_t>& r, int64_t fallback) { return r.ok() ? *r : fallback; }

// A quantity as the quota reports it: canonical Kubernetes form, plain bytes, or 0.
int64_t QuotaBytes(const std::string& q) { return ValueOr(api::ParseKubernetesMemoryBytes(q), 0); }

int64_t GenerationOf(const rapidjson::Value& object) { return GetInt(object, {"metadata", "generation"}); }

bool Running(const std::string& state) { return state == "SUBMITTED" || state == "RUNNING" || state == "UNKNOWN"; }

}  // namespace

TenantController::TenantController(std::shared_ptr<kube::Client> client, TenantControllerOptions options)
    : client_(std::move(client)),
      options_(options),
      queue_(WorkQueueOptions{
          .name = "sparktenants", .backoff_max = std::chrono::seconds(30), .metrics = options_.metrics}) {
  kube::InformerOptions tenants;
  tenants.resource = kSparkTenants;
  tenants.resync_period = options_.resync_period;
  tenants_ = std::make_unique<runtime::NamespacedInformers>(client_, tenants, std::vector<std::string>{});
  tenants_->AddIndex(kNamespaceIndex,
                     [](const rapidjson::Value& t) -> std::vector<std::string> { return {TenantNamespaceOf(t)}; });
  kube::EventHandlers tenant_events;
  tenant_events.on_add = [this](const kube::ObjectPtr& o) {
    queue_.Add(NameOf(*o));
    BudgetChanged(TenantNamespaceOf(*o));
  };
  tenant_events.on_update = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& o) {
    queue_.Add(NameOf(*o));
    if (GenerationOf(*old) != GenerationOf(*o)) BudgetChanged(TenantNamespaceOf(*o));
  };
  tenant_events.on_delete = [this](const kube::ObjectPtr& o) {
    queue_.Add(NameOf(*o));
    BudgetChanged(TenantNamespaceOf(*o));  // Its namespace's applications are no longer held to it.
  };
  tenants_->AddHandlers(tenant_events);

  kube::EventHandlers owned_events;
  owned_events.on_add = [this](const kube::ObjectPtr& o) { EnqueueOwner(*o); };
  owned_events.on_update = [this](const kube::ObjectPtr&, const kube::ObjectPtr& o) { EnqueueOwner(*o); };
  owned_events.on_delete = [this](const kube::ObjectPtr& o) { EnqueueOwner(*o); };
  // The quota's limits and usage are what admission reads: a change may let a queued application in.
  kube::EventHandlers quota_events;
  quota_events.on_add = [this](const kube::ObjectPtr& o) {
    EnqueueOwner(*o);
    BudgetChanged(NamespaceOf(*o));
  };
  quota_events.on_update = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& o) {
    EnqueueOwner(*o);
    const auto same = [&](JsonPath path) {
      const rapidjson::Value* a = FindPath(*old, path);
      const rapidjson::Value* b = FindPath(*o, path);
      return a == b || (a != nullptr && b != nullptr && *a == *b);
    };
    if (!same({"spec", "hard"}) || !same({"status", "used"})) BudgetChanged(NamespaceOf(*o));
  };
  quota_events.on_delete = quota_events.on_add;
  std::vector<const kube::Resource*> kinds{&kube::resources::kNamespaces};
  kinds.insert(kinds.end(), kOwnedKinds.begin(), kOwnedKinds.end());
  for (const kube::Resource* kind : kinds) {
    kube::InformerOptions owned;
    owned.resource = *kind;
    owned.label_selector = kTenantLabel;
    // Namespaces are cluster-scoped: only those labelled as a tenant's are watched, wherever they are.
    owned_.push_back(std::make_unique<runtime::NamespacedInformers>(
        client_, owned, kind->namespaced ? options_.namespaces : std::vector<std::string>{}));
    owned_.back()->AddHandlers(kind == &kube::resources::kResourceQuotas ? quota_events : owned_events);
  }
  kube::InformerOptions runtime_classes;
  runtime_classes.resource = kRuntimeClasses;
  runtime_classes_ =
      std::make_unique<runtime::NamespacedInformers>(client_, runtime_classes, std::vector<std::string>{});
  controller_ = std::make_unique<runtime::Controller>(queue_, options_.workers,
                                                      [this](const std::string& key) { return Reconcile(key); });
  controller_->Watch(*tenants_, /*wait_for_sync=*/true);
  for (auto& informers : owned_) controller_->Watch(*informers, /*wait_for_sync=*/true);
  // Not awaited: a deployment whose RBAC predates the rule on runtimeclasses keeps its tenants (admission then
  // leaves pod overhead to the ResourceQuota, which refuses the pods it does not fit).
  controller_->Watch(*runtime_classes_, /*wait_for_sync=*/false);
}

void TenantController::EnqueueOwner(const rapidjson::Value& object) {
  const std::string tenant = GetString(object, {"metadata", "labels", kTenantLabel});
  if (!tenant.empty()) queue_.Add(tenant);
  // A hand edit may have removed the label: the namespace still says whose it is.
  const std::string ns = NamespaceOf(object).empty() ? NameOf(object) : NamespaceOf(object);
  for (const kube::ObjectPtr& t : tenants_->ByIndex("", kNamespaceIndex, ns)) {
    if (NameOf(*t) != tenant) queue_.Add(NameOf(*t));
  }
}

bool TenantController::Manages(const std::string& ns) const {
  const std::vector<std::string>& watched = options_.namespaces;
  return watched.empty() || std::find(watched.begin(), watched.end(), ns) != watched.end();
}

void TenantController::BudgetChanged(const std::string& ns) const {
  if (options_.on_budget_change && Manages(ns)) options_.on_budget_change(ns);
}

void TenantController::ApplicationsChanged(const std::string& ns) {
  for (const kube::ObjectPtr& t : tenants_->ByIndex("", kNamespaceIndex, ns)) queue_.Add(NameOf(*t));
}

kube::ObjectPtr TenantController::Cached(const kube::Resource& resource, const std::string& ns,
                                         const std::string& name) const {
  if (&resource == &kube::resources::kNamespaces) return owned_[0]->Get(name);
  const size_t kind = std::find(kOwnedKinds.begin(), kOwnedKinds.end(), &resource) - kOwnedKinds.begin();
  return kind < kOwnedKinds.size() ? owned_[kind + 1]->Get(ns + "/" + name) : nullptr;
}

bool TenantController::IsTenantNamespace(const std::string& ns) const {
  return !tenants_->ByIndex("", kNamespaceIndex, ns).empty();
}

std::optional<TenantBudget> TenantController::BudgetFor(const std::string& ns) const {
  const std::vector<kube::ObjectPtr> owners = tenants_->ByIndex("", kNamespaceIndex, ns);
  if (owners.empty()) return std::nullopt;
  Result<api::SparkTenant> tenant = api::ParseSparkTenant(*owners.front());
  if (!tenant.ok()) return std::nullopt;
  const api::TenantQuota& quota = tenant->spec.quota;
  TenantBudget budget;
  if (!quota.cpu.empty()) budget.cpu_millis = ValueOr(api::ParseCpuMillis(quota.cpu), 0);
  if (!quota.memory.empty()) budget.memory_bytes = ValueOr(api::ParseMemoryBytes(quota.memory), 0);
  if (quota.pods) budget.pods = *quota.pods;
  budget.max_running = quota.max_running_applications;
  // The tenant's LimitRange (controller/tenant_objects.h): a defaultRequest, else the default limit, which the
  // API server makes the defaultRequest when none is given.
  const api::TenantDefaults& defaults = tenant->spec.defaults;
  const std::string& default_cpu = defaults.requests.cpu.empty() ? defaults.limits.cpu : defaults.requests.cpu;
  const std::string& default_memory =
      defaults.requests.memory.empty() ? defaults.limits.memory : defaults.requests.memory;
  if (!default_cpu.empty()) budget.container_defaults.cpu_millis = ValueOr(api::ParseCpuMillis(default_cpu), 0);
  if (!default_memory.empty()) {
    budget.container_defaults.memory_bytes = ValueOr(api::ParseMemoryBytes(default_memory), 0);
  }
  budget.runtime_overhead = [classes = runtime_classes_.get()](const std::string& name) -> std::optional<PodResources> {
    const kube::ObjectPtr object = classes->Get(name);
    return object == nullptr ? std::nullopt : RuntimeClassOverhead(*object);
  };
  if (const kube::ObjectPtr object = Cached(kube::resources::kResourceQuotas, ns, kTenantQuotaObjectName);
      object != nullptr) {
    const api::QuotaStatus status = QuotaStatusFrom(*object);
    budget.used.cpu_millis = ValueOr(api::ParseCpuMillis(status.used.cpu.empty() ? "0" : status.used.cpu), 0);
    budget.used.memory_bytes = QuotaBytes(status.used.memory);
    budget.used.pods = QuotaBytes(status.used.pods);
  }
  return budget;
}

Status TenantController::SetFinalizer(const rapidjson::Value& object, bool present) {
  rapidjson::Document patch(rapidjson::kObjectType);
  auto& a = patch.GetAllocator();
  rapidjson::Value finalizers(rapidjson::kArrayType);
  if (const rapidjson::Value* now = FindPath(object, {"metadata", "finalizers"}); now != nullptr && now->IsArray()) {
    for (const rapidjson::Value& f : now->GetArray()) {
      if (f.IsString() && std::string_view(f.GetString()) != kTenantFinalizer)
        finalizers.PushBack(JsonString(f.GetString(), a), a);
    }
  }
  if (present) finalizers.PushBack(rapidjson::StringRef(kTenantFinalizer), a);
  SetPath(patch, {"metadata", "finalizers"}, std::move(finalizers));
  // The resourceVersion makes the patch fail, rather than drop a finalizer someone added meanwhile.
  SetString(patch, {"metadata", "resourceVersion"}, ResourceVersionOf(object));
  return client_->Patch(kSparkTenants, "", NameOf(object), kube::PatchType::kMerge, ToJson(patch)).status();
}

ReconcileResult TenantController::Reconcile(const std::string& name) {
  const kube::ObjectPtr object = tenants_->Get(name);
  if (object == nullptr) return OkStatus();
  Result<api::SparkTenant> parsed = api::ParseSparkTenant(*object);
  if (!parsed.ok()) {
    // The schema makes this rare (a newer operator's fields); nothing can be applied from a spec not understood.
    LOG(ERROR) << "sparktenant " << name << ": " << parsed.status().message();
    return OkStatus();
  }
  api::SparkTenant tenant = std::move(*parsed);
  api::ApplyDefaults(tenant);
  if (!Manages(tenant.spec.namespace_.name)) return OkStatus();  // Another operator's (--namespaces).
  const std::vector<std::string>& finalizers = tenant.metadata.finalizers;
  const bool has_finalizer = std::find(finalizers.begin(), finalizers.end(), kTenantFinalizer) != finalizers.end();
  if (!tenant.metadata.deletion_timestamp.empty()) return Finalize(*object, tenant);
  if (!has_finalizer) return SetFinalizer(*object, true);  // Its update event queues the tenant again.

  const std::string& ns = tenant.spec.namespace_.name;
  std::string reason = "Applied";
  Status applied = api::Validate(tenant);
  if (!applied.ok()) {
    reason = "InvalidSpec";
  } else {
    applied = Apply(tenant, reason);
  }
  api::SparkTenantStatus status;
  status.namespace_ = ns;
  status.observed_generation = tenant.metadata.generation;
  if (reason != "NamespaceNotOwned" && reason != "InvalidSpec") {
    // From the cache: the quota's own events queue the tenant again as it is made and counted.
    const kube::ObjectPtr quota = Cached(kube::resources::kResourceQuotas, ns, kTenantQuotaObjectName);
    if (quota != nullptr) status.quota = QuotaStatusFrom(*quota);
    // Quota admission refuses every pod until the quota controller has filled in the status: not Ready yet.
    const rapidjson::Value* spec_hard = quota != nullptr ? FindPath(*quota, {"spec", "hard"}) : nullptr;
    const rapidjson::Value* status_hard = quota != nullptr ? FindPath(*quota, {"status", "hard"}) : nullptr;
    const bool counted = spec_hard != nullptr && status_hard != nullptr && *spec_hard == *status_hard;
    if (applied.ok() && HasQuota(tenant.spec.quota) && !counted) {
      reason = "QuotaPending";
      applied = UnavailableError("the quota controller has not counted the namespace's usage yet");
    }
    status.applications = CountApplications(ns);
  }
  api::Condition ready{.type = kReady,
                       .status = applied.ok() ? api::ConditionStatus::kTrue : api::ConditionStatus::kFalse,
                       .reason = reason,
                       .message = applied.ok() ? "" : applied.message(),
                       .last_transition_time = "",
                       .observed_generation = tenant.metadata.generation};
  status.conditions.push_back(std::move(ready));
  RETURN_IF_ERROR(WriteStatus(*object, tenant, std::move(status)));
  if (reason == "ApplyFailed" || reason == "NamespaceTerminating") return applied;  // Retried with back-off.
  ReconcileResult result;
  // Nothing of a namespace someone else owns is watched, and the quota's status comes with its own event.
  if (reason == "NamespaceNotOwned") result.requeue_after = std::chrono::seconds(30);
  return result;
}

Status TenantController::CheckNamespace(const std::string& ns, const std::string& tenant, std::string& reason) {
  const Result<rapidjson::Document> existing = client_->Get(kube::resources::kNamespaces, "", ns);
  if (existing.ok()) {
    const std::string owner = GetString(*existing, {"metadata", "labels", kTenantLabel});
    if (owner != tenant) {
      reason = "NamespaceNotOwned";
      return AlreadyExistsError("namespace " + ns + " exists and is not this tenant's (label " + kTenantLabel +
                                (owner.empty() ? " unset" : "=" + owner) + "): it is left as it is");
    }
    if (!GetString(*existing, {"metadata", "deletionTimestamp"}).empty()) {
      reason = "NamespaceTerminating";
      return UnavailableError("namespace " + ns + " is being deleted; it is made again once it is gone");
    }
  } else if (!IsNotFound(existing.status())) {
    reason = "ApplyFailed";
    return WithContext(existing.status(), "reading namespace " + ns);
  }
  return OkStatus();
}

Status TenantController::Apply(const api::SparkTenant& tenant, std::string& reason) {
  const std::string& ns = tenant.spec.namespace_.name;
  // The cache holds only tenants' namespaces: one it lacks, or holds as another's, is asked for.
  const kube::ObjectPtr cached_ns = Cached(kube::resources::kNamespaces, "", ns);
  const bool ours = cached_ns != nullptr &&
                    GetString(*cached_ns, {"metadata", "labels", kTenantLabel}) == tenant.metadata.name &&
                    GetString(*cached_ns, {"metadata", "deletionTimestamp"}).empty();
  if (!ours) RETURN_IF_ERROR(CheckNamespace(ns, tenant.metadata.name, reason));
  // Force: the tenant is the declaration of these objects, and a hand edit is drift to undo, not a co-owner.
  kube::PatchOptions apply;
  apply.field_manager = kTenantFieldManager;
  apply.force = true;
  const int64_t generation = tenant.metadata.generation;
  bool spec_changed;
  {
    const std::lock_guard lock(applied_mu_);
    const auto it = applied_generation_.find(tenant.metadata.name);
    spec_changed = it == applied_generation_.end() || it->second != generation;
  }
  for (const TenantObject& object : BuildTenantManifest(tenant)) {
    if (!spec_changed) {
      const kube::ObjectPtr live = Cached(*object.resource, ns, object.name);
      if (live != nullptr && AppliedAsWanted(*live, object.object)) continue;
    }
    const std::string object_ns = object.resource->namespaced ? ns : "";
    const Result<rapidjson::Document> applied =
        client_->Patch(*object.resource, object_ns, object.name, kube::PatchType::kApply, ToJson(object.object), apply);
    if (!applied.ok()) {
      reason = "ApplyFailed";
      return WithContext(applied.status(), "applying " + object.kind + " " + object.name + " in " + ns);
    }
  }
  for (const TenantObject& object : TenantObjectsToDelete(tenant)) {
    if (Cached(*object.resource, ns, object.name) == nullptr) continue;
    const Status deleted = client_->Delete(*object.resource, ns, object.name);
    if (!deleted.ok() && !IsNotFound(deleted)) {
      reason = "ApplyFailed";
      return WithContext(deleted, "deleting " + object.kind + " " + object.name + " in " + ns);
    }
  }
  const std::lock_guard lock(applied_mu_);
  applied_generation_[tenant.metadata.name] = generation;
  return OkStatus();
}

api::ApplicationCounts TenantController::CountApplications(const std::string& ns) {
  api::ApplicationCounts counts;
  const auto count = [&](const rapidjson::Value& app) {
    const std::string state = GetString(app, {"status", "applicationState", "state"});
    if (Running(state)) ++counts.running;
    if (state == "QUEUED") ++counts.queued;
  };
  if (options_.applications) {
    for (const kube::ObjectPtr& app : options_.applications(ns)) count(*app);
    return counts;
  }
  const Result<rapidjson::Document> apps = client_->List(kube::resources::kSparkApplications, ns);
  if (!apps.ok()) return counts;
  for (const rapidjson::Value& app : (*apps)["items"].GetArray()) count(app);
  return counts;
}

Status TenantController::WriteStatus(const rapidjson::Value& object, const api::SparkTenant& tenant,
                                     api::SparkTenantStatus status) {
  for (api::Condition& c : status.conditions) {
    for (const api::Condition& old : tenant.status.conditions) {
      if (old.type == c.type && old.status == c.status) c.last_transition_time = old.last_transition_time;
    }
    if (c.last_transition_time.empty()) c.last_transition_time = kube::FormatTime(std::chrono::system_clock::now());
  }
  if (status == tenant.status) return OkStatus();
  rapidjson::Document updated;
  updated.CopyFrom(object, updated.GetAllocator());
  rapidjson::Document json = api::TenantStatusToJson(status);
  SetPath(updated, {"status"}, rapidjson::Value(json, updated.GetAllocator()));
  const Result<rapidjson::Document> written = client_->UpdateStatus(kSparkTenants, updated);
  if (!written.ok()) return WithContext(written.status(), "writing the status of sparktenant " + NameOf(object));
  const api::Condition& ready = status.conditions.front();
  if (tenant.status.conditions.empty() || tenant.status.conditions.front().status != ready.status ||
      tenant.status.conditions.front().reason != ready.reason) {
    LOG(INFO) << "sparktenant " << NameOf(object) << ": Ready=" << api::EnumName(*ready.status) << " (" << ready.reason
              << ") " << ready.message;
  }
  return OkStatus();
}

ReconcileResult TenantController::Finalize(const rapidjson::Value& object, const api::SparkTenant& tenant) {
  const std::vector<std::string>& finalizers = tenant.metadata.finalizers;
  if (std::find(finalizers.begin(), finalizers.end(), kTenantFinalizer) == finalizers.end()) return OkStatus();
  const std::string& ns = tenant.spec.namespace_.name;
  if (tenant.spec.deletion_policy == api::DeletionPolicy::kDelete) {
    const Result<rapidjson::Document> existing = client_->Get(kube::resources::kNamespaces, "", ns);
    if (!existing.ok() && !IsNotFound(existing.status())) return existing.status();
    // Only the tenant's own namespace goes: never one it found and left alone.
    if (existing.ok() && GetString(*existing, {"metadata", "labels", kTenantLabel}) == tenant.metadata.name) {
      if (GetString(*existing, {"metadata", "deletionTimestamp"}).empty()) {
        const Status deleted = client_->Delete(kube::resources::kNamespaces, "", ns);
        if (!deleted.ok() && !IsNotFound(deleted)) return deleted;
        LOG(INFO) << "sparktenant " << tenant.metadata.name << ": deleting namespace " << ns;
      }
      // The namespace informer's delete event comes when it is gone; the requeue is a safety net.
      ReconcileResult wait;
      wait.requeue_after = std::chrono::seconds(5);
      return wait;
    }
  }
  {
    const std::lock_guard lock(applied_mu_);
    applied_generation_.erase(tenant.metadata.name);
  }
  LOG(INFO) << "sparktenant " << tenant.metadata.name << " deleted; namespace " << ns
            << (tenant.spec.deletion_policy == api::DeletionPolicy::kDelete ? " deleted" : " retained");
  return SetFinalizer(object, false);
}

}  // namespace spark_operator::controller
