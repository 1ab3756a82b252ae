// The initializer's pure logic: reads a Pod's spark-operator.k8s.io/* annotations and decides which
// volumes, mounts and environment variables to inject, as an RFC 6902 JSON patch. No I/O: the only outside
// question (does the referenced ConfigMap/Secret exist?) goes through ObjectChecker.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "api/annotations.h"
#include "common/status.h"

namespace spark_operator::initializer {

using api::kAnnotationPrefix;
using api::kConfigMapAnnotationPrefix;
using api::kGcpServiceAccountAnnotationPrefix;
using api::kHadoopConfigMapAnnotation;
using api::kSecretAnnotationPrefix;
using api::kSparkConfigMapAnnotation;

using api::kHadoopConfDir;
using api::kSparkConfDir;
// Where spark-submit points SPARK_CONF_DIR in the pods it makes; replaced by the sparkConfigMap annotation.
inline constexpr std::string_view kSparkInternalConfDir = "/opt/spark/conf";
inline constexpr std::string_view kSparkConfigMapVolume = "spark-configmap-volume";
inline constexpr std::string_view kHadoopConfigMapVolume = "hadoop-configmap-volume";
inline constexpr std::string_view kDriverContainer = "spark-kubernetes-driver";
inline constexpr std::string_view kExecutorContainer = "spark-kubernetes-executor";

// What happens to an annotation that cannot be honoured (bad path or name, clashing mount).
enum class InvalidAnnotationPolicy { kDeny, kWarn };
Result<InvalidAnnotationPolicy> ParseInvalidAnnotationPolicy(std::string_view text);

enum class ObjectKind { kConfigMap, kSecret };
const char* ObjectKindName(ObjectKind kind);

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
  Status Check(ObjectKind, const std::string&, const std::string&, CheckDeadline) const override {
    return OkStatus();
  }
};

struct EnvVar {
  std::string name;
  std::string value;
};

// One mount asked for by one annotation.
struct MountRequest {
  std::string annotation;  // The full annotation key, quoted in messages.
  ObjectKind kind = ObjectKind::kConfigMap;
  std::string object_name;
  std::string volume_name;
  std::string mount_path;  // Normalised: no trailing or doubled '/'.
  std::optional<EnvVar> env;
};

// Reading the annotations: the mounts asked for, and one message per annotation that cannot be honoured
// ("<annotation>: <why>"). Unknown keys under our prefix give `unknown` messages (always warnings).
struct ParsedAnnotations {
  std::vector<MountRequest> mounts;  // Sorted by annotation key, valid ones only.
  std::vector<std::string> problems;
  std::vector<std::string> unknown;
};
ParsedAnnotations ParseAnnotations(const rapidjson::Value& annotations);

// Helpers exposed for tests and the fuzzer. Object names are checked with api::IsDns1123Subdomain.
// The normalised path, or an error message without the annotation prefix.
Result<std::string> ValidateMountPath(std::string_view path);
// A DNS-1123 label (<= 63 chars) derived from the object name; hashed when the name has dots or is long.
std::string VolumeNameFor(std::string_view object_name, std::string_view suffix);
// RFC 6901 escaping of one reference token: '~' -> "~0", '/' -> "~1".
std::string EscapeJsonPointerToken(std::string_view token);

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

class Mutator {
 public:
  // `checker` must outlive the mutator; null means AlwaysExistsChecker.
  explicit Mutator(MutatorOptions options, const ObjectChecker* checker = nullptr);

  // `ns` is the namespace of the admission request (a pod being created may not carry one yet).
  Decision Mutate(const rapidjson::Value& pod, const std::string& ns) const;

  const MutatorOptions& options() const { return options_; }

 private:
  MutatorOptions options_;
  const ObjectChecker* checker_;
};

}  // namespace spark_operator::initializer
