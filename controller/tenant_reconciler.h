// The SparkTenant controller: for each tenant, server-side applies its namespace and what is in it
// (controller/tenant_objects.h), writes .status with the Ready condition, and on deletion deletes or keeps the
// namespace by deletionPolicy (a finalizer holds the tenant until that is done). Informers on the tenants and on
// every object it makes (by the label spark-operator.k8s.io/tenant) queue the tenant again when any of them
// changes or goes, so a hand edit or deletion is repaired within seconds, not at the next resync. A reconcile
// applies only the objects whose cached copy differs from the manifest (all of them after a spec change), and
// reads the namespace, the quota and the applications from caches: a tenant in shape costs no request.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/spark_tenant.h"
#include "common/kube/client.h"
#include "common/runtime/controller.h"
#include "common/runtime/namespaced_informers.h"
#include "common/runtime/workqueue.h"
#include "controller/admission.h"

namespace spark_operator::controller {

struct TenantControllerOptions {
  int workers = 2;
  std::chrono::seconds resync_period{300};
  // --namespaces: with a list, only the tenants whose namespace is in it are managed, and only those namespaces
  // are watched; a tenant elsewhere is left to another operator (no status, no finalizer). Empty: every tenant.
  std::vector<std::string> namespaces;
  // The SparkApplications of a namespace, from the application controller's cache: the status counts them.
  // Unset: listed from the API server.
  std::function<std::vector<kube::ObjectPtr>(const std::string& ns)> applications;
  // Called with a tenant's namespace when what its applications may use changes: the tenant is made, deleted or
  // its spec changes, or its quota's hard limits or usage change. The manager wakes the queued applications.
  std::function<void(const std::string& ns)> on_budget_change;
  metrics::Registry* metrics = nullptr;  // The work queue's metrics; null: none. Must outlive the controller.
};

class TenantController {
 public:
  TenantController(std::shared_ptr<kube::Client> client, TenantControllerOptions options);
  ~TenantController() { Stop(); }
  TenantController(const TenantController&) = delete;
  TenantController& operator=(const TenantController&) = delete;

  // As runtime::Controller's three steps; the manager runs them beside the application controller's.
  void StartInformers() { controller_->StartInformers(); }
  bool WaitForSync(std::chrono::milliseconds timeout, const std::function<bool()>& cancelled) {
    return controller_->WaitForSync(timeout, cancelled);
  }
  void StartWorkers() { controller_->StartWorkers(); }
  void Stop() { controller_->Stop(); }
  bool Synced() const { return controller_->Synced(); }

  // Whether `ns` is a tenant's namespace (from the cache): --prepare-tenant leaves those to this controller.
  bool IsTenantNamespace(const std::string& ns) const;

  // The limits of the tenant owning `ns` and its quota's usage, from the caches; nullopt when `ns` is no
  // tenant's.
  std::optional<TenantBudget> BudgetFor(const std::string& ns) const;

  // An application in `ns` changed state or went: its tenant's status counts them again.
  void ApplicationsChanged(const std::string& ns);

  ReconcileResult Reconcile(const std::string& name);

 private:
  void EnqueueOwner(const rapidjson::Value& object);
  bool Manages(const std::string& ns) const;
  // The cached copy of an object the controller makes (null when absent or not watched).
  kube::ObjectPtr Cached(const kube::Resource& resource, const std::string& ns, const std::string& name) const;
  void BudgetChanged(const std::string& ns) const;
  // Whether `ns` may be the tenant's: absent, or labelled as its and not being deleted (else `reason` says why not).
  Status CheckNamespace(const std::string& ns, const std::string& tenant, std::string& reason);
  // Applies everything; the Ready condition's reason and message when something is wrong, else "Applied".
  Status Apply(const api::SparkTenant& tenant, std::string& reason);
  ReconcileResult Finalize(const rapidjson::Value& object, const api::SparkTenant& tenant);
  Status SetFinalizer(const rapidjson::Value& object, bool present);
  Status WriteStatus(const rapidjson::Value& object, const api::SparkTenant& tenant, api::SparkTenantStatus status);
  api::ApplicationCounts CountApplications(const std::string& ns);

  const std::shared_ptr<kube::Client> client_;
  const TenantControllerOptions options_;
  WorkQueue queue_;
  std::unique_ptr<runtime::NamespacedInformers> tenants_;
  std::vector<std::unique_ptr<runtime::NamespacedInformers>> owned_;  // Namespaces, then namespaced kinds.
  // RuntimeClasses, whose pod overhead admission adds to each pod that names one.
  std::unique_ptr<runtime::NamespacedInformers> runtime_classes_;
  std::unique_ptr<runtime::Controller> controller_;
  // The generation of each tenant whose objects were all applied last: until it changes, only objects that
  // differ from the manifest are applied again.
  std::mutex applied_mu_;
  std::map<std::string, int64_t> applied_generation_;
};

}  // namespace spark_operator::controller
