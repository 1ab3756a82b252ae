#include "initializer/mutator.h"

#include <algorithm>
#include <utility>

#include "common/base/json.h"
#include "common/kube/pod.h"
#include "initializer/patch_builder.h"

namespace spark_operator::initializer {
namespace {

using rapidjson::Value;

// The first element of `items` named `wanted`; null when none or there is no array.
template <typename T>
const T* FindByName(const std::optional<std::vector<T>>& items, std::string_view wanted) {
  if (!items) return nullptr;
  for (const T& item : *items) {
    if (item.name == wanted) return &item;
  }
  return nullptr;
}

// The object a volume points at, as "ConfigMap x" / "Secret x", to compare with what an annotation wants.
std::string VolumeSource(const kube::Volume& volume) {
  if (volume.config_map) return "ConfigMap " + *volume.config_map;
  if (volume.secret) return "Secret " + *volume.secret;
  return "another source";
}

Value MakeVolume(const api::Mount& r, rapidjson::Document::AllocatorType& a) {
  Value volume(rapidjson::kObjectType);
  volume.AddMember("name", JsonString(r.volume_name, a), a);
  Value source(rapidjson::kObjectType);
  if (!api::IsSecretMount(r.kind)) {
    source.AddMember("name", JsonString(r.object_name, a), a);
    volume.AddMember("configMap", std::move(source), a);
  } else {
    source.AddMember("secretName", JsonString(r.object_name, a), a);
    volume.AddMember("secret", std::move(source), a);
  }
  return volume;
}

Value MakeMount(const api::Mount& r, rapidjson::Document::AllocatorType& a) {
  Value mount(rapidjson::kObjectType);
  mount.AddMember("name", JsonString(r.volume_name, a), a);
  mount.AddMember("mountPath", JsonString(r.mount_path, a), a);
  mount.AddMember("readOnly", true, a);
  return mount;
}

Value MakeEnv(const api::MountEnv& env, rapidjson::Document::AllocatorType& a) {
  Value var(rapidjson::kObjectType);
  var.AddMember("name", JsonString(env.name, a), a);
  var.AddMember("value", JsonString(env.value, a), a);
  return var;
}

std::string NormalisedMountPath(const kube::VolumeMount& mount) {
  Result<std::string> p = api::NormaliseMountPath(mount.mount_path);
  return p.ok() ? *p : mount.mount_path;
}

}  // namespace

Result<InvalidAnnotationPolicy> ParseInvalidAnnotationPolicy(std::string_view text) {
  if (text == "deny") return InvalidAnnotationPolicy::kDeny;
  if (text == "warn") return InvalidAnnotationPolicy::kWarn;
  return InvalidArgumentError("invalid annotation policy \"" + std::string(text) + "\": want deny or warn");
}

const char* ObjectKindName(ObjectKind kind) { return kind == ObjectKind::kConfigMap ? "ConfigMap" : "Secret"; }

Mutator::Mutator(MutatorOptions options, const ObjectChecker* checker) : options_(options), checker_(checker) {
  static const AlwaysExistsChecker kAlwaysExists;
  if (checker_ == nullptr) checker_ = &kAlwaysExists;
}

Decision Mutator::Mutate(const AdmittedPod& pod, const std::string& ns) const {
  Decision decision;
  // The annotations as sent: api::ParseMountAnnotations judges their types too (a value that is not a string is
  // refused by name), which a parsed kube::Pod would have read as "".
  const Value* annotations = FindPath(pod.raw(), {"metadata", "annotations"});
  if (annotations == nullptr) return decision;
  api::ParsedMountAnnotations parsed = api::ParseMountAnnotations(*annotations);
  decision.warnings = std::move(parsed.unknown);
  if (parsed.mounts.empty() && parsed.problems.empty()) return decision;

  // Parsed only for a pod that asks for mounts: the webhook sees every Spark pod.
  const kube::Pod& typed = pod.parsed();
  std::vector<std::string> problems = std::move(parsed.problems);
  const int index = api::SparkContainerIndex(kube::ContainerNames(typed));
  if (index < 0) {
    if (!parsed.mounts.empty()) problems.push_back(parsed.mounts.front().annotation + ": the pod has no containers");
    parsed.mounts.clear();
  }

  PatchBuilder patch;
  auto& a = patch.allocator();
  const std::optional<std::vector<kube::Volume>>& volumes = typed.volumes;
  const std::string container_path = "/spec/containers/" + std::to_string(index);
  static const kube::Container kNoContainer;  // No mounts, no environment, no name.
  const kube::Container& container = index < 0 ? kNoContainer : typed.containers[static_cast<size_t>(index)];
  const std::optional<std::vector<kube::VolumeMount>>& mounts = container.volume_mounts;
  const std::optional<std::vector<kube::EnvVar>>& env = container.env;
  const std::string& container_name = container.name;

  std::vector<std::string> env_added;
  const CheckDeadline check_deadline = std::chrono::steady_clock::now() + options_.check_budget;
  for (const api::Mount& r : parsed.mounts) {
    // An already-mutated pod (or one the user wrote by hand the same way) needs nothing: same volume name and
    // source, same mount. Anything else under the same name or path is a clash the user must hear about.
    const kube::Volume* existing_volume = FindByName(volumes, r.volume_name);
    const std::string wanted_source = std::string(api::MountObjectKind(r.kind)) + " " + r.object_name;
    if (existing_volume != nullptr && VolumeSource(*existing_volume) != wanted_source) {
      problems.push_back(r.annotation + ": the pod already has a volume \"" + r.volume_name + "\" from " +
                         VolumeSource(*existing_volume) + ", not " + wanted_source);
      continue;
    }
    const kube::VolumeMount* existing_mount = nullptr;
    if (mounts) {
      for (const kube::VolumeMount& m : *mounts) {
        if (NormalisedMountPath(m) == r.mount_path) existing_mount = &m;
      }
    }
    if (existing_mount != nullptr && existing_mount->name != r.volume_name) {
      problems.push_back(r.annotation + ": container \"" + container_name + "\" already mounts volume \"" +
                         existing_mount->name + "\" at \"" + r.mount_path + "\"");
      continue;
    }
    if (Status s = checker_->Check(ObjectKindOf(r.kind), ns, r.object_name, check_deadline); !s.ok()) {
      const std::string object = std::string(api::MountObjectKind(r.kind)) + " \"" + ns + "/" + r.object_name + "\"";
      if (IsNotFound(s)) {
        decision.warnings.push_back(r.annotation + ": " + object +
                                    " not found; the pod will not start until it exists");
      } else if (s.code() == StatusCode::kDeadlineExceeded) {
        decision.warnings.push_back(r.annotation + ": " + object + " was not checked: the API server did not answer " +
                                    "within the webhook's " + std::to_string(options_.check_budget.count()) +
                                    " ms budget; the pod is admitted, and will not start if it does not exist");
      } else {
        decision.warnings.push_back(r.annotation + ": could not check " + object + ": " + s.message());
      }
    }
    if (existing_volume == nullptr) {
      patch.Append("/spec/volumes", volumes.has_value(), MakeVolume(r, a));
    }
    if (existing_mount == nullptr) {
      patch.Append(container_path + "/volumeMounts", mounts.has_value(), MakeMount(r, a));
    }
    if (r.env.has_value()) {
      const kube::EnvVar* existing_env = FindByName(env, r.env->name);
      const bool added = std::find(env_added.begin(), env_added.end(), r.env->name) != env_added.end();
      if (existing_env == nullptr && added) {
        decision.warnings.push_back(r.annotation + ": " + r.env->name + " is already set by another annotation");
      } else if (existing_env == nullptr) {
        env_added.push_back(r.env->name);
        patch.Append(container_path + "/env", env.has_value(), MakeEnv(*r.env, a));
      } else if (r.env->name == "SPARK_CONF_DIR" && existing_env->value == api::kSparkInternalConfDir &&
                 !existing_env->value_from) {
        // spark-submit (3.x, 4.x) always sets this in driver and executor containers, pointing at a directory
        // of its own; keeping it would make the annotation's SPARK_CONF_DIR never take effect. Its own
        // spark.properties is passed by full path, so it is still read.
        const auto env_index = static_cast<size_t>(existing_env - env->data());
        patch.Replace(container_path + "/env/" + std::to_string(env_index) + "/value", JsonString(r.env->value, a));
      } else if (existing_env->value != r.env->value) {
        decision.warnings.push_back(r.annotation + ": " + r.env->name + " is already set in container \"" +
                                    container_name + "\"; left as is, not \"" + r.env->value + "\"");
      }
    }
  }

  if (!problems.empty() && options_.policy == InvalidAnnotationPolicy::kDeny) {
    decision.allowed = false;
    std::string message;
    for (const std::string& p : problems) message += (message.empty() ? "" : "; ") + p;
    decision.message = message;
    return decision;
  }
  for (std::string& p : problems) decision.warnings.push_back(std::move(p) + " (ignored)");
  if (!patch.empty()) decision.patch = patch.ToString();
  return decision;
}

}  // namespace spark_operator::initializer
