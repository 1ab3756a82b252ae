#include "controller/tenant.h"

#include <glog/logging.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <thread>

#include "api/quantity.h"
#include "common/base/json.h"

namespace spark_operator::controller {
namespace {

// What a Spark 4.x driver does with the API server (fabric8 client 7.x): creates executor pods, their ConfigMap
// and on-demand PVCs; patches executor pod labels when an executor is lost; at shutdown deletes everything of
// the application by label, as one DELETE on the collection (deletecollection). The kustomize component
// deploy/components/spark-job-rbac/role.yaml mirrors these rules for clusters that run with
// --prepare-tenant=false; a unit test keeps the two equal.
constexpr char kDriverRoleRules[] = R"([
  {"apiGroups": [""], "resources": ["pods"],
   "verbs": ["create", "get", "list", "watch", "delete", "deletecollection", "patch"]},
  {"apiGroups": [""], "resources": ["services", "configmaps", "persistentvolumeclaims"],
   "verbs": ["create", "get", "list", "watch", "delete", "deletecollection"]}
])";

constexpr std::array<std::string_view, 11> kKubernetesMemorySuffixes{"Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
                                                                     "M",  "G",  "T",  "P",  "E"};

bool HasKubernetesSuffix(std::string_view quantity) {
  // Only the trailing letters count: "16Gi" ends in "Gi", but "16gi" is neither dialect.
  size_t start = quantity.size();
  while (start > 0 && std::isalpha(static_cast<unsigned char>(quantity[start - 1]))) --start;
  const std::string_view suffix = quantity.substr(start);
  return std::find(kKubernetesMemorySuffixes.begin(), kKubernetesMemorySuffixes.end(), suffix) !=
         kKubernetesMemorySuffixes.end();
}

bool HasQuota(const TenantOptions& options) {
  return options.quota_pods > 0 || !options.quota_cpu.empty() || !options.quota_memory.empty();
}

rapidjson::Document Base(const char* api_version, const char* kind, const std::string& ns, const std::string& name) {
  rapidjson::Document doc(rapidjson::kObjectType);
  SetString(doc, {"apiVersion"}, api_version);
  SetString(doc, {"kind"}, kind);
  SetString(doc, {"metadata", "name"}, name);
  SetString(doc, {"metadata", "namespace"}, ns);
  SetString(doc, {"metadata", "labels", "app.kubernetes.io/managed-by"}, "spark-operator");
  SetString(doc, {"metadata", "labels", "app.kubernetes.io/part-of"}, "spark-operator");
  return doc;
}

// Quota admission refuses every pod ("status unknown for quota") until the quota controller has written the
// quota's status, so spark-submit right after a new or changed quota would fail; wait for it, briefly.
void WaitForQuotaStatus(kube::Client& client, const std::string& ns) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    const Result<rapidjson::Document> quota = client.Get(kube::resources::kResourceQuotas, ns, kTenantQuotaName);
    if (!quota.ok()) return;  // Not ours to judge: spark-submit reports what the server says.
    const rapidjson::Value* spec = FindPath(*quota, {"spec", "hard"});
    const rapidjson::Value* status = FindPath(*quota, {"status", "hard"});
    if (spec != nullptr && status != nullptr && ToJson(*spec) == ToJson(*status)) return;
    if (std::chrono::steady_clock::now() >= deadline) {
      LOG(WARNING) << ns << "/" << kTenantQuotaName << ": the quota controller has not filled in its status yet";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

kube::InvolvedObject AppReference(const api::SparkApplication& app) {
  kube::InvolvedObject ref;
  ref.api_version = api::kApiVersion;
  ref.kind = "SparkApplication";
  ref.name = app.metadata.name;
  ref.ns = app.metadata.namespace_;
  ref.uid = app.metadata.uid;
  ref.resource_version = app.metadata.resource_version;
  return ref;
}

std::string QuotedList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "\"" : ", \"") + item + "\"";
  return out;
}

}  // namespace

std::string KubernetesMemory(const std::string& quantity) {
  if (HasKubernetesSuffix(quantity)) return quantity;
  const Result<int64_t> bytes = api::ParseMemoryBytes(quantity);
  if (!bytes.ok()) return quantity;  // ValidateTenantOptions refused it already.
  static constexpr std::array<std::string_view, 5> kUnits{"Pi", "Ti", "Gi", "Mi", "Ki"};
  for (size_t i = 0; i < kUnits.size(); ++i) {
    const int64_t unit = int64_t{1} << (10 * (kUnits.size() - i));
    if (*bytes % unit == 0) return std::to_string(*bytes / unit) + std::string(kUnits[i]);
  }
  return std::to_string(*bytes);
}

std::string KubernetesCpu(const std::string& quantity) {
  const Result<int64_t> millis = api::ParseCpuMillis(quantity);
  if (!millis.ok()) return quantity;
  return *millis % 1000 == 0 ? std::to_string(*millis / 1000) : std::to_string(*millis) + "m";
}

std::vector<std::string> ConflictingManagers(std::string_view message) {
  constexpr std::string_view kMarker = "conflict with \"";
  std::vector<std::string> out;
  for (size_t at = message.find(kMarker); at != std::string_view::npos; at = message.find(kMarker, at)) {
    at += kMarker.size();
    const size_t end = message.find('"', at);
    if (end == std::string_view::npos) break;
    std::string manager(message.substr(at, end - at));
    if (std::find(out.begin(), out.end(), manager) == out.end()) out.push_back(std::move(manager));
    at = end;
  }
  return out;
}

bool ManagedByOperator(const rapidjson::Value& object) {
  const rapidjson::Value* fields = FindPath(object, {"metadata", "managedFields"});
  if (fields == nullptr || !fields->IsArray()) return false;
  for (const rapidjson::Value& entry : fields->GetArray()) {
    if (GetString(entry, {"manager"}) == kTenantFieldManager) return true;
  }
  return false;
}

Status ValidateTenantOptions(const TenantOptions& options) {
  if (options.quota_pods < 0) return InvalidArgumentError("--tenant-quota-pods must not be negative");
  if (!options.quota_cpu.empty()) {
    if (const Result<int64_t> cpu = api::ParseCpuMillis(options.quota_cpu); !cpu.ok()) {
      return cpu.status().WithContext("--tenant-quota-cpu");
    }
  }
  if (!options.quota_memory.empty()) {
    if (const Result<int64_t> memory = api::ParseMemoryBytes(options.quota_memory); !memory.ok()) {
      return memory.status().WithContext("--tenant-quota-memory");
    }
  }
  return OkStatus();
}

std::string EffectiveServiceAccount(const api::SparkApplication& app) {
  return app.spec.driver.service_account.empty() ? kDefaultServiceAccount : app.spec.driver.service_account;
}

std::string DriverRoleBindingName(const std::string& service_account) {
  return service_account == kDefaultServiceAccount ? std::string(kDriverRoleName)
                                                   : std::string(kDriverRoleName) + "-" + service_account;
}

std::vector<TenantObject> BuildTenantObjects(const api::SparkApplication& app, const TenantOptions& options) {
  const std::string& ns = app.metadata.namespace_;
  const std::string sa = EffectiveServiceAccount(app);
  std::vector<TenantObject> out;

  out.push_back({&kube::resources::kServiceAccounts, "ServiceAccount", sa, Base("v1", "ServiceAccount", ns, sa)});

  rapidjson::Document role = Base("rbac.authorization.k8s.io/v1", "Role", ns, kDriverRoleName);
  Result<rapidjson::Document> rules = ParseJson(kDriverRoleRules);
  CHECK(rules.ok()) << rules.status().ToString();  // A constant: a parse error is a bug caught by every test.
  SetPath(role, {"rules"}, rapidjson::Value(*rules, role.GetAllocator()));
  out.push_back({&kube::resources::kRoles, "Role", kDriverRoleName, std::move(role)});

  const std::string binding_name = DriverRoleBindingName(sa);
  rapidjson::Document binding = Base("rbac.authorization.k8s.io/v1", "RoleBinding", ns, binding_name);
  SetString(binding, {"roleRef", "apiGroup"}, "rbac.authorization.k8s.io");
  SetString(binding, {"roleRef", "kind"}, "Role");
  SetString(binding, {"roleRef", "name"}, kDriverRoleName);
  auto& a = binding.GetAllocator();
  rapidjson::Value subject(rapidjson::kObjectType);
  subject.AddMember("kind", "ServiceAccount", a);
  subject.AddMember("name", JsonString(sa, a), a);
  subject.AddMember("namespace", JsonString(ns, a), a);
  rapidjson::Value subjects(rapidjson::kArrayType);
  subjects.PushBack(subject, a);
  SetPath(binding, {"subjects"}, std::move(subjects));
  out.push_back({&kube::resources::kRoleBindings, "RoleBinding", binding_name, std::move(binding)});

  if (HasQuota(options)) {
    rapidjson::Document quota = Base("v1", "ResourceQuota", ns, kTenantQuotaName);
    SetPath(quota, {"spec", "hard"}, rapidjson::Value(rapidjson::kObjectType));
    if (options.quota_pods > 0) SetString(quota, {"spec", "hard", "pods"}, std::to_string(options.quota_pods));
    if (!options.quota_cpu.empty())
      SetString(quota, {"spec", "hard", "requests.cpu"}, KubernetesCpu(options.quota_cpu));
    if (!options.quota_memory.empty()) {
      SetString(quota, {"spec", "hard", "requests.memory"}, KubernetesMemory(options.quota_memory));
    }
    out.push_back({&kube::resources::kResourceQuotas, "ResourceQuota", kTenantQuotaName, std::move(quota)});
  }
  return out;
}

TenantPreparer::TenantPreparer(std::shared_ptr<kube::Client> client, TenantOptions options, Clock clock,
                               std::shared_ptr<kube::EventRecorder> recorder)
    : client_(std::move(client)),
      options_(std::move(options)),
      // A preparer built with other quota limits must not trust what one with the old limits applied.
      options_fingerprint_(std::to_string(options_.quota_pods) + "|" + options_.quota_cpu + "|" +
                           options_.quota_memory),
      clock_(clock ? std::move(clock) : [] { return std::chrono::steady_clock::now(); }),
      recorder_(recorder ? std::move(recorder) : std::make_shared<kube::EventRecorder>(client_)) {}

void TenantPreparer::Warn(const api::SparkApplication& app, const std::string& reason, const std::string& message) {
  LOG(WARNING) << app.metadata.namespace_ << "/" << app.metadata.name << ": " << message;
  recorder_->Record(AppReference(app), kube::EventType::kWarning, reason, message);
}

std::string TenantPreparer::CacheKey(const api::SparkApplication& app) const {
  return app.metadata.namespace_ + "/" + EffectiveServiceAccount(app) + "/" + options_fingerprint_;
}

int64_t TenantPreparer::applies() const {
  const std::lock_guard lock(mu_);
  return applies_;
}

Status TenantPreparer::Prepare(const api::SparkApplication& app) {
  const std::string key = CacheKey(app);
  std::unique_lock lock(mu_);
  // One apply per key at a time: at scale many workers reach a new namespace at once, and each would apply the
  // same objects (measured: 8-34 times per namespace); they wait for the first one's outcome instead.
  preparing_done_.wait(lock, [&] { return preparing_.count(key) == 0; });
  const auto now = clock_();
  if (const auto it = prepared_.find(key); it != prepared_.end() && now - it->second < options_.cache_ttl) {
    return OkStatus();
  }
  preparing_.insert(key);
  lock.unlock();
  const Status status = Apply(app, key, now);
  lock.lock();
  preparing_.erase(key);
  preparing_done_.notify_all();
  return status;
}

Status TenantPreparer::Apply(const api::SparkApplication& app, const std::string& key,
                             std::chrono::steady_clock::time_point now) {
  const std::string& ns = app.metadata.namespace_;
  const std::string sa = EffectiveServiceAccount(app);
  // An account that exists and that the operator did not make is someone else's: binding the Role to it
  // would grant an arbitrary account the driver's rights. (An account made between this read and the apply
  // below is shared from then on; the window is one round trip.)
  bool bind = true;
  if (const Result<rapidjson::Document> account = client_->Get(kube::resources::kServiceAccounts, ns, sa);
      account.ok()) {
    bind = ManagedByOperator(*account);
  } else if (!IsNotFound(account.status())) {
    return Status(account.status().code(),
                  "preparing namespace " + ns + ": reading ServiceAccount " + sa + ": " + account.status().message(),
                  account.status().http_status());
  }
  if (!bind) {
    Warn(app, "ServiceAccountNotManaged",
         "ServiceAccount " + ns + "/" + sa + " exists and is not managed by spark-operator: Role " + kDriverRoleName +
             " is not bound to it; the driver runs with the rights an administrator gave it");
  }
  kube::PatchOptions apply;
  apply.field_manager = kTenantFieldManager;
  apply.force = false;
  int64_t written = 0;
  for (const TenantObject& object : BuildTenantObjects(app, options_)) {
    const bool about_account =
        object.resource == &kube::resources::kServiceAccounts || object.resource == &kube::resources::kRoleBindings;
    if (!bind && about_account) continue;
    const Result<rapidjson::Document> applied =
        client_->Patch(*object.resource, ns, object.name, kube::PatchType::kApply, ToJson(object.object), apply);
    ++written;
    if (!applied.ok() && IsConflict(applied.status())) {
      const std::vector<std::string> managers = ConflictingManagers(applied.status().message());
      Warn(app, "TenantObjectConflict",
           object.kind + " " + ns + "/" + object.name + " is managed by " +
               (managers.empty() ? std::string("another field manager") : QuotedList(managers)) +
               ", so spark-operator leaves it as it is: " + applied.status().message());
      continue;
    }
    if (!applied.ok()) {
      {
        const std::lock_guard lock(mu_);
        applies_ += written;
      }
      return Status(applied.status().code(),
                    "preparing namespace " + ns + ": creating " + object.kind + " " + object.name + ": " +
                        applied.status().message(),
                    applied.status().http_status());
    }
    if (object.resource == &kube::resources::kResourceQuotas) WaitForQuotaStatus(*client_, ns);
  }
  const std::lock_guard lock(mu_);
  applies_ += written;
  // Expired entries go when the map grows, so that many short-lived namespaces do not pile up.
  if (prepared_.size() >= 1024) {
    std::erase_if(prepared_, [&](const auto& entry) { return now - entry.second >= options_.cache_ttl; });
  }
  prepared_[key] = now;
  LOG(INFO) << ns << "/" << sa << ": namespace prepared (" << (bind ? "service account, " : "") << "Role "
            << kDriverRoleName << (bind ? ", RoleBinding " + DriverRoleBindingName(sa) : "")
            << (HasQuota(options_) ? ", ResourceQuota " + std::string(kTenantQuotaName) : "") << ")";
  return OkStatus();
}

}  // namespace spark_operator::controller
