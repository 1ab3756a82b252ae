#include "controller/admission.h"

#include <glog/logging.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "api/mounts.h"
#include "api/quantity.h"
#include "api/spark_application.h"
#include "common/base/json.h"
#include "common/kube/time_format.h"
#include "controller/labels.h"
#include "controller/spark_requests.h"

namespace spark_operator::controller {
namespace {

constexpr int64_t kMiB = 1024 * 1024;
// Long enough for the attempt's status write to reach the cache, short enough that a failed write does not hold
// the slot for long.
constexpr auto kAdmittedHold = std::chrono::seconds(10);

int64_t ValueOr(const Result<int64_t>& r, int64_t fallback) { return r.ok() ? *r : fallback; }

// A container's request of `resource`: resources.requests, else resources.limits, which Kubernetes makes the
// request when none is set, else what the namespace's LimitRange gives (`fallback`). 0 for a quantity in a form
// not read here (an exponent): the namespace's ResourceQuota still holds the pod to it when Spark creates it.
int64_t ContainerRequest(const rapidjson::Value& container, const char* resource,
                         const std::optional<int64_t>& fallback) {
  for (const char* kind : {"requests", "limits"}) {
    const rapidjson::Value* quantity = FindPath(container, {"resources", kind, resource});
    if (quantity == nullptr) continue;
    // The API server keeps a quantity written as a number (cpu: 1) as a number.
    const std::string text = quantity->IsString() ? quantity->GetString() : ToJson(*quantity);
    return ValueOr(
        std::string_view(resource) == "cpu" ? api::ParseCpuMillis(text) : api::ParseKubernetesMemoryBytes(text), 0);
  }
  return fallback.value_or(0);
}

// A pod's effective request, as Kubernetes schedules it and its ResourceQuota counts it: regular containers
// and sidecars (init containers with restartPolicy Always) run together, so they add up; each other init
// container runs alone, beside the sidecars listed before it, so the pod needs the most of those at any time.
class EffectiveRequest {
 public:
  explicit EffectiveRequest(const ContainerDefaults& defaults) : defaults_(defaults) {}

  void AddContainer(const rapidjson::Value& container) {
    running_cpu_ += Cpu(container);
    running_memory_ += Memory(container);
  }

  void AddInitContainer(const rapidjson::Value& container) {
    if (GetString(container, {"restartPolicy"}) == "Always") {
      sidecar_cpu_ += Cpu(container);
      sidecar_memory_ += Memory(container);
      return;
    }
    init_cpu_ = std::max(init_cpu_, sidecar_cpu_ + Cpu(container));
    init_memory_ = std::max(init_memory_, sidecar_memory_ + Memory(container));
  }

  void AddTo(PodResources& pod) const {
    pod.cpu_millis = std::max(pod.cpu_millis + running_cpu_ + sidecar_cpu_, init_cpu_);
    pod.memory_bytes = std::max(pod.memory_bytes + running_memory_ + sidecar_memory_, init_memory_);
  }

 private:
  int64_t Cpu(const rapidjson::Value& c) const { return ContainerRequest(c, "cpu", defaults_.cpu_millis); }
  int64_t Memory(const rapidjson::Value& c) const { return ContainerRequest(c, "memory", defaults_.memory_bytes); }

  const ContainerDefaults defaults_;
  int64_t running_cpu_ = 0;
  int64_t running_memory_ = 0;
  int64_t sidecar_cpu_ = 0;
  int64_t sidecar_memory_ = 0;
  int64_t init_cpu_ = 0;
  int64_t init_memory_ = 0;
};

// The containers of `pod` besides Spark's, in the order its pod template (controller/pod_template.h) lists them:
// the podTemplate's, then sidecars after its containers and initContainers after its init containers. Spark
// sets the CPU and memory of its own container, so the template's requests for it do not count. A value that
// does not parse counts nothing (never so for objects the API server stored).
EffectiveRequest OtherContainers(const api::PodSpec& pod, const rapidjson::Value& tmpl,
                                 const ContainerDefaults& defaults) {
  EffectiveRequest request(defaults);
  const rapidjson::Value* containers = FindPath(tmpl, {"spec", "containers"});
  if (containers != nullptr && containers->IsArray()) {
    const int spark = api::SparkContainerIndex(*containers);
    for (rapidjson::SizeType i = 0; i < containers->Size(); ++i) {
      if (static_cast<int>(i) != spark) request.AddContainer((*containers)[i]);
    }
  }
  const rapidjson::Value* init_containers = FindPath(tmpl, {"spec", "initContainers"});
  if (init_containers != nullptr && init_containers->IsArray()) {
    for (const rapidjson::Value& c : init_containers->GetArray()) request.AddInitContainer(c);
  }
  const auto each = [](const std::vector<api::KubeValue>& values, auto add) {
    for (const api::KubeValue& v : values) {
      if (const Result<rapidjson::Document> c = ParseJson(v.json); c.ok()) add(*c);
    }
  };
  each(pod.sidecars, [&](const rapidjson::Value& c) { request.AddContainer(c); });
  each(pod.init_containers, [&](const rapidjson::Value& c) { request.AddInitContainer(c); });
  return request;
}

// One pod: Spark's container (`spark`), the others, and its RuntimeClass's overhead.
PodResources PodRequest(const api::PodSpec& pod, const SparkContainerRequest& spark, const ContainerDefaults& defaults,
                        const RuntimeOverheadFunc& runtime_overhead) {
  PodResources r;
  r.pods = 1;
  r.cpu_millis = spark.cpu_millis;
  r.memory_bytes = spark.memory_mib * kMiB;
  rapidjson::Document tmpl;
  if (!pod.pod_template.empty()) {
    if (Result<rapidjson::Document> parsed = ParseJson(pod.pod_template.json); parsed.ok()) tmpl = std::move(*parsed);
  }
  OtherContainers(pod, tmpl, defaults).AddTo(r);
  // Kubernetes adds the overhead after taking the larger of the containers' sum and the init containers' peak.
  const std::string runtime_class = GetString(tmpl, {"spec", "runtimeClassName"});
  if (!runtime_class.empty() && runtime_overhead) {
    if (const std::optional<PodResources> overhead = runtime_overhead(runtime_class)) {
      r.cpu_millis += overhead->cpu_millis;
      r.memory_bytes += overhead->memory_bytes;
    }
  }
  return r;
}

// Past NEW, or NEW with an attempt marked: it holds (or is about to hold) its share of the quota.
bool Active(const api::SparkApplicationStatus& status) {
  const api::AppState state = status.application_state.state.value_or(api::AppState::kNew);
  if (state == api::AppState::kNew) return !status.driver_info.pod_name.empty();
  return state == api::AppState::kSubmitted || state == api::AppState::kRunning || state == api::AppState::kUnknown;
}

// Waiting for admission: QUEUED, or NEW and not yet decided.
bool Waiting(const api::SparkApplicationStatus& status) {
  const api::AppState state = status.application_state.state.value_or(api::AppState::kNew);
  return state == api::AppState::kQueued || (state == api::AppState::kNew && status.driver_info.pod_name.empty());
}

bool Earlier(const api::ObjectMeta& a, const api::ObjectMeta& b) {
  if (a.creation_timestamp != b.creation_timestamp) return a.creation_timestamp < b.creation_timestamp;
  return a.name < b.name;
}

std::string Describe(const PodResources& r) {
  return "cpu " + DescribeCpu(r.cpu_millis) + ", memory " + DescribeMemory(r.memory_bytes) + ", pods " +
         std::to_string(r.pods);
}

}  // namespace

std::string DescribeCpu(int64_t millis) {
  return millis % 1000 == 0 ? std::to_string(millis / 1000) : std::to_string(millis) + "m";
}

std::string DescribeMemory(int64_t bytes) {
  if (bytes % (kMiB * 1024) == 0) return std::to_string(bytes / (kMiB * 1024)) + "Gi";
  if (bytes % kMiB == 0) return std::to_string(bytes / kMiB) + "Mi";
  return std::to_string(bytes);
}

std::optional<PodResources> RuntimeClassOverhead(const rapidjson::Value& runtime_class) {
  const rapidjson::Value* fixed = FindPath(runtime_class, {"overhead", "podFixed"});
  if (fixed == nullptr || !fixed->IsObject()) return std::nullopt;
  PodResources overhead;
  overhead.pods = 0;  // The pod itself is counted once, by PodRequest.
  const auto read = [&](const char* resource, auto parse) -> int64_t {
    const rapidjson::Value* quantity = FindPath(*fixed, {resource});
    if (quantity == nullptr) return 0;
    return ValueOr(parse(quantity->IsString() ? std::string(quantity->GetString()) : ToJson(*quantity)), 0);
  };
  overhead.cpu_millis = read("cpu", [](const std::string& t) { return api::ParseCpuMillis(t); });
  overhead.memory_bytes = read("memory", [](const std::string& t) { return api::ParseKubernetesMemoryBytes(t); });
  return overhead;
}

PodResources ApplicationRequest(const api::SparkApplication& app, const ContainerDefaults& defaults,
                                const RuntimeOverheadFunc& overhead) {
  const SparkRequests spark = ComputeSparkRequests(app);
  PodResources total = PodRequest(app.spec.driver, spark.driver, defaults, overhead);
  const PodResources executor = PodRequest(app.spec.executor, spark.executor, defaults, overhead);
  // With dynamic allocation, what the app starts with; later executors are held to the namespace's
  // ResourceQuota when Spark creates them.
  total.cpu_millis += spark.executors * executor.cpu_millis;
  total.memory_bytes += spark.executors * executor.memory_bytes;
  total.pods += spark.executors;
  return total;
}

AdmissionDecision Admission::Decide(const api::SparkApplication& app) {
  using Verdict = AdmissionDecision::Verdict;
  const std::string& ns = app.metadata.namespace_;
  const std::optional<TenantBudget> budget = budget_(ns);
  if (!budget) return {};
  const PodResources need = ApplicationRequest(app, budget->container_defaults, budget->runtime_overhead);

  std::string too_large;
  const auto over = [&](const char* what, int64_t needed, const std::optional<int64_t>& hard, auto describe) {
    if (hard && needed > *hard) {
      too_large += std::string(too_large.empty() ? "" : "; ") + what + " " + describe(needed) +
                   " is more than the tenant's whole quota, " + describe(*hard);
    }
  };
  const auto count = [](int64_t n) { return std::to_string(n); };
  over("cpu", need.cpu_millis, budget->cpu_millis, DescribeCpu);
  over("memory", need.memory_bytes, budget->memory_bytes, DescribeMemory);
  over("pods", need.pods, budget->pods, count);
  if (!too_large.empty()) return {Verdict::kNeverFits, "can never run in this tenant: " + too_large};

  const std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(admitted_, [&](const auto& entry) { return now - entry.second > kAdmittedHold; });
  const std::string self = ns + "/" + app.metadata.name;
  PodResources committed;
  int running = 0;
  for (const kube::ObjectPtr& object : apps_(ns)) {
    Result<api::SparkApplication> other = api::ParseSparkApplication(*object);
    if (!other.ok() || other->metadata.name == app.metadata.name) continue;
    api::ApplyDefaults(*other);
    const std::string key = ns + "/" + other->metadata.name;
    const bool active = Active(other->status);
    if (active) admitted_.erase(key);  // The cache shows it now.
    if (active || admitted_.count(key) != 0) {
      const PodResources r = ApplicationRequest(*other, budget->container_defaults, budget->runtime_overhead);
      committed.cpu_millis += r.cpu_millis;
      committed.memory_bytes += r.memory_bytes;
      committed.pods += r.pods;
      ++running;
    } else if (Waiting(other->status) && !other->spec.submission_by_user && Earlier(other->metadata, app.metadata)) {
      return {Verdict::kQueue,
              "waiting behind " + other->metadata.name + ", queued before it; needs " + Describe(need)};
    }
  }
  if (budget->max_running && running >= *budget->max_running) {
    return {Verdict::kQueue, std::to_string(running) + " of maxRunningApplications " +
                                 std::to_string(*budget->max_running) + " running; needs " + Describe(need)};
  }
  PodResources free;
  std::string short_of;
  const auto left = [&](const char* what, int64_t needed, const std::optional<int64_t>& hard, int64_t used,
                        int64_t reserved, int64_t& out, auto describe) {
    if (!hard) return;
    out = std::max<int64_t>(0, *hard - std::max(used, reserved));
    if (needed > out) short_of += std::string(short_of.empty() ? "" : ", ") + what + " " + describe(out) + " free";
  };
  left("cpu", need.cpu_millis, budget->cpu_millis, budget->used.cpu_millis, committed.cpu_millis, free.cpu_millis,
       DescribeCpu);
  left("memory", need.memory_bytes, budget->memory_bytes, budget->used.memory_bytes, committed.memory_bytes,
       free.memory_bytes, DescribeMemory);
  left("pods", need.pods, budget->pods, budget->used.pods, committed.pods, free.pods, count);
  if (!short_of.empty()) return {Verdict::kQueue, "needs " + Describe(need) + "; " + short_of};
  admitted_[self] = now;
  return {};
}

bool ApplyAdmission(const api::SparkApplication& app, const AdmissionDecision& decision,
                    api::SparkApplicationStatus& status) {
  using Verdict = AdmissionDecision::Verdict;
  if (decision.verdict == Verdict::kAdmit) return true;
  const api::AppState state = decision.verdict == Verdict::kQueue ? api::AppState::kQueued : api::AppState::kFailed;
  if (status.application_state.state != state || status.application_state.error_message != decision.message) {
    LOG(INFO) << app.metadata.namespace_ << "/" << app.metadata.name << ": " << api::EnumName(state) << ": "
              << decision.message;
  }
  status.application_state = {state, decision.message};
  if (state == api::AppState::kFailed) status.termination_time = kube::FormatTime(std::chrono::system_clock::now());
  return false;
}

}  // namespace spark_operator::controller
