#include "controller/pod_template.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "api/mounts.h"
#include "common/base/json.h"

namespace spark_operator::controller {
namespace {

using Allocator = rapidjson::Document::AllocatorType;
using rapidjson::Value;

Result<rapidjson::Document> Parse(const api::KubeValue& value) {
  Result<rapidjson::Document> parsed = ParseJson(value.json);
  if (parsed.ok() && !parsed->IsObject()) return InvalidArgumentError("expected an object: " + value.json);
  return parsed;
}

// spec.volumes by name.
Result<std::map<std::string, rapidjson::Document>> VolumesByName(const api::SparkApplicationSpec& spec) {
  std::map<std::string, rapidjson::Document> volumes;
  for (const api::KubeValue& v : spec.volumes) {
    ASSIGN_OR_RETURN(rapidjson::Document volume, Parse(v));
    const std::string name = GetString(volume, {"name"});
    volumes.emplace(name, std::move(volume));
  }
  return volumes;
}

Result<PodMounts> SplitPodMounts(const std::map<std::string, rapidjson::Document>& volumes, const api::PodSpec& pod,
                                 std::string_view role) {
  std::vector<rapidjson::Document> mounts;
  std::map<std::string, int> uses;
  for (const api::KubeValue& m : pod.volume_mounts) {
    ASSIGN_OR_RETURN(rapidjson::Document mount, Parse(m));
    const std::string name = GetString(mount, {"name"});
    if (volumes.count(name) == 0) {
      return InvalidArgumentError("spec." + std::string(role) + ".volumeMounts: no volume named " + name +
                                  " in spec.volumes");
    }
    ++uses[name];
    mounts.push_back(std::move(mount));
  }
  PodMounts out;
  std::set<std::string> added_volumes;
  for (rapidjson::Document& mount : mounts) {
    const std::string name = GetString(mount, {"name"});
    const rapidjson::Document& volume = volumes.at(name);
    // Spark's settings are keyed by the volume's name and so hold one mount of it: a volume mounted twice goes
    // through the template, every mount of it.
    std::optional<SparkVolume> by_spark = uses[name] == 1 ? api::AsSparkVolume(volume, mount) : std::nullopt;
    if (by_spark) {
      out.by_spark.push_back(std::move(*by_spark));
      continue;
    }
    if (added_volumes.insert(name).second) out.template_volumes.push_back(CopyJson(volume));
    out.template_mounts.push_back(std::move(mount));
  }
  return out;
}

Value& Member(Value& object, const char* key, rapidjson::Type type, Allocator& a) {
  if (!object.HasMember(key) || object[key].GetType() != type) {
    object.RemoveMember(key);
    object.AddMember(Value(key, a), Value(type), a);
  }
  return object[key];
}

class TemplateBuilder {
 public:
  explicit TemplateBuilder(PodRole role) : role_(role), pod_(rapidjson::kObjectType) {}

  Status Start(const api::KubeValue& user_template, const Value* base) {
    Allocator& a = pod_.GetAllocator();
    pod_.AddMember("apiVersion", "v1", a);
    pod_.AddMember("kind", "Pod", a);
    if (!user_template.empty()) {
      ASSIGN_OR_RETURN(const rapidjson::Document tmpl, Parse(user_template));
      for (const char* part : {"metadata", "spec"}) {
        if (tmpl.HasMember(part)) pod_.AddMember(Value(part, a), Value(tmpl[part], a), a);
      }
      changed_ = true;
    }
    if (base == nullptr) return OkStatus();
    // The caller's owner references always; its spec fields where the user's template says nothing.
    if (const Value* owners = FindPath(*base, {"metadata", "ownerReferences"})) {
      Member(Member(pod_, "metadata", rapidjson::kObjectType, a), "ownerReferences", rapidjson::kArrayType, a)
          .CopyFrom(*owners, a);
    }
    if (const Value* spec = FindPath(*base, {"spec"}); spec != nullptr && spec->IsObject()) {
      Value& out = Spec();
      for (const auto& m : spec->GetObject()) {
        if (!out.HasMember(m.name)) out.AddMember(Value(m.name, a), Value(m.value, a), a);
      }
    }
    changed_ = true;
    return OkStatus();
  }

  Status Append(const char* key, const std::vector<api::KubeValue>& values) {
    for (const api::KubeValue& v : values) {
      ASSIGN_OR_RETURN(rapidjson::Document parsed, Parse(v));
      AppendTo(Member(Spec(), key, rapidjson::kArrayType, Alloc()), parsed);
    }
    return OkStatus();
  }

  Status Set(Value& object, const char* key, const api::KubeValue& value) {
    if (value.empty()) return OkStatus();
    ASSIGN_OR_RETURN(rapidjson::Document parsed, Parse(value));
    Put(object, key, Value(parsed, Alloc()));
    return OkStatus();
  }

  void Put(Value& object, const char* key, Value value) {
    object.RemoveMember(key);
    object.AddMember(Value(key, Alloc()), value, Alloc());
    changed_ = true;
  }

  void AppendTo(Value& array, const Value& item) {
    array.PushBack(Value(item, Alloc()), Alloc());
    changed_ = true;
  }

  Value& Spec() { return Member(pod_, "spec", rapidjson::kObjectType, Alloc()); }

  // The container Spark runs in: by Spark's name, else the first; created (named as Spark names it) when the
  // template has none, so that sidecars come after it.
  Value& SparkContainer() {
    Value& containers = Member(Spec(), "containers", rapidjson::kArrayType, Alloc());
    int index = api::SparkContainerIndex(containers);
    if (index < 0) {
      Value container(rapidjson::kObjectType);
      const std::string_view name = role_ == PodRole::kDriver ? api::kDriverContainerName : api::kExecutorContainerName;
      container.AddMember("name", JsonString(name, Alloc()), Alloc());
      containers.PushBack(container, Alloc());
      changed_ = true;
      index = 0;
    }
    return containers[static_cast<rapidjson::SizeType>(index)];
  }

  Allocator& Alloc() { return pod_.GetAllocator(); }
  bool changed() const { return changed_; }
  std::string Text() const { return ToJson(pod_); }

 private:
  const PodRole role_;
  rapidjson::Document pod_;
  bool changed_ = false;
};

// The Spark container's own fields.
Status ApplyContainerFields(const api::PodSpec& pod, const PodMounts& mounts, TemplateBuilder& b) {
  const bool any_env_from_source =
      std::any_of(pod.env.begin(), pod.env.end(), [](const api::EnvVar& e) { return !e.value_from.empty(); });
  const bool needed = any_env_from_source || !pod.env_from.empty() || !mounts.template_mounts.empty() ||
                      !pod.security_context.empty() || !pod.lifecycle.empty() || pod.gpu.has_value() ||
                      !pod.sidecars.empty();
  if (!needed) return OkStatus();
  Allocator& a = b.Alloc();
  Value& container = b.SparkContainer();
  for (const api::EnvVar& env : pod.env) {
    if (env.value_from.empty()) continue;  // Plain values go through Spark's own settings.
    ASSIGN_OR_RETURN(const rapidjson::Document source, Parse(env.value_from));
    Value var(rapidjson::kObjectType);
    var.AddMember("name", JsonString(env.name, a), a);
    var.AddMember("valueFrom", Value(source, a), a);
    b.AppendTo(Member(container, "env", rapidjson::kArrayType, a), var);
  }
  for (const api::KubeValue& v : pod.env_from) {
    ASSIGN_OR_RETURN(const rapidjson::Document source, Parse(v));
    b.AppendTo(Member(container, "envFrom", rapidjson::kArrayType, a), source);
  }
  for (const rapidjson::Document& mount : mounts.template_mounts) {
    b.AppendTo(Member(container, "volumeMounts", rapidjson::kArrayType, a), mount);
  }
  for (const rapidjson::Document& volume : mounts.template_volumes) {
    b.AppendTo(Member(b.Spec(), "volumes", rapidjson::kArrayType, a), volume);
  }
  RETURN_IF_ERROR(b.Set(container, "securityContext", pod.security_context));
  RETURN_IF_ERROR(b.Set(container, "lifecycle", pod.lifecycle));
  if (pod.gpu) {
    // Spark sets only the CPU and memory of requests and limits, so an extended resource in the template stays.
    Value& limits =
        Member(Member(container, "resources", rapidjson::kObjectType, a), "limits", rapidjson::kObjectType, a);
    b.Put(limits, pod.gpu->name.c_str(), JsonString(std::to_string(pod.gpu->quantity), a));
  }
  return b.Append("containers", pod.sidecars);
}

}  // namespace

Result<SpecMounts> SplitMounts(const api::SparkApplicationSpec& spec) {
  ASSIGN_OR_RETURN(const auto volumes, VolumesByName(spec));
  SpecMounts out;
  ASSIGN_OR_RETURN(out.driver, SplitPodMounts(volumes, spec.driver, "driver"));
  ASSIGN_OR_RETURN(out.executor, SplitPodMounts(volumes, spec.executor, "executor"));
  return out;
}

Result<std::string> PodTemplate(const api::SparkApplicationSpec& spec, PodRole role, const SpecMounts& mounts,
                                const rapidjson::Value* base) {
  const api::PodSpec& pod = role == PodRole::kDriver ? static_cast<const api::PodSpec&>(spec.driver)
                                                     : static_cast<const api::PodSpec&>(spec.executor);
  TemplateBuilder b(role);
  RETURN_IF_ERROR(b.Start(pod.pod_template, base));
  RETURN_IF_ERROR(ApplyContainerFields(pod, mounts.Of(role), b));
  RETURN_IF_ERROR(b.Append("initContainers", pod.init_containers));
  RETURN_IF_ERROR(b.Append("tolerations", pod.tolerations));
  RETURN_IF_ERROR(b.Append("hostAliases", pod.host_aliases));
  RETURN_IF_ERROR(b.Set(b.Spec(), "affinity", pod.affinity));
  RETURN_IF_ERROR(b.Set(b.Spec(), "securityContext", pod.pod_security_context));
  RETURN_IF_ERROR(b.Set(b.Spec(), "dnsConfig", pod.dns_config));
  Allocator& a = b.Alloc();
  if (!pod.priority_class_name.empty()) b.Put(b.Spec(), "priorityClassName", JsonString(pod.priority_class_name, a));
  if (pod.termination_grace_period_seconds) {
    b.Put(b.Spec(), "terminationGracePeriodSeconds", Value(*pod.termination_grace_period_seconds));
  }
  if (pod.host_network) b.Put(b.Spec(), "hostNetwork", Value(*pod.host_network));
  if (pod.share_process_namespace) b.Put(b.Spec(), "shareProcessNamespace", Value(*pod.share_process_namespace));
  return b.changed() ? b.Text() : "";
}

std::string TemplateSparkContainer(const std::string& pod_template) {
  const Result<rapidjson::Document> pod = ParseJson(pod_template);
  if (!pod.ok()) return "";
  const Value* containers = FindPath(*pod, {"spec", "containers"});
  if (containers == nullptr || !containers->IsArray()) return "";
  const int index = api::SparkContainerIndex(*containers);
  return index < 0 ? "" : GetString((*containers)[static_cast<rapidjson::SizeType>(index)], {"name"});
}

}  // namespace spark_operator::controller
