#include "initializer/kube_checker.h"

#include <algorithm>

namespace spark_operator::initializer {
namespace {

// Enough for the distinct objects of many concurrent applications; beyond it expired entries are dropped
// and, if that is not enough, the cache starts over rather than growing without bound.
constexpr size_t kMaxEntries = 4096;

}  // namespace

Result<std::shared_ptr<kube::Client>> NewCheckerClient(kube::RestConfig config, std::chrono::milliseconds timeout) {
  config.timeout = timeout;
  config.qps = std::max(config.qps, 200.0);
  config.burst = std::max(config.burst, 400);
  return kube::Client::Create(config);
}

KubeObjectChecker::KubeObjectChecker(std::shared_ptr<kube::Client> client, std::chrono::milliseconds ttl)
    : client_(std::move(client)), ttl_(ttl) {}

Status KubeObjectChecker::Check(ObjectKind kind, const std::string& ns, const std::string& name) const {
  const std::string key = std::string(ObjectKindName(kind)) + "/" + ns + "/" + name;
  const auto now = std::chrono::steady_clock::now();
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(key); it != cache_.end() && it->second.expires > now) return it->second.status;
  }
  const kube::Resource& resource = kind == ObjectKind::kConfigMap ? kube::resources::kConfigMaps
                                                                  : kube::resources::kSecrets;
  const Result<rapidjson::Document> object = client_->Get(resource, ns, name);
  const Status status = object.ok() ? OkStatus() : object.status();
  if (!status.ok() && !IsNotFound(status)) return status;
  const std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxEntries) {
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.expires <= now; });
    if (cache_.size() >= kMaxEntries) cache_.clear();
  }
  cache_[key] = Entry{status, now + ttl_};
  return status;
}

}  // namespace spark_operator::initializer
