#include "common/kube/pod.h"

#include "common/base/json.h"

namespace spark_operator::kube {
namespace {

const rapidjson::Value* ArrayAt(const rapidjson::Value& root, JsonPath path) {
  const rapidjson::Value* v = FindPath(root, path);
  return v != nullptr && v->IsArray() ? v : nullptr;
}

// Each element of the array at `path` through `parse`; unset when there is no array.
template <typename T, typename Parse>
std::optional<std::vector<T>> EachOf(const rapidjson::Value& root, JsonPath path, Parse parse) {
  const rapidjson::Value* array = ArrayAt(root, path);
  if (array == nullptr) return std::nullopt;
  std::vector<T> out;
  out.reserve(array->Size());
  for (const rapidjson::Value& item : array->GetArray()) out.push_back(parse(item));
  return out;
}

Container ParseContainer(const rapidjson::Value& c) {
  Container out;
  out.name = GetString(c, {"name"});
  out.volume_mounts = EachOf<VolumeMount>(c, {"volumeMounts"}, [](const rapidjson::Value& m) {
    return VolumeMount{GetString(m, {"name"}), GetString(m, {"mountPath"})};
  });
  out.env = EachOf<EnvVar>(c, {"env"}, [](const rapidjson::Value& e) {
    return EnvVar{GetString(e, {"name"}), GetString(e, {"value"}), FindPath(e, {"valueFrom"}) != nullptr};
  });
  return out;
}

Volume ParseVolume(const rapidjson::Value& v) {
  Volume out;
  out.name = GetString(v, {"name"});
  if (const rapidjson::Value* cm = FindPath(v, {"configMap"}); cm != nullptr) out.config_map = GetString(*cm, {"name"});
  if (const rapidjson::Value* s = FindPath(v, {"secret"}); s != nullptr) out.secret = GetString(*s, {"secretName"});
  return out;
}

ContainerStatus ParseContainerStatus(const rapidjson::Value& s) {
  ContainerStatus out;
  out.name = GetString(s, {"name"});
  if (const rapidjson::Value* t = FindPath(s, {"state", "terminated"}); t != nullptr) {
    TerminatedState terminated;
    if (const rapidjson::Value* code = FindPath(*t, {"exitCode"}); code != nullptr && code->IsInt()) {
      terminated.exit_code = code->GetInt();
    }
    terminated.reason = GetString(*t, {"reason"});
    terminated.message = GetString(*t, {"message"});
    terminated.finished_at = GetString(*t, {"finishedAt"});
    out.terminated = std::move(terminated);
  }
  return out;
}

}  // namespace

Pod ParsePod(const rapidjson::Value& pod) {
  Pod out;
  out.meta = ParseObjectMeta(pod);
  out.node_name = GetString(pod, {"spec", "nodeName"});
  if (auto containers = EachOf<Container>(pod, {"spec", "containers"}, ParseContainer)) {
    out.containers = std::move(*containers);
  }
  out.volumes = EachOf<Volume>(pod, {"spec", "volumes"}, ParseVolume);
  out.phase = GetString(pod, {"status", "phase"});
  out.reason = GetString(pod, {"status", "reason"});
  out.message = GetString(pod, {"status", "message"});
  if (auto statuses = EachOf<ContainerStatus>(pod, {"status", "containerStatuses"}, ParseContainerStatus)) {
    out.container_statuses = std::move(*statuses);
  }
  return out;
}

std::vector<std::string> ContainerNames(const Pod& pod) {
  std::vector<std::string> names;
  names.reserve(pod.containers.size());
  for (const Container& c : pod.containers) names.push_back(c.name);
  return names;
}

}  // namespace spark_operator::kube
