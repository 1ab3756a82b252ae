#include "controller/native/driver_builder.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>

#include "common/base/json.h"
#include "common/base/sha256.h"
#include "common/base/strings.h"
#include "controller/native/driver_parts.h"
#include "controller/native/properties.h"
#include "controller/native/settings.h"

namespace spark_operator::controller::native {
namespace {

using internal::Allocator;
using internal::kConfigMapMaxSize;
using internal::kConnectPort;
using internal::kPodTemplateFileName;
using internal::kPodTemplateKey;
using internal::kPodTemplateMountPath;
using internal::kPodTemplateVolume;
using internal::kPropertiesFile;
using internal::Object;
using internal::Resolved;
using internal::Str;

// Spark's constants (org.apache.spark.deploy.k8s.Constants).
constexpr char kContainerName[] = "spark-kubernetes-driver";
constexpr char kConfDir[] = "/opt/spark/conf";
constexpr char kConfVolume[] = "spark-conf-volume-driver";
constexpr int kDefaultDriverPort = 7078;
constexpr int kDefaultBlockManagerPort = 7079;
constexpr int kDefaultUiPort = 4040;
constexpr int kMaxServiceNameLength = 63;
constexpr int kMaxLabelLength = 63;

std::string SparkUser() {
  if (const char* user = std::getenv("SPARK_USER"); user != nullptr && *user != '\0') return user;
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr) return pw->pw_name;
  return std::to_string(geteuid());
}

// Lower case, every run of characters outside [a-z0-9-] and '-' folded into one '-' (KubernetesConf).
std::string Sanitize(const std::string& text) {
  std::string out;
  for (const char c : Trim(text)) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool keep = std::isalnum(static_cast<unsigned char>(lower)) || lower == '-';
    const char next = keep && static_cast<unsigned char>(lower) < 128 ? lower : '-';
    if (next == '-' && !out.empty() && out.back() == '-') continue;
    out += next;
  }
  return out;
}

std::string AppNameLabel(const std::string& name) {
  std::string label = Sanitize(name).substr(0, kMaxLabelLength);
  if (!label.empty() && label.front() == '-') label.erase(0, 1);
  if (!label.empty() && label.back() == '-') label.pop_back();
  return label;
}

std::string ResourceNamePrefix(const std::string& name, const std::string& unique_id) {
  std::string prefix = Sanitize(name + "-" + unique_id);
  if (!prefix.empty() && prefix.front() == '-') prefix.erase(0, 1);
  if (!prefix.empty() && std::isdigit(static_cast<unsigned char>(prefix.front()))) prefix.front() = 'x';
  return prefix;
}

// Double.toString for the factors Spark writes back ("0.1", "1.0").
std::string JavaDouble(double value) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  std::string out(buf, end);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

Result<double> ParseDouble(const std::string& key, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value > 0)) return InvalidArgumentError(key + "=" + text + ": not a factor");
  return value;
}

Result<int> ParseInt(const SparkConf& conf, const std::string& key, int fallback) {
  const std::string text = ConfValue(conf, key);
  if (text.empty()) return fallback;
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return InvalidArgumentError(key + "=" + text);
  return value;
}

rapidjson::Value EnvVar(const std::string& name, const std::string& value, Allocator& a) {
  rapidjson::Value env(rapidjson::kObjectType);
  env.AddMember("name", Str(name, a), a);
  env.AddMember("value", Str(value, a), a);
  return env;
}

rapidjson::Value Port(const std::string& name, int port, Allocator& a) {
  rapidjson::Value out(rapidjson::kObjectType);
  out.AddMember("name", Str(name, a), a);
  out.AddMember("containerPort", port, a);
  out.AddMember("protocol", "TCP", a);
  return out;
}

rapidjson::Value Mount(const std::string& name, const std::string& path, Allocator& a) {
  rapidjson::Value out(rapidjson::kObjectType);
  out.AddMember("name", Str(name, a), a);
  out.AddMember("mountPath", Str(path, a), a);
  return out;
}

// The array at `member` of `parent`, created empty when missing.
rapidjson::Value& ArrayMember(rapidjson::Value& parent, const char* member, Allocator& a) {
  if (!parent.HasMember(member) || !parent[member].IsArray()) {
    parent.RemoveMember(member);
    parent.AddMember(rapidjson::StringRef(member), rapidjson::Value(rapidjson::kArrayType), a);
  }
  return parent[member];
}

rapidjson::Value& ObjectMember(rapidjson::Value& parent, const char* member, Allocator& a) {
  if (!parent.HasMember(member) || !parent[member].IsObject()) {
    parent.RemoveMember(member);
    parent.AddMember(rapidjson::StringRef(member), rapidjson::Value(rapidjson::kObjectType), a);
  }
  return parent[member];
}

void Put(rapidjson::Value& object, const std::string& key, const std::string& value, Allocator& a) {
  if (object.HasMember(key.c_str())) object.RemoveMember(key.c_str());
  object.AddMember(Str(key, a), Str(value, a), a);
}

std::string SubstituteAppId(std::string text, const std::string& app_id) {
  for (const auto& [token, value] :
       {std::pair<std::string, std::string>{"{{APP_ID}}", app_id}, {"{{EXECUTOR_ID}}", ""}}) {
    for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size())) {
      text.replace(at, token.size(), value);
    }
  }
  return text;
}

Result<Resolved> Resolve(const SubmitArguments& args, const DriverIdentity& id) {
  const SparkConf& conf = args.conf;
  Resolved r;
  const std::string app_name = ConfValue(conf, "spark.app.name");
  r.ns = ConfValue(conf, "spark.kubernetes.namespace", "default");
  r.resource_prefix = ResourceNamePrefix(app_name, id.resource_unique_id);
  r.pod_name = ConfValue(conf, "spark.kubernetes.driver.pod.name", r.resource_prefix + "-driver");
  r.image =
      ConfValue(conf, "spark.kubernetes.driver.container.image", ConfValue(conf, "spark.kubernetes.container.image"));
  if (r.image.empty()) return InvalidArgumentError("Must specify the driver container image");

  r.labels = ConfWithPrefix(conf, "spark.kubernetes.driver.label.");
  for (const char* reserved : {"spark-app-selector", "spark-app-name", "spark-role", "spark-version"}) {
    if (r.labels.count(reserved) != 0) {
      return InvalidArgumentError(std::string("Label with key ") + reserved +
                                  " is not allowed as it is reserved for Spark bookkeeping operations.");
    }
  }
  r.labels["spark-app-selector"] = id.app_id;
  r.labels["spark-app-name"] = AppNameLabel(app_name);
  r.labels["spark-role"] = "driver";
  r.labels["spark-version"] = kSparkVersion;

  ASSIGN_OR_RETURN(r.driver_port, ParseInt(conf, "spark.driver.port", kDefaultDriverPort));
  ASSIGN_OR_RETURN(const int block_manager, ParseInt(conf, "spark.blockManager.port", kDefaultBlockManagerPort));
  ASSIGN_OR_RETURN(r.block_manager_port, ParseInt(conf, "spark.driver.blockManager.port", block_manager));
  // Spark's driver Service falls back to 7079, not to spark.blockManager.port as the container does.
  ASSIGN_OR_RETURN(r.service_block_manager_port,
                   ParseInt(conf, "spark.driver.blockManager.port", kDefaultBlockManagerPort));
  ASSIGN_OR_RETURN(r.ui_port, ParseInt(conf, "spark.ui.port", kDefaultUiPort));

  const std::string preferred_service = r.resource_prefix + "-driver-svc";
  r.service_name = preferred_service.size() <= kMaxServiceNameLength ? preferred_service
                                                                     : "spark-" + id.resource_unique_id + "-driver-svc";
  r.conf_map_name = "spark-drv-" + id.conf_map_unique_id + "-conf-map";
  r.local_dir = "/var/data/spark-" + id.local_dir_uuid;

  // Memory: BasicDriverFeatureStep's arithmetic, in MiB.
  ASSIGN_OR_RETURN(const int64_t heap, SparkSizeMiB(ConfValue(conf, "spark.driver.memory", "1g")));
  const std::string k8s_factor = ConfValue(conf, "spark.kubernetes.memoryOverheadFactor");
  double default_factor = args.python ? 0.4 : 0.1;
  if (!k8s_factor.empty()) {
    ASSIGN_OR_RETURN(default_factor, ParseDouble("spark.kubernetes.memoryOverheadFactor", k8s_factor));
  }
  r.default_overhead_factor = JavaDouble(default_factor);
  double factor = default_factor;
  if (const std::string f = ConfValue(conf, "spark.driver.memoryOverheadFactor"); !f.empty()) {
    ASSIGN_OR_RETURN(factor, ParseDouble("spark.driver.memoryOverheadFactor", f));
  }
  int64_t overhead = 0;
  if (const std::string o = ConfValue(conf, "spark.driver.memoryOverhead"); !o.empty()) {
    ASSIGN_OR_RETURN(overhead, SparkSizeMiB(o));
  } else {
    ASSIGN_OR_RETURN(const int64_t minimum, SparkSizeMiB(ConfValue(conf, "spark.driver.minMemoryOverhead", "384m")));
    overhead = std::max(static_cast<int64_t>(factor * static_cast<double>(heap)), minimum);
  }
  r.memory_mib = heap + overhead;

  ASSIGN_OR_RETURN(const int cores, ParseInt(conf, "spark.driver.cores", 1));
  r.cpu_request = ConfValue(conf, "spark.kubernetes.driver.request.cores", std::to_string(cores));
  return r;
}

// spark.properties: the resolved configuration plus what the feature steps add for the driver.
std::string Properties(const SubmitArguments& args, const Resolved& r, const DriverIdentity& id) {
  std::map<std::string, std::string> props;
  for (const auto& [key, value] : args.conf) {
    // How the submitter reached the API server, and its own copy of the driver template: neither is the
    // driver's business, and the native submitter has neither.
    if (key.rfind("spark.kubernetes.authenticate.submission.", 0) == 0) continue;
    if (key == "spark.kubernetes.driver.podTemplateFile") continue;
    props[key] = value;
  }
  props["spark.app.id"] = id.app_id;
  props["spark.app.submitTime"] = std::to_string(id.submit_time_millis);
  props["spark.kubernetes.submitInDriver"] = "true";
  props["spark.kubernetes.memoryOverheadFactor"] = r.default_overhead_factor;
  props["spark.kubernetes.driver.pod.name"] = r.pod_name;
  props["spark.driver.host"] = r.service_name + "." + r.ns + ".svc";
  props["spark.driver.port"] = std::to_string(r.driver_port);
  props["spark.driver.blockManager.port"] = std::to_string(r.service_block_manager_port);
  props["spark.kubernetes.resource.type"] = args.python ? "python" : "java";
  if (!r.executor_template_map.empty()) {
    props["spark.kubernetes.executor.podTemplateFile"] =
        std::string(kPodTemplateMountPath) + "/" + kPodTemplateFileName;
  }
  return ToJavaProperties(props, "Java properties built from Kubernetes config map with name: " + r.conf_map_name,
                          JavaDateUtc(id.submit_time_millis));
}

rapidjson::Value BuildContainer(const SubmitArguments& args, const Resolved& r, const DriverIdentity& id,
                                Allocator& a) {
  const SparkConf& conf = args.conf;
  rapidjson::Value c(rapidjson::kObjectType);
  c.AddMember("name", kContainerName, a);
  c.AddMember("image", Str(r.image, a), a);
  c.AddMember("imagePullPolicy", Str(ConfValue(conf, "spark.kubernetes.container.image.pullPolicy", "IfNotPresent"), a),
              a);

  rapidjson::Value cargs(rapidjson::kArrayType);
  for (const std::string& arg :
       {std::string("driver"), std::string("--properties-file"), std::string(kConfDir) + "/" + kPropertiesFile,
        std::string("--class"), args.main_class, args.primary_resource}) {
    cargs.PushBack(Str(arg, a), a);
  }
  for (const std::string& arg : args.app_args) cargs.PushBack(Str(arg, a), a);
  c.AddMember("args", cargs, a);

  rapidjson::Value ports(rapidjson::kArrayType);
  ports.PushBack(Port("driver-rpc-port", r.driver_port, a), a);
  ports.PushBack(Port("blockmanager", r.block_manager_port, a), a);
  ports.PushBack(Port("spark-ui", r.ui_port, a), a);
  ports.PushBack(Port("spark-connect", kConnectPort, a), a);
  c.AddMember("ports", ports, a);

  rapidjson::Value env(rapidjson::kArrayType);
  env.PushBack(EnvVar("SPARK_USER", id.spark_user, a), a);
  env.PushBack(EnvVar("SPARK_APPLICATION_ID", id.app_id, a), a);
  for (const auto& [name, value] : ConfWithPrefix(conf, "spark.kubernetes.driverEnv.")) {
    env.PushBack(EnvVar(name, value, a), a);
  }
  rapidjson::Value bind(rapidjson::kObjectType);
  bind.AddMember("name", "SPARK_DRIVER_BIND_ADDRESS", a);
  rapidjson::Value field_ref(rapidjson::kObjectType);
  field_ref.AddMember("apiVersion", "v1", a);
  field_ref.AddMember("fieldPath", "status.podIP", a);
  rapidjson::Value value_from(rapidjson::kObjectType);
  value_from.AddMember("fieldRef", field_ref, a);
  bind.AddMember("valueFrom", value_from, a);
  env.PushBack(bind, a);
  env.PushBack(EnvVar("SPARK_LOCAL_DIRS", r.local_dir, a), a);
  env.PushBack(EnvVar("SPARK_CONF_DIR", kConfDir, a), a);
  c.AddMember("env", env, a);

  const std::string memory = std::to_string(r.memory_mib) + "Mi";
  std::map<std::string, std::string> requests = {{"cpu", r.cpu_request}, {"memory", memory}};
  std::map<std::string, std::string> limits = {{"memory", memory}};
  if (const std::string limit = ConfValue(conf, "spark.kubernetes.driver.limit.cores"); !limit.empty()) {
    limits["cpu"] = limit;
  }
  rapidjson::Value resources(rapidjson::kObjectType);
  resources.AddMember("requests", Object(requests, a), a);
  resources.AddMember("limits", Object(limits, a), a);
  c.AddMember("resources", resources, a);

  rapidjson::Value mounts(rapidjson::kArrayType);
  for (const auto& [secret, path] : ConfWithPrefix(conf, "spark.kubernetes.driver.secrets.")) {
    mounts.PushBack(Mount(secret + "-volume", path, a), a);
  }
  if (!r.executor_template_map.empty()) mounts.PushBack(Mount(kPodTemplateVolume, kPodTemplateMountPath, a), a);
  mounts.PushBack(Mount("spark-local-dir-1", r.local_dir, a), a);
  mounts.PushBack(Mount(kConfVolume, kConfDir, a), a);
  c.AddMember("volumeMounts", mounts, a);
  return c;
}

// A volume of one ConfigMap entry as a file; `mode` as Spark sets it, or none.
rapidjson::Value ConfigMapVolume(const char* name, const std::string& config_map_name, const char* key,
                                 const char* path, std::optional<int> mode, Allocator& a) {
  rapidjson::Value item(rapidjson::kObjectType);
  item.AddMember("key", rapidjson::StringRef(key), a);
  item.AddMember("path", rapidjson::StringRef(path), a);
  if (mode) item.AddMember("mode", *mode, a);
  rapidjson::Value items(rapidjson::kArrayType);
  items.PushBack(item, a);
  rapidjson::Value config_map(rapidjson::kObjectType);
  config_map.AddMember("name", Str(config_map_name, a), a);
  config_map.AddMember("items", items, a);
  rapidjson::Value volume(rapidjson::kObjectType);
  volume.AddMember("name", rapidjson::StringRef(name), a);
  volume.AddMember("configMap", config_map, a);
  return volume;
}

void AddVolumes(const SparkConf& conf, const Resolved& r, rapidjson::Value& spec, Allocator& a) {
  rapidjson::Value& volumes = ArrayMember(spec, "volumes", a);
  for (const auto& [secret, path] : ConfWithPrefix(conf, "spark.kubernetes.driver.secrets.")) {
    rapidjson::Value volume(rapidjson::kObjectType);
    volume.AddMember("name", Str(secret + "-volume", a), a);
    rapidjson::Value source(rapidjson::kObjectType);
    source.AddMember("secretName", Str(secret, a), a);
    volume.AddMember("secret", source, a);
    volumes.PushBack(volume, a);
  }
  if (!r.executor_template_map.empty()) {
    volumes.PushBack(ConfigMapVolume(kPodTemplateVolume, r.executor_template_map, kPodTemplateKey, kPodTemplateFileName,
                                     std::nullopt, a),
                     a);
  }
  rapidjson::Value local(rapidjson::kObjectType);
  local.AddMember("name", "spark-local-dir-1", a);
  local.AddMember("emptyDir", rapidjson::Value(rapidjson::kObjectType), a);
  volumes.PushBack(local, a);
  volumes.PushBack(ConfigMapVolume(kConfVolume, r.conf_map_name, kPropertiesFile, kPropertiesFile, 420, a), a);
}

Result<rapidjson::Document> BuildPod(const SubmitArguments& args, const rapidjson::Value* pod_template,
                                     const Resolved& r, const DriverIdentity& id) {
  const SparkConf& conf = args.conf;
  rapidjson::Document pod(rapidjson::kObjectType);
  if (pod_template != nullptr) pod.CopyFrom(*pod_template, pod.GetAllocator());
  auto& a = pod.GetAllocator();
  Put(pod, "apiVersion", "v1", a);
  Put(pod, "kind", "Pod", a);
  rapidjson::Value& metadata = ObjectMember(pod, "metadata", a);
  Put(metadata, "name", r.pod_name, a);
  Put(metadata, "namespace", r.ns, a);
  rapidjson::Value& labels = ObjectMember(metadata, "labels", a);
  for (const auto& [k, v] : r.labels) Put(labels, k, v, a);
  const auto annotations = ConfWithPrefix(conf, "spark.kubernetes.driver.annotation.");
  if (!annotations.empty()) {
    rapidjson::Value& out = ObjectMember(metadata, "annotations", a);
    for (const auto& [k, v] : annotations) Put(out, k, SubstituteAppId(v, id.app_id), a);
  }

  rapidjson::Value& spec = ObjectMember(pod, "spec", a);
  const rapidjson::Value& containers = ArrayMember(spec, "containers", a);
  if (!containers.Empty()) return InvalidArgumentError("a driver pod template with containers");
  Put(spec, "restartPolicy", "Never", a);
  auto node_selector = ConfWithPrefix(conf, "spark.kubernetes.node.selector.");
  for (const auto& [k, v] : ConfWithPrefix(conf, "spark.kubernetes.driver.node.selector.")) node_selector[k] = v;
  if (!node_selector.empty()) {
    rapidjson::Value& out = ObjectMember(spec, "nodeSelector", a);
    for (const auto& [k, v] : node_selector) Put(out, k, v, a);
  }
  const std::vector<std::string> pull_secrets =
      SplitCommas(ConfValue(conf, "spark.kubernetes.container.image.pullSecrets"));
  if (!pull_secrets.empty()) {
    rapidjson::Value& out = ArrayMember(spec, "imagePullSecrets", a);
    for (const std::string& name : pull_secrets) {
      rapidjson::Value ref(rapidjson::kObjectType);
      ref.AddMember("name", Str(name, a), a);
      out.PushBack(ref, a);
    }
  }
  const std::string account = ConfValue(conf, "spark.kubernetes.authenticate.driver.serviceAccountName");
  if (!account.empty() && !spec.HasMember("serviceAccountName")) Put(spec, "serviceAccountName", account, a);
  const std::string scheduler =
      ConfValue(conf, "spark.kubernetes.driver.scheduler.name", ConfValue(conf, "spark.kubernetes.scheduler.name"));
  if (!scheduler.empty()) Put(spec, "schedulerName", scheduler, a);

  spec["containers"].PushBack(BuildContainer(args, r, id, a), a);
  AddVolumes(conf, r, spec, a);
  return pod;
}

}  // namespace

DriverIdentity IdentityFor(const std::string& app_uid, int attempt, int64_t now_millis) {
  const std::string seed = Sha256Hex(app_uid + "/" + std::to_string(attempt));
  DriverIdentity id;
  id.app_id = "spark-" + seed.substr(0, 32);
  id.resource_unique_id = seed.substr(32, 16);
  id.conf_map_unique_id = seed.substr(48, 16);
  const std::string u = Sha256Hex(seed);
  id.local_dir_uuid =
      u.substr(0, 8) + "-" + u.substr(8, 4) + "-" + u.substr(12, 4) + "-" + u.substr(16, 4) + "-" + u.substr(20, 12);
  id.submit_time_millis = now_millis;
  id.spark_user = SparkUser();
  return id;
}

Result<DriverObjects> BuildDriverObjects(const SubmitArguments& args, const rapidjson::Value* pod_template,
                                         const std::string* executor_template, const DriverIdentity& identity) {
  ASSIGN_OR_RETURN(Resolved resolved, Resolve(args, identity));
  if (executor_template != nullptr) {
    if (executor_template->size() > kConfigMapMaxSize) {
      return InvalidArgumentError("the executor pod template is " + std::to_string(executor_template->size()) +
                                  " bytes, more than a ConfigMap of Spark's may hold (" +
                                  std::to_string(kConfigMapMaxSize) + ", spark.kubernetes.configMap.maxSize)");
    }
    resolved.executor_template_map = resolved.resource_prefix + "-driver-podspec-conf-map";
  }
  ASSIGN_OR_RETURN(rapidjson::Document pod, BuildPod(args, pod_template, resolved, identity));
  DriverObjects objects;
  objects.pod = std::move(pod);
  objects.service = internal::BuildService(args.conf, resolved, identity);
  objects.network_policy = internal::BuildNetworkPolicy(resolved, identity);
  objects.config_map = internal::BuildConfigMap(Properties(args, resolved, identity), resolved);
  if (executor_template != nullptr) {
    objects.executor_template_map = internal::BuildExecutorTemplateMap(*executor_template, resolved);
  }
  return objects;
}

}  // namespace spark_operator::controller::native
