// The SparkTenant controller: for each tenant, server-side applies its namespace and what is in it
// (controller/tenant_objects.h), writes .status with the Ready condition, and on deletion deletes or keeps the
// namespace by deletionPolicy (a finalizer holds the tenant until that is done). Informers on the tenants and on
// every object it makes (by the label spark-operator.k8s.io/tenant) queue the tenant again when any of them
// changes or goes, so a hand edit or deletion is repaired within seconds, not at the next resync.
#pragma once

#include <chrono>
#include <memory>
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

  ReconcileResult Reconcile(const std::string& name);

 private:
  void EnqueueOwner(const rapidjson::Value& object);
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
};

}  // namespace spark_operator::controller
