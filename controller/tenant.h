// Tenant preparation: before an app is submitted, its namespace gets what a Spark driver needs, so that users
// need no hand-made RBAC: the driver's ServiceAccount, the Role `spark-driver` (executor pods, services,
// ConfigMaps, PVCs), a RoleBinding to it and, when the controller is given limits, the ResourceQuota
// `spark-quota`. Everything is written with server-side apply (field manager `spark-operator`) without force:
// a re-apply is a no-op, and an object someone else manages is never taken over; the conflict is reported as
// a Warning Event on the app (reason TenantObjectConflict) naming the other manager, and the app goes on.
//
// The Role is bound only to a service account the operator manages: one it applied itself (its field
// manager is in the account's managedFields). A spec naming an account that exists and is someone else's
// gets no binding (Event ServiceAccountNotManaged): the driver runs as that account with the rights an
// administrator gave it, and the operator never grants an existing account anything.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "common/base/status.h"
#include "common/kube/client.h"
#include "common/kube/event_recorder.h"
#include "common/kube/resource.h"

namespace spark_operator::controller {

inline constexpr char kDefaultServiceAccount[] = "spark";
inline constexpr char kDriverRoleName[] = "spark-driver";
inline constexpr char kTenantQuotaName[] = "spark-quota";
inline constexpr char kTenantFieldManager[] = "spark-operator";

struct TenantOptions {
  bool enabled = true;  // --prepare-tenant; off where admins manage RBAC themselves.
  // Hard limits of `spark-quota`; 0 / empty leaves that resource unlimited, all unset means no quota object.
  int64_t quota_pods = 0;
  std::string quota_cpu;     // Kubernetes CPU quantity ("8", "500m"): requests.cpu.
  std::string quota_memory;  // Memory, Spark or Kubernetes suffixes ("16g", "16Gi"): requests.memory.
  // How long a prepared (namespace, service account) is trusted before it is applied again: someone may have
  // deleted the Role since.
  std::chrono::seconds cache_ttl{60};
};

// InvalidArgument naming the flag when a quota value is not a quantity.
Status ValidateTenantOptions(const TenantOptions& options);

// The service account the driver runs as: spec.driver.serviceAccount, else `spark`. Both the submission
// (spark.kubernetes.authenticate.driver.serviceAccountName) and tenant preparation use this one function.
std::string EffectiveServiceAccount(const api::SparkApplication& app);

// `spark-driver` for the default service account, `spark-driver-<sa>` for another one: the binding's subject
// list is atomic under server-side apply, so two service accounts in one namespace sharing a binding would
// take it from each other on every apply.
std::string DriverRoleBindingName(const std::string& service_account);

struct TenantObject {
  const kube::Resource* resource;
  std::string kind;  // For messages: "creating Role spark-driver: ...".
  std::string name;
  rapidjson::Document object;  // The apply body.
};

// The objects to apply in the app's namespace, in order: ServiceAccount, Role, RoleBinding[, ResourceQuota].
// Pure. Expects options that passed ValidateTenantOptions.
std::vector<TenantObject> BuildTenantObjects(const api::SparkApplication& app, const TenantOptions& options);

// A Kubernetes quantity for a memory amount written in either dialect: Kubernetes' own kept as written, Spark's
// ("16g", where Kubernetes would read "m" as milli) converted to the largest exact binary unit.
std::string KubernetesMemory(const std::string& quantity);
// "1.5" -> "1500m", "2000m" -> "2".
std::string KubernetesCpu(const std::string& quantity);

// The field managers named in a server-side apply conflict ("... conflict with \"kubectl-edit\" using ...").
std::vector<std::string> ConflictingManagers(std::string_view message);

// Whether `object` (as read from the API server) has kTenantFieldManager among its managedFields.
bool ManagedByOperator(const rapidjson::Value& object);

// Applies BuildTenantObjects, remembering for options.cache_ttl which (namespace, service account, options)
// are done. Safe to call from every reconcile worker at once.
class TenantPreparer {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // Events go to `recorder`; null: a recorder of its own on `client`.
  TenantPreparer(std::shared_ptr<kube::Client> client, TenantOptions options, Clock clock = nullptr,
                 std::shared_ptr<kube::EventRecorder> recorder = nullptr);

  // "preparing namespace <ns>: creating Role spark-driver: <server message>" on failure. Conflicts with
  // other managers and unmanaged service accounts are Events, not failures.
  Status Prepare(const api::SparkApplication& app);
  // Number of applies made (objects written), for tests and logs.
  int64_t applies() const;

 private:
  std::string CacheKey(const api::SparkApplication& app) const;
  // Applies the objects and, when that succeeds, records `key` as prepared at `now`.
  Status Apply(const api::SparkApplication& app, const std::string& key, std::chrono::steady_clock::time_point now);
  void Warn(const api::SparkApplication& app, const std::string& reason, const std::string& message);

  const std::shared_ptr<kube::Client> client_;
  const TenantOptions options_;
  const std::string options_fingerprint_;
  const Clock clock_;
  const std::shared_ptr<kube::EventRecorder> recorder_;
  mutable std::mutex mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> prepared_;  // Key -> when applied.
  std::set<std::string> preparing_;                                        // Keys being applied now.
  std::condition_variable preparing_done_;
  int64_t applies_ = 0;
};

}  // namespace spark_operator::controller
