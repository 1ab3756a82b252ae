// The initializer's pure logic: reads a Pod's spark-operator.k8s.io/* annotations and decides which
// volumes, mounts and environment variables to inject, as an RFC 6902 JSON patch. No I/O: the only outside
// question (does the referenced ConfigMap/Secret exist?) goes through ObjectChecker.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/mounts.h"
#include "common/base/status.h"
#include "common/kube/pod.h"

namespace spark_operator::initializer {

// What happens to an annotation that cannot be honoured (bad path or name, clashing mount).
enum class InvalidAnnotationPolicy { kDeny, kWarn };
Result<InvalidAnnotationPolicy> ParseInvalidAnnotationPolicy(std::string_view text);

enum class ObjectKind { kConfigMap, kSecret };
const char* ObjectKindName(ObjectKind kind);
inline ObjectKind ObjectKindOf(api::MountKind kind) {
  return api::IsSecretMount(kind) ? ObjectKind::kSecret : ObjectKind::kConfigMap;
}

using CheckDeadline = std::chrono::steady_clock::time_point;

// Answers whether a referenced object exists. OK: exists; NotFound: missing (becomes a warning); any other
// error: unknown (also a warning, the pod is still mutated). An answer not known by `deadline` is
// DeadlineExceeded, returned at the deadline at the latest: the API server gives the whole webhook 5 s.
// Implementations must be thread-safe.
class ObjectChecker {
 public:
  virtual ~ObjectChecker() = default;
  virtual Status Check(ObjectKind kind, const std::string& ns, const std::string& name,
                       CheckDeadline deadline) const = 0;
};

// Without a Kubernetes client every object is assumed to exist.
class AlwaysExistsChecker final : public ObjectChecker {
 public:
  Status Check(ObjectKind, const std::string&, const std::string&, CheckDeadline) const override { return OkStatus(); }
};

struct MutatorOptions {
  InvalidAnnotationPolicy policy = InvalidAnnotationPolicy::kDeny;
  // One deadline for all existence checks of one pod, connection set-up included. Well inside the
  // webhook's timeoutSeconds (5 s), so that a slow API server costs a warning, never a refused pod.
  std::chrono::milliseconds check_budget{2000};
};

struct Decision {
  bool allowed = true;
  std::string message;  // Why the pod is denied.
  std::string patch;    // RFC 6902 JSON array; empty when nothing changes.
  std::vector<std::string> warnings;
};

// A pod under admission: the object as sent, and its kube::Pod parsed once, when first asked for (the webhook sees
// every Spark pod and parses only the ones it reads: those that ask for mounts, or lack a name for the log line).
// For one request on one thread.
class AdmittedPod {
 public:
  explicit AdmittedPod(const rapidjson::Value& raw) : raw_(raw) {}
  const rapidjson::Value& raw() const { return raw_; }
  const kube::Pod& parsed() const {
    if (!parsed_) parsed_ = kube::ParsePod(raw_);
    return *parsed_;
  }

 private:
  const rapidjson::Value& raw_;
  mutable std::optional<kube::Pod> parsed_;
};

class Mutator {
 public:
  // `checker` must outlive the mutator; null means AlwaysExistsChecker.
  explicit Mutator(MutatorOptions options, const ObjectChecker* checker = nullptr);

  // `ns` is the namespace of the admission request (a pod being created may not carry one yet).
  Decision Mutate(const AdmittedPod& pod, const std::string& ns) const;
  Decision Mutate(const rapidjson::Value& pod, const std::string& ns) const { return Mutate(AdmittedPod(pod), ns); }

  const MutatorOptions& options() const { return options_; }

 private:
  MutatorOptions options_;
  const ObjectChecker* checker_;
};

}  // namespace spark_operator::initializer
