// The one description of every SparkApplication field: JSON name, documentation, and constraints. Parsing,
// serialization, Validate() and the CRD's OpenAPI schema are all visitors over these functions, so a field added
// here is parsed, written, checked and published without touching anything else.
//
// A visitor provides `template <class T> void Field(const char* json_name, T& member, const FieldDoc& doc)`;
// `Self` is the struct, possibly const, so read-only visitors work on const objects.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "api/types.h"

namespace spark_operator::api {

// Named value checks shared by Validate() and the CRD schema (api/name_rules.h holds the rules).
enum class Check {
  kNone,
  kDnsSubdomain,  // A Kubernetes object name; applies to each element of a list.
  kDnsLabel,      // A namespace name.
  kAbsolutePath,  // Mount path: absolute, no ".." segment.
  kEnvVarName,
  kMemory,          // api/quantity.h ParseMemoryBytes.
  kCpu,             // api/quantity.h ParseCpuMillis.
  kLabels,          // Map keys are qualified names, values label values.
  kAnnotationKeys,  // Map keys are qualified names.
  kDateTime,        // RFC 3339 timestamp (schema format only; written by the operator).
  kLogDestination,  // gs://bucket[/prefix], s3://bucket[/prefix] or file:///directory.
  kDecimal,         // A non-negative decimal number written as a string, e.g. "0.2".
};

// Upper bounds of durations in seconds: a wait longer than these is a mistake, and bounded values keep the
// controller's time arithmetic far from overflow.
inline constexpr int64_t kMaxRetryIntervalSeconds = 24 * 60 * 60;            // A day.
inline constexpr int64_t kMaxTimeToLiveSeconds = 10LL * 365 * 24 * 60 * 60;  // About ten years.
// More than any node has; bounded so that converting cores to Spark's integer and to millicores cannot overflow.
inline constexpr int64_t kMaxCores = 1024;

struct FieldDoc {
  const char* description = "";
  bool required = false;  // After defaults: Validate() reports it missing, the schema lists it.
  std::optional<int64_t> minimum = std::nullopt;
  bool exclusive_minimum = false;
  std::optional<int64_t> maximum = std::nullopt;
  Check check = Check::kNone;
  // For a KubeValue (or a list of them): the core type in Kubernetes' OpenAPI, e.g. "io.k8s.api.core.v1.Toleration".
  const char* kube_type = nullptr;
  // A number that may also be written as a string ("0.5"), as the original API and kubeflow's accepted.
  bool number_or_string = false;
};

// Shapes a visitor dispatches on; anything else a visitor meets is a struct with VisitFields.
template <class T>
inline constexpr bool kIsOptional = false;
template <class T>
inline constexpr bool kIsOptional<std::optional<T>> = true;
template <class T>
inline constexpr bool kIsVector = false;
template <class T>
inline constexpr bool kIsVector<std::vector<T>> = true;
template <class T>
inline constexpr bool kIsMap = false;
template <class T>
inline constexpr bool kIsMap<std::map<std::string, T>> = true;
template <class T>
inline constexpr bool kIsKube = std::is_same_v<T, KubeValue>;
// A KubeValue or a list of them: the fields FieldDoc::kube_type describes.
template <class T>
inline constexpr bool kHoldsKube = kIsKube<T>;
template <class T>
inline constexpr bool kHoldsKube<std::vector<T>> = kIsKube<T>;
template <class T>
inline constexpr bool kIsScalar = std::is_same_v<T, std::string> || std::is_arithmetic_v<T> || std::is_enum_v<T>;

// "spec" + "driver" -> "spec.driver"; the paths in error messages.
inline std::string JoinPath(std::string_view parent, std::string_view name) {
  std::string path(parent);
  if (!path.empty()) path += '.';
  path += name;
  return path;
}

template <class T, class Self>
using SameConst = std::conditional_t<std::is_const_v<Self>, const T, T>;

#define SO_API_FIELDS(Type)                                \
  template <class Self, class V>                           \
  requires std::is_same_v<std::remove_const_t<Self>, Type> \
  void VisitFields(Self& s, V& v)

SO_API_FIELDS(ObjectMeta) {
  v.Field("name", s.name, {});
  v.Field("namespace", s.namespace_, {});
  v.Field("uid", s.uid, {});
  v.Field("resourceVersion", s.resource_version, {});
  v.Field("generation", s.generation, {});
  v.Field("creationTimestamp", s.creation_timestamp, {});
  v.Field("deletionTimestamp", s.deletion_timestamp, {});
  v.Field("labels", s.labels, {});
  v.Field("annotations", s.annotations, {});
  v.Field("finalizers", s.finalizers, {});
}

SO_API_FIELDS(ConfigMapMount) {
  v.Field("name", s.name,
          {.description = "Name of the ConfigMap, in the application's namespace.",
           .required = true,
           .check = Check::kDnsSubdomain});
  v.Field("path", s.path,
          {.description = "Absolute directory the ConfigMap is mounted at.",
           .required = true,
           .check = Check::kAbsolutePath});
}

SO_API_FIELDS(SecretMount) {
  v.Field("name", s.name,
          {.description = "Name of the Secret, in the application's namespace.",
           .required = true,
           .check = Check::kDnsSubdomain});
  v.Field(
      "path", s.path,
      {.description = "Absolute directory the Secret is mounted at.", .required = true, .check = Check::kAbsolutePath});
  v.Field("secretType", s.secret_type,
          {.description = "Generic mounts the files only; GCPServiceAccount also points "
                          "GOOGLE_APPLICATION_CREDENTIALS at key.json in the mount. Defaults to Generic."});
}

SO_API_FIELDS(EnvVar) {
  v.Field("name", s.name, {.description = "Environment variable name.", .required = true, .check = Check::kEnvVarName});
  v.Field("value", s.value, {.description = "Environment variable value."});
  v.Field("valueFrom", s.value_from,
          {.description = "Where the value comes from (a Secret or ConfigMap key, a field of the pod): a Kubernetes "
                          "EnvVarSource. Such variables are set through the pod template.",
           .kube_type = "io.k8s.api.core.v1.EnvVarSource"});
}

SO_API_FIELDS(GpuSpec) {
  v.Field("name", s.name,
          {.description = "Extended resource name, e.g. nvidia.com/gpu.", .required = true, .check = Check::kLabels});
  v.Field("quantity", s.quantity,
          {.description = "How many; set as the Spark container's limit.", .required = true, .minimum = 1});
}

SO_API_FIELDS(Dependencies) {
  v.Field("jars", s.jars, {.description = "Jars added to the driver and executor classpaths (--jars)."});
  v.Field("files", s.files, {.description = "Files placed in each executor's working directory (--files)."});
  v.Field("pyFiles", s.py_files, {.description = ".zip, .egg or .py files for Python applications (--py-files)."});
  v.Field("archives", s.archives,
          {.description = "Archives extracted into each executor's working directory (--archives)."});
  v.Field("packages", s.packages,
          {.description = "Maven coordinates (group:artifact:version) of jars to add, with their dependencies "
                          "(--packages). Always submitted with spark-submit, which resolves them."});
  v.Field("repositories", s.repositories,
          {.description = "Extra Maven repositories to search for packages (--repositories)."});
  v.Field("excludePackages", s.exclude_packages,
          {.description = "group:artifact pairs left out when resolving packages (--exclude-packages)."});
}

template <class Self, class V>
void VisitPodFields(Self& s, V& v) {
  v.Field("cores", s.cores,
          {.description = "CPU cores requested for the pod; may be fractional (e.g. 0.5) and written as a number or "
                          "a string (\"0.5\"). Spark itself is given the value rounded up. Defaults to 1.",
           .minimum = 0,
           .exclusive_minimum = true,
           .maximum = kMaxCores,
           .number_or_string = true});
  v.Field("coreRequest", s.core_request,
          {.description = "CPU request of the pod as a Kubernetes quantity (e.g. 500m); overrides the request "
                          "cores gives (spark.kubernetes.<role>.request.cores).",
           .check = Check::kCpu});
  v.Field("coreLimit", s.core_limit,
          {.description = "CPU limit of the pod as a Kubernetes quantity, e.g. 1200m or 2. Unset means no limit.",
           .check = Check::kCpu});
  v.Field("memory", s.memory,
          {.description = "JVM heap, in Spark form (512m, 2g) or Kubernetes form (512Mi, 2Gi, 1G). Defaults to 1g.",
           .check = Check::kMemory});
  v.Field("memoryOverhead", s.memory_overhead,
          {.description = "Non-heap memory added to the pod's request, same forms as memory. Unset lets Spark "
                          "choose max(384m, 10% of memory).",
           .check = Check::kMemory});
  v.Field("image", s.image, {.description = "Container image; overrides spec.image for this pod."});
  v.Field("configMaps", s.config_maps, {.description = "ConfigMaps mounted into the pod."});
  v.Field("secrets", s.secrets, {.description = "Secrets mounted into the pod."});
  v.Field("env", s.env, {.description = "Environment variables set in the pod's Spark container."});
  v.Field("labels", s.labels, {.description = "Labels added to the pod.", .check = Check::kLabels});
  v.Field("annotations", s.annotations,
          {.description = "Annotations added to the pod.", .check = Check::kAnnotationKeys});
  v.Field("nodeSelector", s.node_selector,
          {.description = "Node selector for the pod, merged over spec.nodeSelector.", .check = Check::kLabels});
  v.Field("javaOptions", s.java_options,
          {.description = "Extra JVM options (spark.<role>.extraJavaOptions), e.g. -XX:+UseG1GC. Not for heap "
                          "size: use memory."});
  v.Field("gpu", s.gpu, {.description = "An extended resource (a GPU) on the Spark container."});
  v.Field("schedulerName", s.scheduler_name,
          {.description = "Scheduler of the pod (spark.kubernetes.<role>.scheduler.name)."});
  v.Field("podTemplate", s.pod_template,
          {.description = "A Kubernetes PodTemplateSpec the pod starts from (Spark's pod template). Spark's own "
                          "settings and the fields of this object win over it; the first container, or the one "
                          "named spark-kubernetes-driver (spark-kubernetes-executor), is the Spark container. See "
                          "`kubectl explain pod.spec`. Use this, not sparkConf's "
                          "spark.kubernetes.<role>.podTemplateFile: Spark reads one template, so a remote executor "
                          "template file is refused beside this or any executor field that goes into the template.",
           .kube_type = "io.k8s.api.core.v1.PodTemplateSpec"});
  v.Field("envFrom", s.env_from,
          {.description = "Sources of environment variables for the Spark container (Kubernetes EnvFromSource).",
           .kube_type = "io.k8s.api.core.v1.EnvFromSource"});
  v.Field("volumeMounts", s.volume_mounts,
          {.description = "Mounts of spec.volumes into the Spark container (Kubernetes VolumeMount). hostPath, "
                          "emptyDir, persistentVolumeClaim and nfs volumes are mounted by Spark itself "
                          "(spark.kubernetes.<role>.volumes.*); other kinds, and a volume mounted twice, through "
                          "the pod template.",
           .kube_type = "io.k8s.api.core.v1.VolumeMount"});
  v.Field(
      "tolerations", s.tolerations,
      {.description = "Tolerations of the pod (Kubernetes Toleration).", .kube_type = "io.k8s.api.core.v1.Toleration"});
  v.Field("affinity", s.affinity,
          {.description = "Affinity of the pod (Kubernetes Affinity).", .kube_type = "io.k8s.api.core.v1.Affinity"});
  v.Field("securityContext", s.security_context,
          {.description = "Security context of the Spark container (Kubernetes SecurityContext).",
           .kube_type = "io.k8s.api.core.v1.SecurityContext"});
  v.Field("podSecurityContext", s.pod_security_context,
          {.description = "Security context of the pod (Kubernetes PodSecurityContext).",
           .kube_type = "io.k8s.api.core.v1.PodSecurityContext"});
  v.Field("lifecycle", s.lifecycle,
          {.description = "Lifecycle hooks of the Spark container (Kubernetes Lifecycle).",
           .kube_type = "io.k8s.api.core.v1.Lifecycle"});
  v.Field("sidecars", s.sidecars,
          {.description = "Containers run beside the Spark container (Kubernetes Container).",
           .kube_type = "io.k8s.api.core.v1.Container"});
  v.Field("initContainers", s.init_containers,
          {.description = "Init containers of the pod (Kubernetes Container).",
           .kube_type = "io.k8s.api.core.v1.Container"});
  v.Field("hostAliases", s.host_aliases,
          {.description = "Entries added to the pod's /etc/hosts (Kubernetes HostAlias).",
           .kube_type = "io.k8s.api.core.v1.HostAlias"});
  v.Field("dnsConfig", s.dns_config,
          {.description = "DNS settings of the pod (Kubernetes PodDNSConfig).",
           .kube_type = "io.k8s.api.core.v1.PodDNSConfig"});
  v.Field("priorityClassName", s.priority_class_name,
          {.description = "PriorityClass of the pod.", .check = Check::kDnsSubdomain});
  v.Field("terminationGracePeriodSeconds", s.termination_grace_period_seconds,
          {.description = "Seconds the pod is given to stop.", .minimum = 0, .maximum = kMaxRetryIntervalSeconds});
  v.Field("hostNetwork", s.host_network, {.description = "Run the pod in the node's network namespace."});
  v.Field("shareProcessNamespace", s.share_process_namespace,
          {.description = "One process namespace for all the pod's containers."});
}

SO_API_FIELDS(DriverSpec) {
  VisitPodFields(static_cast<SameConst<PodSpec, Self>&>(s), v);
  v.Field("serviceAccount", s.service_account,
          {.description = "Service account the driver runs as; it must be allowed to create executor pods.",
           .check = Check::kDnsSubdomain});
  v.Field("serviceAnnotations", s.service_annotations,
          {.description = "Annotations on the driver's headless Service.", .check = Check::kAnnotationKeys});
  v.Field("serviceLabels", s.service_labels,
          {.description = "Labels on the driver's headless Service.", .check = Check::kLabels});
}

SO_API_FIELDS(ExecutorSpec) {
  VisitPodFields(static_cast<SameConst<PodSpec, Self>&>(s), v);
  v.Field("instances", s.instances, {.description = "Number of executors. Defaults to 1.", .minimum = 1});
  v.Field("deleteOnTermination", s.delete_on_termination,
          {.description = "False keeps ended executor pods for debugging "
                          "(spark.kubernetes.executor.deleteOnTermination); unset, Spark deletes them."});
}

SO_API_FIELDS(DynamicAllocation) {
  v.Field("enabled", s.enabled,
          {.description = "Scale executors with the workload (spark.dynamicAllocation.enabled)."});
  v.Field("initialExecutors", s.initial_executors, {.description = "Executors at the start.", .minimum = 0});
  v.Field("minExecutors", s.min_executors, {.description = "Fewest executors.", .minimum = 0});
  v.Field("maxExecutors", s.max_executors, {.description = "Most executors.", .minimum = 1});
  v.Field("shuffleTrackingEnabled", s.shuffle_tracking_enabled,
          {.description = "Keep executors holding shuffle data (Kubernetes has no external shuffle service). "
                          "Unset: on whenever dynamic allocation is."});
  v.Field("shuffleTrackingTimeout", s.shuffle_tracking_timeout,
          {.description = "Milliseconds after which an executor holding shuffle data may be removed.", .minimum = 0});
}

SO_API_FIELDS(RestartPolicy) {
  v.Field("type", s.type,
          {.description = "Never: run once. OnFailure: rerun after a failure, up to onFailureRetries times. "
                          "Always: rerun after every termination. Defaults to Never."});
  v.Field("onFailureRetries", s.on_failure_retries,
          {.description = "OnFailure only: reruns after a failed run. Defaults to 3.", .minimum = 0});
  v.Field("onFailureRetryInterval", s.on_failure_retry_interval,
          {.description = "Seconds between a failed run and the rerun. Defaults to 5.",
           .minimum = 0,
           .maximum = kMaxRetryIntervalSeconds});
  v.Field("onSubmissionFailureRetries", s.on_submission_failure_retries,
          {.description = "OnFailure only: resubmissions after spark-submit fails. Defaults to 3.", .minimum = 0});
  v.Field("onSubmissionFailureRetryInterval", s.on_submission_failure_retry_interval,
          {.description = "Seconds between a failed submission and the next. Defaults to 5.",
           .minimum = 0,
           .maximum = kMaxRetryIntervalSeconds});
}

SO_API_FIELDS(LogsSpec) {
  v.Field("destination", s.destination,
          {.description = "Where the driver's and executors' logs are copied when a run ends: gs://bucket/prefix, "
                          "s3://bucket/prefix or file:///directory (a volume mounted into the controller). Objects "
                          "are <prefix>/<namespace>/<app>/<run>-<uid>/<pod>/<container>.log (run: the submission "
                          "number; uid: the app's UID's first 8 characters) plus one manifest.json per run, written "
                          "last. Empty: the controller's --log-destination; neither: no shipping.",
           .check = Check::kLogDestination});
  v.Field("executors", s.executors, {.description = "False ships the driver's log only. Defaults to true."});
}

SO_API_FIELDS(IngressTLS) {
  v.Field("hosts", s.hosts, {.description = "Hosts the certificate covers; empty: the ingress controller's default."});
  v.Field("secretName", s.secret_name,
          {.description = "Secret holding the TLS certificate and key, in the application's namespace.",
           .check = Check::kDnsSubdomain});
}

SO_API_FIELDS(SparkUIOptions) {
  v.Field("servicePort", s.service_port,
          {.description = "Port of the UI Service; it forwards to the driver's UI port (spark.ui.port). Unset: the "
                          "UI port.",
           .minimum = 1,
           .maximum = 65535});
  v.Field("servicePortName", s.service_port_name,
          {.description = "Name of the UI Service's port; unset: spark-driver-ui-port.", .check = Check::kDnsLabel});
  v.Field("serviceType", s.service_type,
          {.description = "NodePort or ClusterIP; overrides the controller's --ui-service-type for this application "
                          "(also when that is None)."});
  v.Field("serviceAnnotations", s.service_annotations,
          {.description = "Annotations added to the UI Service.", .check = Check::kAnnotationKeys});
  v.Field("serviceLabels", s.service_labels,
          {.description = "Labels added to the UI Service.", .check = Check::kLabels});
  v.Field("ingressURLFormat", s.ingress_url_format,
          {.description = "Overrides the controller's --ingress-url-format for this application: host and optional "
                          "path of an Ingress to the UI, with {{$appName}} and {{$appNamespace}} replaced, e.g. "
                          "{{$appName}}.{{$appNamespace}}.example.com or example.com/{{$appNamespace}}/{{$appName}}. "
                          "With a path, spark.ui.proxyBase is set to it and the Ingress rewrites it away "
                          "(nginx.ingress.kubernetes.io/rewrite-target, unless ingressAnnotations set that)."});
  v.Field("ingressClassName", s.ingress_class_name,
          {.description = "IngressClass of the UI Ingress; overrides the controller's --ingress-class-name.",
           .check = Check::kDnsSubdomain});
  v.Field("ingressAnnotations", s.ingress_annotations,
          {.description = "Annotations added to the UI Ingress.", .check = Check::kAnnotationKeys});
  v.Field("ingressTLS", s.ingress_tls,
          {.description = "TLS of the UI Ingress (networking.k8s.io/v1 IngressTLS); with it the address in "
                          "status.driverInfo.webUIIngressAddress is https."});
}

SO_API_FIELDS(MonitoringSpec) {
  v.Field("exposeDriverMetrics", s.expose_driver_metrics,
          {.description = "Serve the driver's metrics in Prometheus format at /metrics/prometheus on the UI port "
                          "(Spark's PrometheusServlet), with prometheus.io/* scrape annotations and the label "
                          "spark-operator.k8s.io/metrics=true on the driver pod."});
  v.Field("exposeExecutorMetrics", s.expose_executor_metrics,
          {.description = "Serve the executors' metrics in Prometheus format at /metrics/executors/prometheus on "
                          "the driver's UI port (spark.ui.prometheus.enabled); executors serve nothing themselves."});
  v.Field("metricsProperties", s.metrics_properties,
          {.description = "Text of a metrics.properties (key=value lines, # comments); each key is passed as "
                          "spark.metrics.conf.<key>. The Prometheus servlet's own keys are set by the operator."});
  v.Field("metricsPropertiesFile", s.metrics_properties_file,
          {.description = "Path of a metrics.properties in the image (spark.metrics.conf)."});
}

SO_API_FIELDS(SparkApplicationSpec) {
  v.Field("type", s.type, {.description = "Language of the application.", .required = true});
  v.Field("mode", s.mode, {.description = "Spark deploy mode. Defaults to cluster."});
  v.Field("mainClass", s.main_class, {.description = "Entry point class; required for Java and Scala."});
  v.Field(
      "mainApplicationFile", s.main_application_file,
      {.description = "URI of the application jar, Python or R file, e.g. local:///opt/app.jar.", .required = true});
  v.Field("arguments", s.arguments, {.description = "Arguments passed to the application."});
  v.Field("deps", s.deps, {.description = "Extra files the application needs."});
  v.Field("driver", s.driver, {.description = "The driver pod."});
  v.Field("executor", s.executor, {.description = "The executor pods."});
  v.Field("submissionByUser", s.submission_by_user,
          {.description = "True when the user runs spark-submit for the application; the operator then never "
                          "does, and tracks into .status the newest driver pod created since the application "
                          "that carries the labels spark-operator.k8s.io/app-name (the application's name) and "
                          "spark-operator.k8s.io/launched-by-spark-operator=true, each passed to spark-submit as "
                          "--conf spark.kubernetes.driver.label.KEY=VALUE. It runs once: restartPolicy does not "
                          "apply. Defaults to false."});
  v.Field("sparkVersion", s.spark_version, {.description = "Spark version of the image, for information."});
  v.Field("image", s.image, {.description = "Container image of the driver and executors."});
  v.Field("imagePullPolicy", s.image_pull_policy, {.description = "Image pull policy. Defaults to IfNotPresent."});
  v.Field("imagePullSecrets", s.image_pull_secrets,
          {.description = "Names of Secrets used to pull the image.", .check = Check::kDnsSubdomain});
  v.Field("sparkConf", s.spark_conf, {.description = "Spark configuration properties (--conf key=value)."});
  v.Field("hadoopConf", s.hadoop_conf,
          {.description = "Hadoop configuration properties; each key is passed as spark.hadoop.<key>."});
  v.Field("sparkConfigMap", s.spark_config_map,
          {.description = "ConfigMap holding spark-defaults.conf and friends, mounted as SPARK_CONF_DIR.",
           .check = Check::kDnsSubdomain});
  v.Field("hadoopConfigMap", s.hadoop_config_map,
          {.description = "ConfigMap holding Hadoop configuration files, mounted as HADOOP_CONF_DIR.",
           .check = Check::kDnsSubdomain});
  v.Field("nodeSelector", s.node_selector,
          {.description = "Node selector for the driver and executor pods.", .check = Check::kLabels});
  v.Field("restartPolicy", s.restart_policy, {.description = "When to rerun the application."});
  v.Field("timeToLiveSeconds", s.time_to_live_seconds,
          {.description = "Seconds after termination before the SparkApplication is deleted. Unset keeps it.",
           .minimum = 0,
           .maximum = kMaxTimeToLiveSeconds});
  v.Field("logs", s.logs, {.description = "Copying the run's pod logs to object storage or a directory."});
  v.Field("volumes", s.volumes,
          {.description = "Volumes the driver and executor mount with volumeMounts (Kubernetes Volume).",
           .kube_type = "io.k8s.api.core.v1.Volume"});
  v.Field("dynamicAllocation", s.dynamic_allocation, {.description = "Dynamic allocation of executors."});
  v.Field("proxyUser", s.proxy_user, {.description = "User to impersonate when submitting (--proxy-user)."});
  v.Field("memoryOverheadFactor", s.memory_overhead_factor,
          {.description = "Fraction of memory added as non-heap memory when memoryOverhead is unset, e.g. \"0.2\" "
                          "(spark.driver.memoryOverheadFactor and spark.executor.memoryOverheadFactor).",
           .check = Check::kDecimal});
  v.Field("suspend", s.suspend,
          {.description = "True holds the application: it is not submitted, and a running driver pod (with its "
                          "executors) is deleted; the state is SUSPENDED. Setting it back to false submits the "
                          "application again as a new attempt (what queues such as Kueue rely on). A finished "
                          "application goes SUSPENDED too: the spec change would run it again. Defaults to false."});
  v.Field("sparkUIOptions", s.spark_ui_options,
          {.description = "The UI Service of the running driver and an optional Ingress to it."});
  v.Field("monitoring", s.monitoring,
          {.description = "Spark's built-in Prometheus endpoints on the driver's UI port."});
}

SO_API_FIELDS(ApplicationState) {
  v.Field("state", s.state, {.description = "Where the application is in its lifecycle."});
  v.Field("errorMessage", s.error_message, {.description = "Why the application failed, when it did."});
}

SO_API_FIELDS(DriverInfo) {
  v.Field("podName", s.pod_name, {.description = "Name of the driver pod."});
  v.Field(
      "webUIPort", s.web_ui_port,
      {.description = "Node port (ClusterIP: port) of the Service that exposes the running driver's Spark web UI."});
  v.Field("webUIServiceName", s.web_ui_service_name,
          {.description = "Service exposing the Spark web UI; deleted, and unset here, when the driver ends."});
  v.Field("webUIURL", s.web_ui_url,
          {.description = "Where the Spark web UI is reached: <node address>:<node port>, or "
                          "<service>.<namespace>.svc:<port> with a ClusterIP Service."});
  v.Field("webUIIngressName", s.web_ui_ingress_name,
          {.description = "Ingress to the UI Service; deleted, and unset here, when the driver ends."});
  v.Field("webUIIngressAddress", s.web_ui_ingress_address,
          {.description = "URL of the Spark web UI through the Ingress, e.g. https://host/path."});
}

SO_API_FIELDS(LogsStatus) {
  v.Field("state", s.state,
          {.description = "PENDING (the run's pods are kept until their logs are stored), SHIPPING, SHIPPED, or "
                          "FAILED (the store refused or stayed unreachable; error says why)."});
  v.Field("destination", s.destination, {.description = "Where the logs go."});
  v.Field("attempt", s.attempt,
          {.description = "The submission whose logs these are (its submissionNumber, the <run> of the keys)."});
  v.Field("objects", s.objects, {.description = "Container logs stored, the manifest not counted."});
  v.Field("bytes", s.bytes, {.description = "Bytes of log stored."});
  v.Field("error", s.error, {.description = "Why the last try failed."});
  v.Field("shippedTime", s.shipped_time, {.description = "When the manifest was written.", .check = Check::kDateTime});
}

SO_API_FIELDS(SparkApplicationStatus) {
  v.Field("appId", s.app_id, {.description = "spark.app.id of the current run."});
  v.Field("applicationState", s.application_state, {.description = "State of the application."});
  v.Field("driverInfo", s.driver_info, {.description = "The current run's driver."});
  v.Field("executorState", s.executor_state, {.description = "State of each executor pod, by pod name."});
  v.Field("submissionAttempts", s.submission_attempts,
          {.description = "spark-submit runs of the current spec so far (a spec change starts again at 1)."});
  v.Field("executionAttempts", s.execution_attempts, {.description = "Runs of the current spec so far."});
  v.Field("submissionNumber", s.submission_number,
          {.description = "Number of the current submission among all of the application's, across spec changes; "
                          "the driver pod <app>-<submissionNumber>-driver and the log keys carry it, so no run "
                          "reuses an earlier one's."});
  v.Field("lastSubmissionAttemptTime", s.last_submission_attempt_time,
          {.description = "When spark-submit last ran.", .check = Check::kDateTime});
  v.Field("submissionTime", s.submission_time,
          {.description = "When the current run was submitted.", .check = Check::kDateTime});
  v.Field("terminationTime", s.termination_time,
          {.description = "When the current run ended.", .check = Check::kDateTime});
  v.Field("observedGeneration", s.observed_generation,
          {.description = "metadata.generation of the spec this status is about; a finished application whose spec "
                          "changed since runs again."});
  v.Field("logs", s.logs, {.description = "Shipping of the latest finished run's logs."});
}

}  // namespace spark_operator::api
