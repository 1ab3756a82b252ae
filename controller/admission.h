// Quota-aware admission of applications in a tenant's namespace. Before an application is submitted, what its
// pods will request is computed as Spark computes it, and it is submitted only when that fits in what the
// tenant's quota has left and under maxRunningApplications; otherwise it waits in QUEUED with a message saying
// what it needs and what is free. Applications are admitted in creation order: a queued application holds back
// every later one, so a large one is not starved by small ones. One that can never fit is FAILED at once.
//
// "Left" is the quota's hard limit minus the larger of what its status counts as used and what the admitted,
// unfinished applications of the namespace will request in all: an application admitted a moment ago has not
// created its executors yet, and the quota does not count them until it does.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/kube/store.h"

namespace spark_operator::controller {

struct PodResources {
  int64_t cpu_millis = 0;
  int64_t memory_bytes = 0;
  int64_t pods = 0;
};

// What a container that sets neither a request nor a limit requests in a tenant's namespace: the tenant's
// LimitRange defaultRequest, else its default limit. Unset: nothing.
struct ContainerDefaults {
  std::optional<int64_t> cpu_millis;
  std::optional<int64_t> memory_bytes;
};

// A RuntimeClass's overhead.podFixed (node.k8s.io/v1), by class name: Kubernetes adds it to the effective request
// of every pod that names the class (spec.runtimeClassName, here through a podTemplate), for scheduling and for
// its ResourceQuota. nullopt: no such class, or one without overhead. Unset: no overheads.
using RuntimeOverheadFunc = std::function<std::optional<PodResources>(const std::string& runtime_class)>;

// The driver and its executors at start, each pod's Spark container requesting what Spark gives it
// (controller/spark_requests.h: cores, memory plus overhead, with the sparkConf settings that reach the pods), and
// its other containers (podTemplate, sidecars, initContainers) counted as Kubernetes counts a pod's effective
// request, a container without requests or limits with `defaults`, plus the pod overhead of the RuntimeClass its
// podTemplate names (`overhead`). Expects a defaulted application.
PodResources ApplicationRequest(const api::SparkApplication& app, const ContainerDefaults& defaults = {},
                                const RuntimeOverheadFunc& overhead = nullptr);

// The overhead a RuntimeClass object declares (pods 0); nullopt without overhead.podFixed.
std::optional<PodResources> RuntimeClassOverhead(const rapidjson::Value& runtime_class);

// A tenant's limits as the admission sees them; unset: no limit on that resource.
struct TenantBudget {
  std::optional<int64_t> cpu_millis;
  std::optional<int64_t> memory_bytes;
  std::optional<int64_t> pods;
  std::optional<int32_t> max_running;
  PodResources used;  // The ResourceQuota's status.used.
  ContainerDefaults container_defaults;
  RuntimeOverheadFunc runtime_overhead;
};

struct AdmissionDecision {
  enum class Verdict { kAdmit, kQueue, kNeverFits };
  Verdict verdict = Verdict::kAdmit;
  std::string message;
};

class Admission {
 public:
  // The tenant of a namespace (nullopt: not a tenant's, admitted as before) and the applications in it, as the
  // controller's caches hold them.
  using BudgetFunc = std::function<std::optional<TenantBudget>(const std::string& ns)>;
  using AppsFunc = std::function<std::vector<kube::ObjectPtr>(const std::string& ns)>;
  Admission(BudgetFunc budget, AppsFunc apps) : budget_(std::move(budget)), apps_(std::move(apps)) {}

  // Decides for a NEW or QUEUED application about to start an attempt. An admitted application counts as
  // running from this moment, before the cache shows its attempt, so that two workers cannot both fill the
  // last slot. Safe from every worker at once.
  AdmissionDecision Decide(const api::SparkApplication& app);

 private:
  const BudgetFunc budget_;
  const AppsFunc apps_;
  std::mutex mu_;
  // Admitted, keyed "namespace/name", until the cache shows the attempt (or a few seconds pass).
  std::map<std::string, std::chrono::steady_clock::time_point> admitted_;
};

// Writes a decision into the status of the app it is about: QUEUED or FAILED (with terminationTime) and the
// message; logged when it changes. Whether the app was admitted.
bool ApplyAdmission(const api::SparkApplication& app, const AdmissionDecision& decision,
                    api::SparkApplicationStatus& status);

// "1100m", "1792Mi": how the messages write amounts.
std::string DescribeCpu(int64_t millis);
std::string DescribeMemory(int64_t bytes);

}  // namespace spark_operator::controller
