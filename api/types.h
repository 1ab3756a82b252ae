// The SparkApplication custom resource (spark-operator.k8s.io/v1alpha1) as plain C++ structs. Each compares
// with ==, which the controller uses to tell whether a spec changed. The JSON names,
// documentation and constraints of every field live in api/fields.h, the one place parsing, serialization,
// validation and the CRD schema are generated from; this file only holds the data.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spark_operator::api {

inline constexpr char kGroup[] = "spark-operator.k8s.io";
inline constexpr char kVersion[] = "v1alpha1";
inline constexpr char kApiVersion[] = "spark-operator.k8s.io/v1alpha1";
inline constexpr char kKind[] = "SparkApplication";
inline constexpr char kPlural[] = "sparkapplications";
inline constexpr char kSingular[] = "sparkapplication";
inline constexpr char kShortName[] = "sparkapp";

enum class AppType { kJava, kScala, kPython, kR };
enum class DeployMode { kCluster, kClient };
enum class SecretType { kGeneric, kGCPServiceAccount };
enum class RestartPolicyType { kNever, kOnFailure, kAlways };
enum class PullPolicy { kAlways, kIfNotPresent, kNever };
// New states go last: the values are indices into the names below, and the others keep theirs.
enum class AppState {
  kNew,
  kSubmitted,
  kRunning,
  kCompleted,
  kFailed,
  kSubmissionFailed,
  kPendingRerun,
  kUnknown,
  kQueued,
  kSuspended
};
enum class ExecutorState { kPending, kRunning, kCompleted, kFailed, kUnknown };
enum class LogShippingState { kPending, kShipping, kShipped, kFailed };

// The spelling of each enumerator in YAML, indexed by the enumerator's value.
template <class E>
struct EnumNames;
template <>
struct EnumNames<AppType> {
  static constexpr std::array<std::string_view, 4> kNames{"Java", "Scala", "Python", "R"};
};
template <>
struct EnumNames<DeployMode> {
  static constexpr std::array<std::string_view, 2> kNames{"cluster", "client"};
};
template <>
struct EnumNames<SecretType> {
  static constexpr std::array<std::string_view, 2> kNames{"Generic", "GCPServiceAccount"};
};
template <>
struct EnumNames<RestartPolicyType> {
  static constexpr std::array<std::string_view, 3> kNames{"Never", "OnFailure", "Always"};
};
template <>
struct EnumNames<PullPolicy> {
  static constexpr std::array<std::string_view, 3> kNames{"Always", "IfNotPresent", "Never"};
};
template <>
struct EnumNames<AppState> {
  static constexpr std::array<std::string_view, 10> kNames{"NEW",    "SUBMITTED",         "RUNNING",       "COMPLETED",
                                                           "FAILED", "SUBMISSION_FAILED", "PENDING_RERUN", "UNKNOWN",
                                                           "QUEUED", "SUSPENDED"};
};
template <>
struct EnumNames<ExecutorState> {
  static constexpr std::array<std::string_view, 5> kNames{"PENDING", "RUNNING", "COMPLETED", "FAILED", "UNKNOWN"};
};

template <>
struct EnumNames<LogShippingState> {
  static constexpr std::array<std::string_view, 4> kNames{"PENDING", "SHIPPING", "SHIPPED", "FAILED"};
};

template <class E>
std::string_view EnumName(E value) {
  return EnumNames<E>::kNames[static_cast<size_t>(value)];
}

// Exact, case-sensitive match: the API server's enum check is case-sensitive too.
template <class E>
std::optional<E> EnumFromName(std::string_view name) {
  for (size_t i = 0; i < EnumNames<E>::kNames.size(); ++i) {
    if (EnumNames<E>::kNames[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

using StringMap = std::map<std::string, std::string>;

// The subset of Kubernetes ObjectMeta the operator reads. Other metadata fields are not carried, so update
// objects through the status subresource or a patch rather than by PUTting ToJson() of a parsed object.
struct ObjectMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  std::string creation_timestamp;
  std::string deletion_timestamp;
  StringMap labels;
  StringMap annotations;
  std::vector<std::string> finalizers;

  bool operator==(const ObjectMeta&) const = default;
};

struct ConfigMapMount {
  std::string name;
  std::string path;

  bool operator==(const ConfigMapMount&) const = default;
};

struct SecretMount {
  std::string name;
  std::string path;
  std::optional<SecretType> secret_type;

  bool operator==(const SecretMount&) const = default;
};

// A value of a Kubernetes core type (a Toleration, a Container, a PodTemplateSpec), carried as its JSON text:
// the operator only places it into a pod template, and the API server checks it against the core schema that
// FieldDoc::kube_type names (the CRD embeds that schema). "" when unset.
struct KubeValue {
  std::string json;

  bool empty() const { return json.empty(); }
  bool operator==(const KubeValue&) const = default;
};

struct EnvVar {
  std::string name;
  std::string value;
  KubeValue value_from;  // core/v1 EnvVarSource; then the variable goes into the pod template.

  bool operator==(const EnvVar&) const = default;
};

struct Dependencies {
  std::vector<std::string> jars;
  std::vector<std::string> files;
  std::vector<std::string> py_files;
  std::vector<std::string> archives;
  std::vector<std::string> packages;  // Maven coordinates, resolved by Spark with Ivy.
  std::vector<std::string> repositories;
  std::vector<std::string> exclude_packages;

  bool operator==(const Dependencies&) const = default;
};

// An extended resource on the Spark container, e.g. nvidia.com/gpu.
struct GpuSpec {
  std::string name;  // The resource name, e.g. nvidia.com/gpu.
  int64_t quantity = 0;

  bool operator==(const GpuSpec&) const = default;
};

// What the driver and executor pods have in common.
struct PodSpec {
  std::optional<double> cores;  // Fractional values become the pod's CPU request; Spark gets ceil(cores).
  std::string core_request;     // Kubernetes CPU quantity; overrides the request cores gives.
  std::string core_limit;       // Kubernetes CPU quantity, e.g. "1200m".
  std::string memory;           // See api/quantity.h for the accepted forms.
  std::string memory_overhead;
  std::string image;
  std::vector<ConfigMapMount> config_maps;
  std::vector<SecretMount> secrets;
  std::vector<EnvVar> env;
  StringMap labels;
  StringMap annotations;
  StringMap node_selector;
  std::string java_options;
  std::optional<GpuSpec> gpu;
  std::string scheduler_name;
  // The rest go into the pod template (controller/pod_template.h); each KubeValue is of the core type named in
  // api/fields.h.
  KubeValue pod_template;           // PodTemplateSpec: the base the fields below and Spark's own settings win over.
  std::vector<KubeValue> env_from;  // EnvFromSource.
  std::vector<KubeValue> volume_mounts;    // VolumeMount, of spec.volumes.
  std::vector<KubeValue> tolerations;      // Toleration.
  KubeValue affinity;                      // Affinity.
  KubeValue security_context;              // SecurityContext of the Spark container.
  KubeValue pod_security_context;          // PodSecurityContext.
  KubeValue lifecycle;                     // Lifecycle of the Spark container.
  std::vector<KubeValue> sidecars;         // Container.
  std::vector<KubeValue> init_containers;  // Container.
  std::vector<KubeValue> host_aliases;     // HostAlias.
  KubeValue dns_config;                    // PodDNSConfig.
  std::string priority_class_name;
  std::optional<int64_t> termination_grace_period_seconds;
  std::optional<bool> host_network;
  std::optional<bool> share_process_namespace;

  bool operator==(const PodSpec&) const = default;
};

struct DriverSpec : PodSpec {
  std::string service_account;
  StringMap service_annotations;  // On the driver's headless Service.
  StringMap service_labels;

  bool operator==(const DriverSpec&) const = default;
};

struct ExecutorSpec : PodSpec {
  std::optional<int32_t> instances;
  std::optional<bool> delete_on_termination;

  bool operator==(const ExecutorSpec&) const = default;
};

struct RestartPolicy {
  std::optional<RestartPolicyType> type;
  std::optional<int32_t> on_failure_retries;
  std::optional<int64_t> on_failure_retry_interval;  // Seconds.
  std::optional<int32_t> on_submission_failure_retries;
  std::optional<int64_t> on_submission_failure_retry_interval;  // Seconds.

  bool operator==(const RestartPolicy&) const = default;
};

// Where the logs of the driver and executors go once a run ends (controller/logs/).
struct LogsSpec {
  std::string destination;        // gs://bucket/prefix, s3://bucket/prefix or file:///dir; empty: the controller's.
  std::optional<bool> executors;  // False: the driver's log only.

  bool operator==(const LogsSpec&) const = default;
};

// Spark's dynamic allocation of executors (spark.dynamicAllocation.*).
struct DynamicAllocation {
  bool enabled = false;
  std::optional<int32_t> initial_executors;
  std::optional<int32_t> min_executors;
  std::optional<int32_t> max_executors;
  std::optional<bool> shuffle_tracking_enabled;
  std::optional<int64_t> shuffle_tracking_timeout;  // Milliseconds.

  bool operator==(const DynamicAllocation&) const = default;
};

// The kinds of UI Service an app may ask for (spec.sparkUIOptions.serviceType).
enum class UiServiceKind { kNodePort, kClusterIP };
template <>
struct EnumNames<UiServiceKind> {
  static constexpr std::array<std::string_view, 2> kNames{"NodePort", "ClusterIP"};
};

struct IngressTLS {
  std::vector<std::string> hosts;
  std::string secret_name;

  bool operator==(const IngressTLS&) const = default;
};

// How the driver's Spark UI is exposed (kubeflow's sparkUIOptions); unset fields take the controller's flags.
struct SparkUIOptions {
  std::optional<int32_t> service_port;  // Unset: the UI port.
  std::string service_port_name;
  std::optional<UiServiceKind> service_type;
  StringMap service_annotations;
  StringMap service_labels;
  std::string ingress_url_format;  // Overrides --ingress-url-format.
  std::string ingress_class_name;  // Overrides --ingress-class-name.
  StringMap ingress_annotations;
  std::vector<IngressTLS> ingress_tls;

  bool operator==(const SparkUIOptions&) const = default;
};

// Spark's own Prometheus endpoints, served by the driver's UI (no JMX exporter).
struct MonitoringSpec {
  bool expose_driver_metrics = false;
  bool expose_executor_metrics = false;
  std::string metrics_properties;       // Text of a metrics.properties, each line a spark.metrics.conf.* key.
  std::string metrics_properties_file;  // spark.metrics.conf: a metrics.properties in the image.

  bool operator==(const MonitoringSpec&) const = default;
};

struct SparkApplicationSpec {
  std::optional<AppType> type;
  std::optional<DeployMode> mode;
  std::string main_class;
  std::string main_application_file;
  std::vector<std::string> arguments;
  Dependencies deps;
  DriverSpec driver;
  ExecutorSpec executor;
  bool submission_by_user = false;
  std::string spark_version;
  std::string image;
  std::optional<PullPolicy> image_pull_policy;
  std::vector<std::string> image_pull_secrets;
  StringMap spark_conf;
  StringMap hadoop_conf;
  std::string spark_config_map;
  std::string hadoop_config_map;
  StringMap node_selector;
  RestartPolicy restart_policy;
  std::optional<int64_t> time_to_live_seconds;
  LogsSpec logs;
  std::vector<KubeValue> volumes;  // core/v1 Volume: mounted by spec.driver/executor.volumeMounts.
  DynamicAllocation dynamic_allocation;
  std::string proxy_user;
  std::string memory_overhead_factor;  // A decimal, e.g. "0.2".
  bool suspend = false;
  SparkUIOptions spark_ui_options;
  MonitoringSpec monitoring;

  bool operator==(const SparkApplicationSpec&) const = default;
};

struct ApplicationState {
  std::optional<AppState> state;
  std::string error_message;

  bool operator==(const ApplicationState&) const = default;
};

struct DriverInfo {
  std::string pod_name;
  std::optional<int32_t> web_ui_port;
  std::string web_ui_service_name;
  std::string web_ui_url;
  std::string web_ui_ingress_name;
  std::string web_ui_ingress_address;

  bool operator==(const DriverInfo&) const = default;
};

// The log shipping of one run (status.logs): the latest run whose logs are being or were shipped.
struct LogsStatus {
  std::optional<LogShippingState> state;
  std::string destination;         // Without credentials.
  std::optional<int32_t> attempt;  // The submission number (status.submissionNumber) whose logs these are.
  std::optional<int64_t> objects;  // Log objects stored, the manifest not counted.
  std::optional<int64_t> bytes;
  std::string error;  // Why the last try failed; with FAILED, why the logs were lost.
  std::string shipped_time;

  bool operator==(const LogsStatus&) const = default;
};

struct SparkApplicationStatus {
  std::string app_id;  // spark.app.id of the current run.
  ApplicationState application_state;
  DriverInfo driver_info;
  std::map<std::string, ExecutorState> executor_state;  // Executor pod name -> state.
  int32_t submission_attempts = 0;                      // Of the current spec: the restart policy counts these.
  int32_t execution_attempts = 0;
  // Every submission of the app, across spec changes (which start submission_attempts again): the current
  // one's number names its driver pod and keys its logs, so no run reuses an earlier run's. Unset before the
  // first submission and in a status written before it existed, where submission_attempts is that number.
  std::optional<int32_t> submission_number;
  std::string last_submission_attempt_time;  // RFC 3339, as every timestamp here.
  std::string submission_time;
  std::string termination_time;
  std::optional<int64_t> observed_generation;  // metadata.generation of the spec this status is about.
  LogsStatus logs;

  bool operator==(const SparkApplicationStatus&) const = default;
};

// The current submission's number (0: none yet); submission_attempts in a status that predates the field.
inline int32_t SubmissionNumber(const SparkApplicationStatus& s) {
  return std::max(s.submission_number.value_or(0), s.submission_attempts);
}

struct SparkApplication {
  ObjectMeta metadata;
  SparkApplicationSpec spec;
  SparkApplicationStatus status;

  bool operator==(const SparkApplication&) const = default;
};

}  // namespace spark_operator::api
