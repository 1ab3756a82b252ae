// The ObjectChecker of a running initializer: asks the API server whether a referenced ConfigMap or Secret
// exists in the pod's namespace. The answer only ever becomes a warning, so the check is kept cheap and
// bounded: every lookup runs on its own thread and the caller waits only until its deadline (the HTTP
// client's own timeouts do not bound connect, retry and read together); one lookup per object at a time,
// shared by every pod asking the same question; and a small cache, since every executor of one application
// asks the same question.
#pragma once

#include <chrono>
#include <condition_variable>
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

  // DeadlineExceeded when the answer is not in by `deadline` (the lookup goes on and fills the cache), or
  // when too many lookups hang already; then nothing new is started.
  Status Check(ObjectKind kind, const std::string& ns, const std::string& name, CheckDeadline deadline) const override;

 private:
  struct Lookup {
    bool done = false;
    Status status;
  };
  struct Entry {
    Status status;
    std::chrono::steady_clock::time_point expires;
  };
  // Shared with the lookup threads, which may outlive a wait (and the checker).
  struct State {
    std::mutex mutex;
    std::condition_variable done;
    std::unordered_map<std::string, Entry> cache;
    std::unordered_map<std::string, std::shared_ptr<Lookup>> in_flight;
  };

  const std::shared_ptr<kube::Client> client_;
  const std::chrono::milliseconds ttl_;
  const std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace spark_operator::initializer
