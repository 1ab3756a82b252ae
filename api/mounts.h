// The mount contract: which pod annotations ask the initializer for which volumes, mounts and environment
// variables. The controller writes the annotations from a SparkApplication's spec and later checks the driver pod
// against the mounts it expects; the webhook reads the annotations; users of spark-submit set them with
// spark.kubernetes.{driver,executor}.annotation.<key>=<value>. All three directions live here, so that they
// cannot drift apart (a unit test proves spec -> annotations -> mounts equals spec -> expected mounts).
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "common/base/status.h"

namespace spark_operator::api {

inline constexpr std::string_view kAnnotationPrefix = "spark-operator.k8s.io/";
// Value: a ConfigMap name, mounted at /etc/spark/conf (SPARK_CONF_DIR) or /etc/hadoop/conf (HADOOP_CONF_DIR).
inline constexpr std::string_view kSparkConfigMapAnnotation = "spark-operator.k8s.io/sparkConfigMap";
inline constexpr std::string_view kHadoopConfigMapAnnotation = "spark-operator.k8s.io/hadoopConfigMap";
// Key suffix: the object's name; value: the mount path.
inline constexpr std::string_view kConfigMapAnnotationPrefix = "spark-operator.k8s.io/configMap.";
inline constexpr std::string_view kGcpServiceAccountAnnotationPrefix = "spark-operator.k8s.io/GCPServiceAccount.";
inline constexpr std::string_view kSecretAnnotationPrefix = "spark-operator.k8s.io/secret.";

// Where the sparkConfigMap and hadoopConfigMap annotations mount, as the original project did.
inline constexpr std::string_view kSparkConfDir = "/etc/spark/conf";
inline constexpr std::string_view kHadoopConfDir = "/etc/hadoop/conf";
// Where spark-submit points SPARK_CONF_DIR in the pods it makes; replaced by the sparkConfigMap annotation.
inline constexpr std::string_view kSparkInternalConfDir = "/opt/spark/conf";

// The containers Spark names in the pods it builds.
inline constexpr std::string_view kDriverContainerName = "spark-kubernetes-driver";
inline constexpr std::string_view kExecutorContainerName = "spark-kubernetes-executor";

enum class MountKind { kSparkConfigMap, kHadoopConfigMap, kConfigMap, kSecret, kGcpServiceAccount };
// Whether the mounted object is a ConfigMap or a Secret: "ConfigMap" or "Secret".
const char* MountObjectKind(MountKind kind);
inline bool IsSecretMount(MountKind kind) {
  return kind == MountKind::kSecret || kind == MountKind::kGcpServiceAccount;
}

struct MountEnv {
  std::string name;
  std::string value;
  bool operator==(const MountEnv&) const = default;
};

// One mount asked for by one annotation.
struct Mount {
  std::string annotation;  // The full annotation key, quoted in messages.
  MountKind kind = MountKind::kConfigMap;
  std::string object_name;
  std::string volume_name;
  std::string mount_path;  // Normalised: no trailing or doubled '/'.
  std::optional<MountEnv> env;
  bool operator==(const Mount&) const = default;
};

// What the spec asks the initializer to mount into the pods of one role, in the spec's order, with the paths as
// written (`pod` is spec.driver or spec.executor). Generic secrets are not among them: Spark mounts those itself
// (spark.kubernetes.<role>.secrets.*).
struct RequestedMount {
  MountKind kind;
  std::string object_name;
  std::string path;
};
std::vector<RequestedMount> RequestedMounts(const SparkApplicationSpec& spec, const PodSpec& pod);
// How the spec calls a kind of mount, for messages: "sparkConfigMap", "configMap", "GCPServiceAccount secret".
const char* MountKindName(MountKind kind);

// spec -> annotations: what the controller puts on the pods of one role.
StringMap MountAnnotations(const SparkApplicationSpec& spec, const PodSpec& pod);

// spec -> mounts: what the initializer must have added to the pod of one role, in the spec's order.
std::vector<Mount> ExpectedMounts(const SparkApplicationSpec& spec, const PodSpec& pod);

// More annotations of ours than any pod needs are refused as a whole: checking mounts against each other and
// against the pod's own is quadratic, and one request must not hold a webhook thread for long.
inline constexpr size_t kMaxMountAnnotations = 64;

// annotations -> mounts: the mounts asked for, and one message per annotation that cannot be honoured
// ("<annotation>: <why>"). Unknown keys under our prefix give `unknown` messages (always warnings).
struct ParsedMountAnnotations {
  std::vector<Mount> mounts;  // Sorted by annotation key, valid ones only.
  std::vector<std::string> problems;
  std::vector<std::string> unknown;
};
ParsedMountAnnotations ParseMountAnnotations(const rapidjson::Value& annotations);

// The normalised path, or an error message without the annotation prefix. Stricter than validation's
// IsCleanAbsolutePath: the webhook compares paths with the pod's own mounts and must never mount over the system.
Result<std::string> NormaliseMountPath(std::string_view path);
// A DNS-1123 label (<= 63 chars) derived from the object name; hashed when the name has dots or is long.
std::string VolumeNameFor(std::string_view object_name, std::string_view suffix);

// The index of the container Spark runs in, in a pod's `spec.containers` array: the driver or executor
// container by name, else the first one; -1 when there is none.
int SparkContainerIndex(const rapidjson::Value& containers);
// The same over the containers' names, in order.
int SparkContainerIndex(const std::vector<std::string>& container_names);

}  // namespace spark_operator::api
