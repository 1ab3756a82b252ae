// A Pod as the operator reads it, parsed once (kube::ParsePod) and handed on as a value: what the controller
// observes of driver and executor pods (phase, container states, node, mounts, owners) and what the initializer's
// webhook checks before it mutates one (containers' mounts and environment, volumes).
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <vector>

#include "common/kube/object_meta.h"

namespace spark_operator::kube {

struct VolumeMount {
  std::string name;
  std::string mount_path;
};

struct EnvVar {
  std::string name;
  std::string value;
  bool value_from = false;  // valueFrom is set.
};

struct Container {
  std::string name;
  // Unset when the field is missing or not an array (a patch then adds the array rather than an element).
  std::optional<std::vector<VolumeMount>> volume_mounts;
  std::optional<std::vector<EnvVar>> env;
};

struct Volume {
  std::string name;
  std::optional<std::string> config_map;  // configMap.name, when the volume has a configMap source.
  std::optional<std::string> secret;      // secret.secretName, when it has a secret source.
};

struct TerminatedState {
  std::optional<int> exit_code;
  std::string reason;
  std::string message;
  std::string finished_at;
};

struct ContainerStatus {
  std::string name;
  std::optional<TerminatedState> terminated;  // state.terminated is there.
};

struct Pod {
  ObjectMeta meta;
  std::string node_name;
  std::vector<Container> containers;  // In the pod's order: indices are JSON patch paths.
  std::optional<std::vector<Volume>> volumes;
  std::string phase;
  std::string reason;
  std::string message;
  std::vector<ContainerStatus> container_statuses;
};

// Lenient the way reads by path are: what is missing or of another type reads as empty, and an array element
// that is not an object as one with empty fields, so that indices stay those of the JSON.
Pod ParsePod(const rapidjson::Value& pod);

// The containers' names, in order.
std::vector<std::string> ContainerNames(const Pod& pod);

}  // namespace spark_operator::kube
