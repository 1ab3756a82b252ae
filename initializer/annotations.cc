// Reading and validating the spark-operator.k8s.io/* annotations (declared in mutator.h).
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>

#include "api/validation.h"
#include "initializer/mutator.h"

namespace spark_operator::initializer {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Paths a user mount must never hide or sit in: the container's root, kernel interfaces, the whole of /etc
// (images keep passwd, hosts and resolv.conf there), and the service account token Kubernetes mounts.
constexpr std::array<std::string_view, 12> kReservedExact = {"/",     "/etc", "/bin", "/sbin", "/lib", "/lib64",
                                                             "/usr",  "/var", "/run", "/tmp",  "/opt", "/home"};
constexpr std::array<std::string_view, 5> kReservedTrees = {"/proc", "/sys", "/dev",
                                                            "/var/run/secrets/kubernetes.io",
                                                            "/run/secrets/kubernetes.io"};

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

uint32_t Fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

}  // namespace

Result<InvalidAnnotationPolicy> ParseInvalidAnnotationPolicy(std::string_view text) {
  if (text == "deny") return InvalidAnnotationPolicy::kDeny;
  if (text == "warn") return InvalidAnnotationPolicy::kWarn;
  return InvalidArgumentError("invalid annotation policy " + Quote(text) + ": want deny or warn");
}

const char* ObjectKindName(ObjectKind kind) { return kind == ObjectKind::kConfigMap ? "ConfigMap" : "Secret"; }

Result<std::string> ValidateMountPath(std::string_view path) {
  if (path.empty()) return InvalidArgumentError("mount path is empty");
  if (path.front() != '/') return InvalidArgumentError("mount path " + Quote(path) + " must be absolute");
  // The rule SparkApplication validation applies to its mount paths too (api/validation.h); what follows is
  // stricter, because the webhook compares paths with the pod's own mounts and must never mount over the
  // system: "." segments, control characters and ':' (the old volume-spec separator) are refused as well.
  if (!api::IsCleanAbsolutePath(path)) {
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
  const bool plain = object_name.find('.') == std::string_view::npos &&
                     object_name.size() + 1 + suffix.size() <= kMaxLabel;
  if (plain) return std::string(object_name) + "-" + std::string(suffix);
  // Dots are not allowed in a volume name; the hash keeps "a.b" and "a-b" apart and long names unique.
  char hash[9];
  std::snprintf(hash, sizeof(hash), "%08x", Fnv1a(object_name));
  std::string prefix(object_name.substr(0, kMaxLabel - (1 + 8 + 1 + suffix.size())));
  std::replace(prefix.begin(), prefix.end(), '.', '-');
  while (!prefix.empty() && prefix.back() == '-') prefix.pop_back();
  return (prefix.empty() ? "" : prefix + "-") + hash + "-" + std::string(suffix);
}

std::string EscapeJsonPointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

ParsedAnnotations ParseAnnotations(const rapidjson::Value& annotations) {
  ParsedAnnotations parsed;
  if (!annotations.IsObject()) return parsed;
  for (auto it = annotations.MemberBegin(); it != annotations.MemberEnd(); ++it) {
    const std::string_view key(it->name.GetString(), it->name.GetStringLength());
    if (!StartsWith(key, kAnnotationPrefix)) continue;
    if (!it->value.IsString()) {
      parsed.problems.push_back(std::string(key) + ": value must be a string");
      continue;
    }
    const std::string_view value(it->value.GetString(), it->value.GetStringLength());
    MountRequest request;
    request.annotation = std::string(key);
    std::string_view path_value;
    std::string_view name_source;  // "value" or "key": where the object name came from, for messages.
    if (key == kSparkConfigMapAnnotation || key == kHadoopConfigMapAnnotation) {
      const bool spark = key == kSparkConfigMapAnnotation;
      request.object_name = std::string(value);
      request.volume_name = std::string(spark ? kSparkConfigMapVolume : kHadoopConfigMapVolume);
      path_value = spark ? kSparkConfDir : kHadoopConfDir;
      request.env = EnvVar{spark ? "SPARK_CONF_DIR" : "HADOOP_CONF_DIR", std::string(path_value)};
      name_source = "value";
    } else if (StartsWith(key, kConfigMapAnnotationPrefix)) {
      request.object_name = std::string(key.substr(kConfigMapAnnotationPrefix.size()));
      request.volume_name = VolumeNameFor(request.object_name, "configmap-vol");
      path_value = value;
      name_source = "key";
    } else if (StartsWith(key, kSecretAnnotationPrefix)) {
      request.kind = ObjectKind::kSecret;
      request.object_name = std::string(key.substr(kSecretAnnotationPrefix.size()));
      request.volume_name = VolumeNameFor(request.object_name, "secret-vol");
      path_value = value;
      name_source = "key";
    } else if (StartsWith(key, kGcpServiceAccountAnnotationPrefix)) {
      request.kind = ObjectKind::kSecret;
      request.object_name = std::string(key.substr(kGcpServiceAccountAnnotationPrefix.size()));
      request.volume_name = VolumeNameFor(request.object_name, "gcp-sa-vol");
      path_value = value;
      name_source = "key";
    } else {
      parsed.unknown.push_back(std::string(key) + ": unknown spark-operator annotation, ignored");
      continue;
    }
    if (!api::IsDns1123Subdomain(request.object_name)) {
      parsed.problems.push_back(request.annotation + ": " + ObjectKindName(request.kind) + " name " +
                                Quote(request.object_name) + " (from the annotation " + std::string(name_source) +
                                ") is not a valid Kubernetes object name (DNS-1123 subdomain)");
      continue;
    }
    Result<std::string> path = ValidateMountPath(path_value);
    if (!path.ok()) {
      parsed.problems.push_back(request.annotation + ": " + path.status().message());
      continue;
    }
    request.mount_path = *std::move(path);
    if (StartsWith(key, kGcpServiceAccountAnnotationPrefix)) {
      request.env = EnvVar{"GOOGLE_APPLICATION_CREDENTIALS", request.mount_path + "/key.json"};
    }
    parsed.mounts.push_back(std::move(request));
  }
  std::sort(parsed.mounts.begin(), parsed.mounts.end(),
            [](const MountRequest& a, const MountRequest& b) { return a.annotation < b.annotation; });
  // Two annotations cannot share a mount path, nor a volume name.
  std::vector<MountRequest> unique;
  for (MountRequest& request : parsed.mounts) {
    const auto clash = std::find_if(unique.begin(), unique.end(), [&](const MountRequest& kept) {
      return kept.mount_path == request.mount_path || kept.volume_name == request.volume_name;
    });
    if (clash != unique.end()) {
      const bool same_path = clash->mount_path == request.mount_path;
      parsed.problems.push_back(request.annotation + ": " +
                                (same_path ? "mount path " + Quote(request.mount_path) + " is already used by "
                                           : "volume name " + Quote(request.volume_name) + " is already used by ") +
                                clash->annotation);
      continue;
    }
    unique.push_back(std::move(request));
  }
  parsed.mounts = std::move(unique);
  std::sort(parsed.problems.begin(), parsed.problems.end());
  return parsed;
}

}  // namespace spark_operator::initializer
