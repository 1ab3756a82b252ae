// The ObjectChecker of a running initializer: asks the API server whether a referenced ConfigMap or Secret
// exists in the pod's namespace. The answer only ever becomes a warning, so the check is kept cheap and
// bounded: a short request timeout (the API server waits for the whole webhook at most timeoutSeconds, 5 s
// in our configuration) and a small cache, since every executor of one application asks the same question.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/kube/client.h"
#include "initializer/mutator.h"

namespace spark_operator::initializer {

// A client for the checker: `config` with a short timeout and a rate limit high enough that a burst of
// executor pods is not queued behind the limiter.
Result<std::shared_ptr<kube::Client>> NewCheckerClient(kube::RestConfig config,
                                                       std::chrono::milliseconds timeout = std::chrono::seconds(2));

class KubeObjectChecker final : public ObjectChecker {
 public:
  // OK and NotFound answers are remembered for `ttl`; other errors are not, so the next pod asks again.
  explicit KubeObjectChecker(std::shared_ptr<kube::Client> client,
                             std::chrono::milliseconds ttl = std::chrono::seconds(10));

  Status Check(ObjectKind kind, const std::string& ns, const std::string& name) const override;

 private:
  struct Entry {
    Status status;
    std::chrono::steady_clock::time_point expires;
  };

  const std::shared_ptr<kube::Client> client_;
  const std::chrono::milliseconds ttl_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, Entry> cache_;
};

}  // namespace spark_operator::initializer
