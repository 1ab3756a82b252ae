#include "initializer/kube_checker.h"

#include <algorithm>
#include <thread>

namespace spark_operator::initializer {
namespace {

// Enough for the distinct objects of many concurrent applications; beyond it expired entries are dropped
// and, if that is not enough, the cache starts over rather than growing without bound.
constexpr size_t kMaxEntries = 4096;
// Lookups of distinct objects running at once. Only an API server that does not answer keeps them running;
// past this many, checks are given up at once instead of adding threads.
constexpr size_t kMaxInFlight = 64;

}  // namespace

Result<std::shared_ptr<kube::Client>> NewCheckerClient(kube::RestConfig config, std::chrono::milliseconds timeout) {
  config.timeout = timeout;
  config.qps = std::max(config.qps, 200.0);
  config.burst = std::max(config.burst, 400);
  return kube::Client::Create(config);
}

KubeObjectChecker::KubeObjectChecker(std::shared_ptr<kube::Client> client, std::chrono::milliseconds ttl)
    : client_(std::move(client)), ttl_(ttl) {}

Status KubeObjectChecker::Check(ObjectKind kind, const std::string& ns, const std::string& name,
                                CheckDeadline deadline) const {
  const std::string key = std::string(ObjectKindName(kind)) + "/" + ns + "/" + name;
  const auto now = std::chrono::steady_clock::now();
  std::unique_lock lock(state_->mutex);
  if (const auto it = state_->cache.find(key); it != state_->cache.end() && it->second.expires > now) {
    return it->second.status;
  }
  if (now >= deadline) return DeadlineExceededError("no time left to ask the API server");
  std::shared_ptr<Lookup> lookup;
  if (const auto it = state_->in_flight.find(key); it != state_->in_flight.end()) {
    lookup = it->second;
  } else {
    if (state_->in_flight.size() >= kMaxInFlight) {
      return DeadlineExceededError(std::to_string(kMaxInFlight) + " lookups are waiting for the API server already");
    }
    lookup = std::make_shared<Lookup>();
    state_->in_flight.emplace(key, lookup);
    const kube::Resource& resource =
        kind == ObjectKind::kConfigMap ? kube::resources::kConfigMaps : kube::resources::kSecrets;
    std::thread([state = state_, client = client_, ttl = ttl_, &resource, key, ns, name, lookup] {
      const Result<rapidjson::Document> object = client->Get(resource, ns, name);
      const Status status = object.ok() ? OkStatus() : object.status();
      const auto done_at = std::chrono::steady_clock::now();
      const std::lock_guard done_lock(state->mutex);
      lookup->done = true;
      lookup->status = status;
      state->in_flight.erase(key);
      if (status.ok() || IsNotFound(status)) {
        if (state->cache.size() >= kMaxEntries) {
          std::erase_if(state->cache, [&](const auto& entry) { return entry.second.expires <= done_at; });
          if (state->cache.size() >= kMaxEntries) state->cache.clear();
        }
        state->cache[key] = Entry{status, done_at + ttl};
      }
      state->done.notify_all();
    }).detach();
  }
  if (!state_->done.wait_until(lock, deadline, [&] { return lookup->done; })) {
    return DeadlineExceededError("the API server did not answer in time");
  }
  return lookup->status;
}

}  // namespace spark_operator::initializer
