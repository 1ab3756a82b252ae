#include "api/mounts.h"

#include <algorithm>
#include <array>

#include "api/name_rules.h"
#include "common/base/json.h"

namespace spark_operator::api {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Paths a user mount must never hide or sit in: the container's root, kernel interfaces, the whole of /etc
// (images keep passwd, hosts and resolv.conf there), and the service account token Kubernetes mounts.
constexpr std::array<std::string_view, 12> kReservedExact = {"/",    "/etc", "/bin", "/sbin", "/lib", "/lib64",
                                                             "/usr", "/var", "/run", "/tmp",  "/opt", "/home"};
constexpr std::array<std::string_view, 5> kReservedTrees = {"/proc", "/sys", "/dev", "/var/run/secrets/kubernetes.io",
                                                            "/run/secrets/kubernetes.io"};

constexpr std::string_view kSparkConfigMapVolume = "spark-configmap-volume";
constexpr std::string_view kHadoopConfigMapVolume = "hadoop-configmap-volume";

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// The one place that says what a mount of each kind is made of; both directions of the contract call it.
Mount MakeMount(MountKind kind, std::string annotation, std::string object_name, std::string mount_path) {
  Mount mount;
  mount.kind = kind;
  mount.annotation = std::move(annotation);
  mount.object_name = std::move(object_name);
  mount.mount_path = std::move(mount_path);
  switch (kind) {
    case MountKind::kSparkConfigMap:
      mount.volume_name = std::string(kSparkConfigMapVolume);
      mount.env = MountEnv{"SPARK_CONF_DIR", mount.mount_path};
      break;
    case MountKind::kHadoopConfigMap:
      mount.volume_name = std::string(kHadoopConfigMapVolume);
      mount.env = MountEnv{"HADOOP_CONF_DIR", mount.mount_path};
      break;
    case MountKind::kConfigMap:
      mount.volume_name = VolumeNameFor(mount.object_name, "configmap-vol");
      break;
    case MountKind::kSecret:
      mount.volume_name = VolumeNameFor(mount.object_name, "secret-vol");
      break;
    case MountKind::kGcpServiceAccount:
      mount.volume_name = VolumeNameFor(mount.object_name, "gcp-sa-vol");
      mount.env = MountEnv{"GOOGLE_APPLICATION_CREDENTIALS", mount.mount_path + "/key.json"};
      break;
  }
  return mount;
}

// The annotation (key, value) that asks for a mount of `kind`.
std::pair<std::string, std::string> AnnotationFor(MountKind kind, const std::string& name, const std::string& path) {
  switch (kind) {
    case MountKind::kSparkConfigMap:
      return {std::string(kSparkConfigMapAnnotation), name};
    case MountKind::kHadoopConfigMap:
      return {std::string(kHadoopConfigMapAnnotation), name};
    case MountKind::kConfigMap:
      return {std::string(kConfigMapAnnotationPrefix) + name, path};
    case MountKind::kSecret:
      return {std::string(kSecretAnnotationPrefix) + name, path};
    case MountKind::kGcpServiceAccount:
      return {std::string(kGcpServiceAccountAnnotationPrefix) + name, path};
  }
  return {};
}

// The kind and object name an annotation key asks for; nullopt for a key outside the contract.
struct KeyMeaning {
  MountKind kind;
  std::string object_name;
  bool name_from_key;
};
std::optional<KeyMeaning> MeaningOf(std::string_view key, std::string_view value) {
  if (key == kSparkConfigMapAnnotation) return KeyMeaning{MountKind::kSparkConfigMap, std::string(value), false};
  if (key == kHadoopConfigMapAnnotation) return KeyMeaning{MountKind::kHadoopConfigMap, std::string(value), false};
  const std::array<std::pair<std::string_view, MountKind>, 3> prefixes = {{
      {kConfigMapAnnotationPrefix, MountKind::kConfigMap},
      {kSecretAnnotationPrefix, MountKind::kSecret},
      {kGcpServiceAccountAnnotationPrefix, MountKind::kGcpServiceAccount},
  }};
  for (const auto& [prefix, kind] : prefixes) {
    if (StartsWith(key, prefix)) return KeyMeaning{kind, std::string(key.substr(prefix.size())), true};
  }
  return std::nullopt;
}

}  // namespace

std::vector<RequestedMount> RequestedMounts(const SparkApplicationSpec& spec, const PodSpec& pod) {
  std::vector<RequestedMount> mounts;
  if (!spec.spark_config_map.empty()) {
    mounts.push_back({MountKind::kSparkConfigMap, spec.spark_config_map, std::string(kSparkConfDir)});
  }
  if (!spec.hadoop_config_map.empty()) {
    mounts.push_back({MountKind::kHadoopConfigMap, spec.hadoop_config_map, std::string(kHadoopConfDir)});
  }
  for (const ConfigMapMount& cm : pod.config_maps) mounts.push_back({MountKind::kConfigMap, cm.name, cm.path});
  for (const SecretMount& secret : pod.secrets) {
    if (secret.secret_type == SecretType::kGCPServiceAccount) {
      mounts.push_back({MountKind::kGcpServiceAccount, secret.name, secret.path});
    }
  }
  return mounts;
}

const char* MountObjectKind(MountKind kind) { return IsSecretMount(kind) ? "Secret" : "ConfigMap"; }

const char* MountKindName(MountKind kind) {
  switch (kind) {
    case MountKind::kSparkConfigMap:
      return "sparkConfigMap";
    case MountKind::kHadoopConfigMap:
      return "hadoopConfigMap";
    case MountKind::kConfigMap:
      return "configMap";
    case MountKind::kSecret:
      return "secret";
    case MountKind::kGcpServiceAccount:
      return "GCPServiceAccount secret";
  }
  return "mount";
}

StringMap MountAnnotations(const SparkApplicationSpec& spec, const PodSpec& pod) {
  StringMap annotations;
  for (const RequestedMount& m : RequestedMounts(spec, pod)) {
    annotations.insert(AnnotationFor(m.kind, m.object_name, m.path));
  }
  return annotations;
}

std::vector<Mount> ExpectedMounts(const SparkApplicationSpec& spec, const PodSpec& pod) {
  std::vector<Mount> mounts;
  for (const RequestedMount& m : RequestedMounts(spec, pod)) {
    // Validation refuses a path that does not normalise; such a spec is never submitted.
    Result<std::string> path = NormaliseMountPath(m.path);
    mounts.push_back(MakeMount(m.kind, AnnotationFor(m.kind, m.object_name, m.path).first, m.object_name,
                               path.ok() ? *std::move(path) : m.path));
  }
  return mounts;
}

Result<std::string> NormaliseMountPath(std::string_view path) {
  if (path.empty()) return InvalidArgumentError("mount path is empty");
  if (path.front() != '/') return InvalidArgumentError("mount path " + Quote(path) + " must be absolute");
  // The rule SparkApplication validation applies to its mount paths too (api/name_rules.h); what follows is
  // stricter: "." segments, control characters and ':' (the old volume-spec separator) are refused as well.
  if (!IsCleanAbsolutePath(path)) {
    return InvalidArgumentError("mount path " + Quote(path) + " must not contain \".\" or \"..\"");
  }
  std::string normalised;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t end = i;
    while (end < path.size() && path[end] != '/') ++end;
    const std::string_view segment = path.substr(i, end - i);
    if (segment == ".." || segment == ".") {
      return InvalidArgumentError("mount path " + Quote(path) + " must not contain \".\" or \"..\"");
    }
    for (const char c : segment) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ':') {
        return InvalidArgumentError("mount path " + Quote(path) + " contains a control character or ':'");
      }
    }
    if (!segment.empty()) normalised += "/" + std::string(segment);
    i = end;
  }
  if (normalised.empty()) normalised = "/";
  if (normalised.size() > 4096) return InvalidArgumentError("mount path is longer than 4096 characters");
  for (const std::string_view reserved : kReservedExact) {
    if (normalised == reserved) return InvalidArgumentError("mount path " + Quote(path) + " is reserved");
  }
  for (const std::string_view tree : kReservedTrees) {
    if (normalised == tree || StartsWith(normalised, std::string(tree) + "/")) {
      return InvalidArgumentError("mount path " + Quote(path) + " is reserved (under " + std::string(tree) + ")");
    }
  }
  return normalised;
}

std::string VolumeNameFor(std::string_view object_name, std::string_view suffix) {
  constexpr size_t kMaxLabel = 63;
  const bool plain =
      object_name.find('.') == std::string_view::npos && object_name.size() + 1 + suffix.size() <= kMaxLabel;
  if (plain) return std::string(object_name) + "-" + std::string(suffix);
  // Dots are not allowed in a volume name; the hash keeps "a.b" and "a-b" apart and long names unique.
  std::string prefix(object_name.substr(0, kMaxLabel - (1 + 8 + 1 + suffix.size())));
  std::replace(prefix.begin(), prefix.end(), '.', '-');
  while (!prefix.empty() && prefix.back() == '-') prefix.pop_back();
  return (prefix.empty() ? "" : prefix + "-") + NameHash8(object_name) + "-" + std::string(suffix);
}

ParsedMountAnnotations ParseMountAnnotations(const rapidjson::Value& annotations) {
  ParsedMountAnnotations parsed;
  if (!annotations.IsObject()) return parsed;
  size_t ours = 0;
  for (auto it = annotations.MemberBegin(); it != annotations.MemberEnd(); ++it) {
    if (StartsWith(std::string_view(it->name.GetString(), it->name.GetStringLength()), kAnnotationPrefix)) ++ours;
  }
  if (ours > kMaxMountAnnotations) {
    parsed.problems.push_back(std::to_string(ours) + " annotations under " + std::string(kAnnotationPrefix) +
                              ": at most " + std::to_string(kMaxMountAnnotations) + " are allowed");
    return parsed;
  }
  for (auto it = annotations.MemberBegin(); it != annotations.MemberEnd(); ++it) {
    const std::string_view key(it->name.GetString(), it->name.GetStringLength());
    if (!StartsWith(key, kAnnotationPrefix)) continue;
    if (!it->value.IsString()) {
      parsed.problems.push_back(std::string(key) + ": value must be a string");
      continue;
    }
    const std::string_view value(it->value.GetString(), it->value.GetStringLength());
    const std::optional<KeyMeaning> meaning = MeaningOf(key, value);
    if (!meaning) {
      parsed.unknown.push_back(std::string(key) + ": unknown spark-operator annotation, ignored");
      continue;
    }
    if (!IsDns1123Subdomain(meaning->object_name)) {
      parsed.problems.push_back(std::string(key) + ": " + MountObjectKind(meaning->kind) + " name " +
                                Quote(meaning->object_name) + " (from the annotation " +
                                (meaning->name_from_key ? "key" : "value") +
                                ") is not a valid Kubernetes object name (DNS-1123 subdomain)");
      continue;
    }
    const std::string_view path_value = meaning->kind == MountKind::kSparkConfigMap    ? kSparkConfDir
                                        : meaning->kind == MountKind::kHadoopConfigMap ? kHadoopConfDir
                                                                                       : value;
    Result<std::string> path = NormaliseMountPath(path_value);
    if (!path.ok()) {
      parsed.problems.push_back(std::string(key) + ": " + path.status().message());
      continue;
    }
    parsed.mounts.push_back(MakeMount(meaning->kind, std::string(key), meaning->object_name, *std::move(path)));
  }
  std::sort(parsed.mounts.begin(), parsed.mounts.end(),
            [](const Mount& a, const Mount& b) { return a.annotation < b.annotation; });
  // Two annotations cannot share a mount path, nor a volume name.
  std::vector<Mount> unique;
  for (Mount& mount : parsed.mounts) {
    const auto clash = std::find_if(unique.begin(), unique.end(), [&](const Mount& kept) {
      return kept.mount_path == mount.mount_path || kept.volume_name == mount.volume_name;
    });
    if (clash != unique.end()) {
      const bool same_path = clash->mount_path == mount.mount_path;
      parsed.problems.push_back(mount.annotation + ": " +
                                (same_path ? "mount path " + Quote(mount.mount_path) + " is already used by "
                                           : "volume name " + Quote(mount.volume_name) + " is already used by ") +
                                clash->annotation);
      continue;
    }
    unique.push_back(std::move(mount));
  }
  parsed.mounts = std::move(unique);
  std::sort(parsed.problems.begin(), parsed.problems.end());
  return parsed;
}

int SparkContainerIndex(const rapidjson::Value& containers) {
  if (!containers.IsArray()) return -1;
  std::vector<std::string> names;
  for (const rapidjson::Value& c : containers.GetArray()) names.push_back(GetString(c, {"name"}));
  return SparkContainerIndex(names);
}

int SparkContainerIndex(const std::vector<std::string>& container_names) {
  for (size_t i = 0; i < container_names.size(); ++i) {
    const std::string& name = container_names[i];
    if (name == kDriverContainerName || name == kExecutorContainerName) return static_cast<int>(i);
  }
  return container_names.empty() ? -1 : 0;
}

}  // namespace spark_operator::api
