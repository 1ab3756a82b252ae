#include "controller/submit/submission.h"

#include <cstdlib>
#include <map>
#include <memory>

#include "api/metrics_properties.h"
#include "api/mounts.h"
#include "api/quantity.h"
#include "controller/labels.h"
#include "controller/pod_template.h"
#include "controller/tenant.h"
#include "controller/ui_service.h"

namespace spark_operator::controller {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ",";
    out += item;
  }
  return out;
}

class ArgvBuilder {
 public:
  void Flag(const std::string& flag, const std::string& value) {
    argv_.push_back(flag);
    argv_.push_back(value);
  }
  void Conf(const std::string& key, const std::string& value) { Flag("--conf", key + "=" + value); }
  void ConfMap(const std::string& prefix, const api::StringMap& values) {
    for (const auto& [k, v] : values) Conf(prefix + k, v);
  }
  void Push(const std::string& arg) { argv_.push_back(arg); }
  std::vector<std::string> Take() { return std::move(argv_); }

 private:
  std::vector<std::string> argv_;
};

// Labels and annotations for one pod role ("driver" or "executor"); later sources win.
struct PodMeta {
  api::StringMap labels;
  api::StringMap annotations;
};

// The scrape annotations and the PodMonitor label of a driver that serves metrics (spec.monitoring); the user's
// own labels and annotations may override them.
PodMeta MonitoringMeta(const api::SparkApplication& app, const std::string& role) {
  const api::MonitoringSpec& m = app.spec.monitoring;
  PodMeta meta;
  if (role != "driver" || (!m.expose_driver_metrics && !m.expose_executor_metrics)) return meta;
  meta.labels[kMetricsLabel] = "true";
  meta.annotations["prometheus.io/scrape"] = "true";
  meta.annotations["prometheus.io/port"] = std::to_string(SparkUiPort(app));
  // One path per pod: the driver's own metrics when served, else the executors' (both are on the UI port).
  meta.annotations["prometheus.io/path"] = m.expose_driver_metrics ? kDriverMetricsPath : kExecutorMetricsPath;
  return meta;
}

PodMeta BuildPodMeta(const api::SparkApplication& app, const api::PodSpec& pod, const std::string& role, int attempt) {
  const api::SparkApplicationSpec& spec = app.spec;
  PodMeta meta = MonitoringMeta(app, role);
  // The app's own labels are propagated, as users of other Spark operators expect; the pod's labels override.
  for (const auto& [k, v] : app.metadata.labels) meta.labels[k] = v;
  for (const auto& [k, v] : pod.labels) meta.labels[k] = v;
  meta.labels[kAppNameLabel] = LabelValueFor(app.metadata.name);
  meta.labels[kAttemptLabel] = std::to_string(attempt);
  meta.labels[kLaunchedByLabel] = "true";
  // Which app, not just which name: adoption after a crash checks it (controller/driver_pod.h).
  if (!app.metadata.uid.empty()) meta.labels[kAppUidLabel] = app.metadata.uid;

  for (const auto& [k, v] : pod.annotations) meta.annotations[k] = v;
  meta.annotations[kAppNameAnnotation] = app.metadata.name;
  for (auto& [key, value] : api::MountAnnotations(spec, pod)) meta.annotations[key] = std::move(value);
  return meta;
}

// Everything spark.kubernetes.<role>.* and friends for one pod role.
Status AddPodConfs(ArgvBuilder& b, const api::SparkApplication& app, const api::PodSpec& pod, const std::string& role,
                   const PodMounts& mounts, int attempt) {
  const std::string k8s = "spark.kubernetes." + role + ".";
  if (pod.cores) {
    // Spark parses spark.<role>.cores as an integer; the exact (possibly fractional) amount becomes the pod's
    // CPU request.
    b.Conf("spark." + role + ".cores", std::to_string(api::SparkCores(*pod.cores)));
    b.Conf(k8s + "request.cores", api::CpuQuantity(*pod.cores));
  }
  if (!pod.core_request.empty()) b.Conf(k8s + "request.cores", pod.core_request);
  if (!pod.core_limit.empty()) b.Conf(k8s + "limit.cores", pod.core_limit);
  if (!pod.java_options.empty()) b.Conf("spark." + role + ".extraJavaOptions", pod.java_options);
  if (!pod.scheduler_name.empty()) b.Conf(k8s + "scheduler.name", pod.scheduler_name);
  for (const SparkVolume& v : mounts.by_spark) {
    const std::string prefix = k8s + "volumes." + v.kind + "." + v.name + ".";
    b.Conf(prefix + "mount.path", v.mount_path);
    if (v.read_only) b.Conf(prefix + "mount.readOnly", "true");
    if (!v.sub_path.empty()) b.Conf(prefix + "mount.subPath", v.sub_path);
    for (const auto& [key, value] : v.options) b.Conf(prefix + "options." + key, value);
  }
  if (!pod.memory_overhead.empty()) {
    Result<std::string> overhead = api::ToSparkMemory(pod.memory_overhead);
    if (!overhead.ok()) return overhead.status().WithContext("spec." + role + ".memoryOverhead");
    b.Conf("spark." + role + ".memoryOverhead", *overhead);
  }
  if (!pod.image.empty()) b.Conf(k8s + "container.image", pod.image);

  const PodMeta meta = BuildPodMeta(app, pod, role, attempt);
  b.ConfMap(k8s + "label.", meta.labels);
  b.ConfMap(k8s + "annotation.", meta.annotations);
  b.ConfMap(k8s + "node.selector.", pod.node_selector);
  for (const api::SecretMount& secret : pod.secrets) {
    // GCPServiceAccount secrets are mounted by the webhook through the annotation above.
    if (secret.secret_type != api::SecretType::kGCPServiceAccount) b.Conf(k8s + "secrets." + secret.name, secret.path);
  }
  const std::string env_prefix = role == "driver" ? "spark.kubernetes.driverEnv." : "spark.executorEnv.";
  for (const api::EnvVar& env : pod.env) {
    if (env.value_from.empty()) b.Conf(env_prefix + env.name, env.value);  // Else in the pod template.
  }
  return OkStatus();
}

void AddDynamicAllocation(ArgvBuilder& b, const api::DynamicAllocation& d) {
  if (!d.enabled) return;
  const std::string p = "spark.dynamicAllocation.";
  b.Conf(p + "enabled", "true");
  if (d.initial_executors) b.Conf(p + "initialExecutors", std::to_string(*d.initial_executors));
  if (d.min_executors) b.Conf(p + "minExecutors", std::to_string(*d.min_executors));
  if (d.max_executors) b.Conf(p + "maxExecutors", std::to_string(*d.max_executors));
  // Kubernetes has no external shuffle service: without tracking, executors holding shuffle data are removed.
  b.Conf(p + "shuffleTracking.enabled", d.shuffle_tracking_enabled.value_or(true) ? "true" : "false");
  if (d.shuffle_tracking_timeout)
    b.Conf(p + "shuffleTracking.timeout", std::to_string(*d.shuffle_tracking_timeout) + "ms");
}

void AddPodTemplate(ArgvBuilder& b, const std::string& role, const std::string& path, const std::string& container) {
  if (path.empty()) return;
  b.Conf("spark.kubernetes." + role + ".podTemplateFile", path);
  if (!container.empty()) b.Conf("spark.kubernetes." + role + ".podTemplateContainerName", container);
}

// spec.monitoring's Spark settings, and spark.ui.proxyBase for a UI served under an Ingress path. They only
// travel in spark.properties, so the native submitter builds the same driver (controller/native/settings.cc).
Status AddUiAndMonitoringConfs(ArgvBuilder& b, const api::SparkApplication& app, const SubmissionContext& context) {
  const api::MonitoringSpec& m = app.spec.monitoring;
  if (!m.metrics_properties_file.empty()) b.Conf("spark.metrics.conf", m.metrics_properties_file);
  Result<std::vector<std::pair<std::string, std::string>>> properties =
      api::ParseMetricsProperties(m.metrics_properties);
  if (!properties.ok()) return properties.status().WithContext("spec.monitoring.metricsProperties");
  for (const auto& [key, value] : *properties) b.Conf("spark.metrics.conf." + key, value);
  if (m.expose_driver_metrics) {
    b.Conf("spark.metrics.conf.*.sink.prometheusServlet.class", "org.apache.spark.metrics.sink.PrometheusServlet");
    b.Conf("spark.metrics.conf.*.sink.prometheusServlet.path", kDriverMetricsPath);
  }
  if (m.expose_executor_metrics) b.Conf("spark.ui.prometheus.enabled", "true");
  if (const std::optional<api::IngressUrl> url = UiIngressUrl(app, context.ingress_url_format);
      url && !url->path.empty()) {
    // The UI's links then carry the path the Ingress strips; redirects go to the proxy, not the pod.
    b.Conf("spark.ui.proxyBase", url->path);
    b.Conf("spark.ui.proxyRedirectUri", "/");
  }
  return OkStatus();
}

Result<std::string> Memory(const std::string& quantity, const std::string& field) {
  Result<std::string> memory = api::ToSparkMemory(quantity);
  if (!memory.ok()) return memory.status().WithContext(field);
  return memory;
}

}  // namespace

std::string SubmitFailureReason(const std::string& output) {
  std::string main_exception;
  std::string other;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    const std::string line = output.substr(start, end - start);
    if (line.rfind("Exception in thread", 0) == 0) {
      main_exception = line;
    } else if (line.rfind("\tat ", 0) != 0 &&
               (line.find("Exception:") != std::string::npos || line.find(" ERROR ") != std::string::npos)) {
      other = line;
    }
    start = end + 1;
  }
  return !main_exception.empty() ? main_exception : other;
}

std::string SubmitFailureMessage(const Result<ProcessResult>& result) {
  if (!result.ok()) return result.status().message();
  // The reason first (the output tail is mostly a stack trace), then the tail for the details.
  const std::string& output = result->output_tail;
  const std::string reason = SubmitFailureReason(output);
  constexpr size_t kShownTail = 2048;  // Enough for the last frames without flooding the status.
  return "spark-submit failed (" + result->Describe() + ")" + (reason.empty() ? "" : ": " + reason) +
         "\n--- last output ---\n" + output.substr(output.size() > kShownTail ? output.size() - kShownTail : 0);
}

int SparkUiPort(const api::SparkApplication& app) {
  const auto it = app.spec.spark_conf.find("spark.ui.port");
  if (it == app.spec.spark_conf.end()) return 4040;
  const int port = std::atoi(it->second.c_str());
  return port > 0 && port < 65536 ? port : 4040;
}

Result<std::vector<std::string>> BuildSubmitArgs(const api::SparkApplication& app, const SubmissionContext& context) {
  const api::SparkApplicationSpec& spec = app.spec;
  if (spec.mode == api::DeployMode::kClient) {
    return InvalidArgumentError("spec.mode: client mode is not supported: it would run the driver inside the operator");
  }
  ArgvBuilder b;
  b.Push(context.spark_submit);
  b.Flag("--master", context.master);
  b.Flag("--deploy-mode", "cluster");
  b.Flag("--name", app.metadata.name);
  if (!spec.main_class.empty()) b.Flag("--class", spec.main_class);
  if (!spec.deps.jars.empty()) b.Flag("--jars", Join(spec.deps.jars));
  if (!spec.deps.files.empty()) b.Flag("--files", Join(spec.deps.files));
  if (!spec.deps.py_files.empty()) b.Flag("--py-files", Join(spec.deps.py_files));
  if (!spec.deps.archives.empty()) b.Flag("--archives", Join(spec.deps.archives));
  if (!spec.deps.packages.empty()) b.Flag("--packages", Join(spec.deps.packages));
  if (!spec.deps.repositories.empty()) b.Flag("--repositories", Join(spec.deps.repositories));
  if (!spec.deps.exclude_packages.empty()) b.Flag("--exclude-packages", Join(spec.deps.exclude_packages));
  if (!spec.proxy_user.empty()) b.Flag("--proxy-user", spec.proxy_user);
  if (!spec.driver.memory.empty()) {
    ASSIGN_OR_RETURN(const std::string memory, Memory(spec.driver.memory, "spec.driver.memory"));
    b.Flag("--driver-memory", memory);
  }
  if (!spec.executor.memory.empty()) {
    ASSIGN_OR_RETURN(const std::string memory, Memory(spec.executor.memory, "spec.executor.memory"));
    b.Flag("--executor-memory", memory);
  }

  // The user's sparkConf and hadoopConf go first: for a key given twice spark-submit keeps the last, so the
  // settings the operator depends on (namespace, pod name, labels) cannot be overridden by accident.
  b.ConfMap("", spec.spark_conf);
  b.ConfMap("spark.hadoop.", spec.hadoop_conf);

  b.Conf("spark.kubernetes.namespace", app.metadata.namespace_);
  b.Conf("spark.kubernetes.driver.pod.name", DriverPodName(app.metadata.name, context.attempt));
  b.Conf("spark.kubernetes.submission.waitAppCompletion", "false");
  AddPodTemplate(b, "driver", context.driver_pod_template, context.driver_container);
  AddPodTemplate(b, "executor", context.executor_pod_template, context.executor_container);
  if (spec.executor.instances) b.Conf("spark.executor.instances", std::to_string(*spec.executor.instances));
  if (!spec.image.empty()) b.Conf("spark.kubernetes.container.image", spec.image);
  if (spec.image_pull_policy) {
    b.Conf("spark.kubernetes.container.image.pullPolicy", std::string(api::EnumName(*spec.image_pull_policy)));
  }
  if (!spec.image_pull_secrets.empty()) {
    b.Conf("spark.kubernetes.container.image.pullSecrets", Join(spec.image_pull_secrets));
  }
  b.ConfMap("spark.kubernetes.node.selector.", spec.node_selector);
  // The account tenant preparation created (controller/tenant.h), not Spark's fallback `default`.
  b.Conf("spark.kubernetes.authenticate.driver.serviceAccountName", EffectiveServiceAccount(app));
  std::shared_ptr<const SpecMounts> mounts = context.mounts;
  if (mounts == nullptr) {
    ASSIGN_OR_RETURN(SpecMounts split, SplitMounts(spec));
    mounts = std::make_shared<const SpecMounts>(std::move(split));
  }
  RETURN_IF_ERROR(AddPodConfs(b, app, spec.driver, "driver", mounts->driver, context.attempt));
  RETURN_IF_ERROR(AddPodConfs(b, app, spec.executor, "executor", mounts->executor, context.attempt));
  b.ConfMap("spark.kubernetes.driver.service.annotation.", spec.driver.service_annotations);
  b.ConfMap("spark.kubernetes.driver.service.label.", spec.driver.service_labels);
  if (spec.executor.delete_on_termination) {
    b.Conf("spark.kubernetes.executor.deleteOnTermination", *spec.executor.delete_on_termination ? "true" : "false");
  }
  if (!spec.memory_overhead_factor.empty()) {
    b.Conf("spark.driver.memoryOverheadFactor", spec.memory_overhead_factor);
    b.Conf("spark.executor.memoryOverheadFactor", spec.memory_overhead_factor);
  }
  AddDynamicAllocation(b, spec.dynamic_allocation);
  RETURN_IF_ERROR(AddUiAndMonitoringConfs(b, app, context));
  for (const std::string& conf : context.auth_confs) b.Flag("--conf", conf);

  b.Push(spec.main_application_file);
  for (const std::string& arg : spec.arguments) b.Push(arg);
  return b.Take();
}

}  // namespace spark_operator::controller
