#include "api/template_fields.h"

#include <map>
#include <string_view>

#include "common/base/json.h"

namespace spark_operator::api {
namespace {

// The fields of each volume kind and of a mount that Spark's volume settings can say.
bool OnlyMembers(const rapidjson::Value& object, std::initializer_list<std::string_view> allowed) {
  if (!object.IsObject()) return false;
  for (const auto& m : object.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    bool ok = false;
    for (const std::string_view a : allowed) ok = ok || a == name;
    if (!ok) return false;
  }
  return true;
}

std::string Scalar(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  return ToJson(v);  // Numbers (a sizeLimit of 1073741824) as written.
}

// Whether some mount of `pod` goes through the template: Spark cannot say it, or its volume is mounted twice.
bool AnyTemplateMount(const SparkApplicationSpec& spec, const PodSpec& pod) {
  std::map<std::string, rapidjson::Document> volumes;
  for (const KubeValue& v : spec.volumes) {
    Result<rapidjson::Document> volume = ParseJson(v.json);
    if (!volume.ok()) return true;
    const std::string name = GetString(*volume, {"name"});
    volumes.emplace(name, std::move(*volume));
  }
  std::vector<rapidjson::Document> mounts;
  std::map<std::string, int> uses;
  for (const KubeValue& m : pod.volume_mounts) {
    Result<rapidjson::Document> mount = ParseJson(m.json);
    if (!mount.ok()) return true;
    ++uses[GetString(*mount, {"name"})];
    mounts.push_back(std::move(*mount));
  }
  for (const rapidjson::Document& mount : mounts) {
    const std::string name = GetString(mount, {"name"});
    const auto volume = volumes.find(name);
    if (volume == volumes.end()) continue;  // Refused by validation with its own message.
    if (uses[name] != 1 || !AsSparkVolume(volume->second, mount)) return true;
  }
  return false;
}

}  // namespace

std::optional<SparkVolume> AsSparkVolume(const rapidjson::Value& volume, const rapidjson::Value& mount) {
  if (!OnlyMembers(mount, {"name", "mountPath", "readOnly", "subPath"})) return std::nullopt;
  SparkVolume out;
  out.name = GetString(mount, {"name"});
  out.mount_path = GetString(mount, {"mountPath"});
  out.sub_path = GetString(mount, {"subPath"});
  out.read_only = GetBool(mount, {"readOnly"});
  struct Kind {
    std::string_view name;
    std::initializer_list<std::string_view> fields;
  };
  static const Kind kKinds[] = {{"hostPath", {"path"}},
                                {"emptyDir", {"medium", "sizeLimit"}},
                                {"persistentVolumeClaim", {"claimName"}},
                                {"nfs", {"server", "path"}}};
  if (!volume.IsObject() || volume.MemberCount() != 2) return std::nullopt;  // name and one kind.
  for (const Kind& kind : kKinds) {
    const rapidjson::Value* source = FindPath(volume, {kind.name});
    if (source == nullptr || !OnlyMembers(*source, kind.fields)) continue;
    out.kind = std::string(kind.name);
    for (const auto& m : source->GetObject()) out.options.emplace_back(m.name.GetString(), Scalar(m.value));
    return out;
  }
  return std::nullopt;
}

std::vector<std::string> PodTemplateFields(const SparkApplicationSpec& spec, const PodSpec& pod,
                                           const std::string& path) {
  std::vector<std::string> out;
  const auto add = [&](const char* field, bool set) {
    if (set) out.push_back(path + "." + field);
  };
  bool env_from_source = false;
  for (const EnvVar& e : pod.env) env_from_source = env_from_source || !e.value_from.empty();
  add("env[].valueFrom", env_from_source);
  add("gpu", pod.gpu.has_value());
  add("podTemplate", !pod.pod_template.empty());
  add("envFrom", !pod.env_from.empty());
  add("volumeMounts", AnyTemplateMount(spec, pod));
  add("tolerations", !pod.tolerations.empty());
  add("affinity", !pod.affinity.empty());
  add("securityContext", !pod.security_context.empty());
  add("podSecurityContext", !pod.pod_security_context.empty());
  add("lifecycle", !pod.lifecycle.empty());
  add("sidecars", !pod.sidecars.empty());
  add("initContainers", !pod.init_containers.empty());
  add("hostAliases", !pod.host_aliases.empty());
  add("dnsConfig", !pod.dns_config.empty());
  add("priorityClassName", !pod.priority_class_name.empty());
  add("terminationGracePeriodSeconds", pod.termination_grace_period_seconds.has_value());
  add("hostNetwork", pod.host_network.has_value());
  add("shareProcessNamespace", pod.share_process_namespace.has_value());
  return out;
}

}  // namespace spark_operator::api
