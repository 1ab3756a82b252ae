#include "initializer/mutator.h"

#include <algorithm>
#include <utility>

#include "common/base/json.h"

namespace spark_operator::initializer {
namespace {

using rapidjson::Value;

std::string Str(const Value& v) { return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : ""; }

const Value* ArrayAt(const Value& root, JsonPath path) {
  const Value* v = FindPath(root, path);
  return v != nullptr && v->IsArray() ? v : nullptr;
}

const Value* FindByName(const Value* array, std::string_view key, std::string_view wanted) {
  if (array == nullptr) return nullptr;
  for (const Value& item : array->GetArray()) {
    if (GetString(item, {key}) == wanted) return &item;
  }
  return nullptr;
}

// The object a volume points at, as "ConfigMap x" / "Secret x", to compare with what an annotation wants.
std::string VolumeSource(const Value& volume) {
  if (const Value* cm = FindPath(volume, {"configMap"}); cm != nullptr) {
    return "ConfigMap " + GetString(*cm, {"name"});
  }
  if (const Value* secret = FindPath(volume, {"secret"}); secret != nullptr) {
    return "Secret " + GetString(*secret, {"secretName"});
  }
  return "another source";
}

// Collects patch operations; consecutive additions to an array that does not exist yet become one "add" of
// the whole array, since "/spec/volumes/-" fails when there is no "volumes".
class PatchBuilder {
 public:
  PatchBuilder() { doc_.SetArray(); }

  void Append(const std::string& array_path, bool array_exists, Value item) {
    auto& a = doc_.GetAllocator();
    if (!array_exists) {
      for (Value& op : doc_.GetArray()) {
        if (Str(op["path"]) == array_path) {
          op["value"].PushBack(std::move(item), a);
          return;
        }
      }
      Value array(rapidjson::kArrayType);
      array.PushBack(std::move(item), a);
      Add(array_path, std::move(array));
      return;
    }
    Add(array_path + "/-", std::move(item));
  }

  void Replace(const std::string& path, Value value) { AddOp("replace", path, std::move(value)); }

  bool empty() const { return doc_.Empty(); }
  std::string ToString() const { return ToJson(doc_); }
  rapidjson::Document::AllocatorType& allocator() { return doc_.GetAllocator(); }

 private:
  void Add(const std::string& path, Value value) { AddOp("add", path, std::move(value)); }

  void AddOp(const char* kind, const std::string& path, Value value) {
    auto& a = doc_.GetAllocator();
    Value op(rapidjson::kObjectType);
    op.AddMember("op", rapidjson::StringRef(kind), a);
    op.AddMember("path", JsonString(path, a), a);
    op.AddMember("value", std::move(value), a);
    doc_.PushBack(std::move(op), a);
  }

  rapidjson::Document doc_;
};

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

std::string NormalisedMountPath(const Value& mount) {
  Result<std::string> p = api::NormaliseMountPath(GetString(mount, {"mountPath"}));
  return p.ok() ? *p : GetString(mount, {"mountPath"});
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

Decision Mutator::Mutate(const Value& pod, const std::string& ns) const {
  Decision decision;
  const Value* annotations = FindPath(pod, {"metadata", "annotations"});
  if (annotations == nullptr) return decision;
  api::ParsedMountAnnotations parsed = api::ParseMountAnnotations(*annotations);
  decision.warnings = std::move(parsed.unknown);
  if (parsed.mounts.empty() && parsed.problems.empty()) return decision;

  std::vector<std::string> problems = std::move(parsed.problems);
  const Value* containers = ArrayAt(pod, {"spec", "containers"});
  const int index = containers == nullptr ? -1 : api::SparkContainerIndex(*containers);
  if (index < 0) {
    if (!parsed.mounts.empty()) problems.push_back(parsed.mounts.front().annotation + ": the pod has no containers");
    parsed.mounts.clear();
  }

  PatchBuilder patch;
  auto& a = patch.allocator();
  const Value* volumes = ArrayAt(pod, {"spec", "volumes"});
  const std::string container_path = "/spec/containers/" + std::to_string(index);
  const Value* container = index < 0 ? nullptr : &(*containers)[static_cast<rapidjson::SizeType>(index)];
  const Value* mounts = container == nullptr ? nullptr : ArrayAt(*container, {"volumeMounts"});
  const Value* env = container == nullptr ? nullptr : ArrayAt(*container, {"env"});
  const std::string container_name = container == nullptr ? "" : GetString(*container, {"name"});

  std::vector<std::string> env_added;
  const CheckDeadline check_deadline = std::chrono::steady_clock::now() + options_.check_budget;
  for (const api::Mount& r : parsed.mounts) {
    // An already-mutated pod (or one the user wrote by hand the same way) needs nothing: same volume name and
    // source, same mount. Anything else under the same name or path is a clash the user must hear about.
    const Value* existing_volume = FindByName(volumes, "name", r.volume_name);
    const std::string wanted_source = std::string(api::MountObjectKind(r.kind)) + " " + r.object_name;
    if (existing_volume != nullptr && VolumeSource(*existing_volume) != wanted_source) {
      problems.push_back(r.annotation + ": the pod already has a volume \"" + r.volume_name + "\" from " +
                         VolumeSource(*existing_volume) + ", not " + wanted_source);
      continue;
    }
    const Value* existing_mount = nullptr;
    if (mounts != nullptr) {
      for (const Value& m : mounts->GetArray()) {
        if (NormalisedMountPath(m) == r.mount_path) existing_mount = &m;
      }
    }
    if (existing_mount != nullptr && GetString(*existing_mount, {"name"}) != r.volume_name) {
      problems.push_back(r.annotation + ": container \"" + container_name + "\" already mounts volume \"" +
                         GetString(*existing_mount, {"name"}) + "\" at \"" + r.mount_path + "\"");
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
      patch.Append("/spec/volumes", volumes != nullptr, MakeVolume(r, a));
    }
    if (existing_mount == nullptr) {
      patch.Append(container_path + "/volumeMounts", mounts != nullptr, MakeMount(r, a));
    }
    if (r.env.has_value()) {
      const Value* existing_env = FindByName(env, "name", r.env->name);
      const bool added = std::find(env_added.begin(), env_added.end(), r.env->name) != env_added.end();
      if (existing_env == nullptr && added) {
        decision.warnings.push_back(r.annotation + ": " + r.env->name + " is already set by another annotation");
      } else if (existing_env == nullptr) {
        env_added.push_back(r.env->name);
        patch.Append(container_path + "/env", env != nullptr, MakeEnv(*r.env, a));
      } else if (r.env->name == "SPARK_CONF_DIR" && GetString(*existing_env, {"value"}) == api::kSparkInternalConfDir &&
                 !FindPath(*existing_env, {"valueFrom"})) {
        // spark-submit (3.x, 4.x) always sets this in driver and executor containers, pointing at a directory
        // of its own; keeping it would make the annotation's SPARK_CONF_DIR never take effect. Its own
        // spark.properties is passed by full path, so it is still read.
        const auto env_index = static_cast<size_t>(existing_env - env->Begin());
        patch.Replace(container_path + "/env/" + std::to_string(env_index) + "/value", JsonString(r.env->value, a));
      } else if (GetString(*existing_env, {"value"}) != r.env->value) {
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
