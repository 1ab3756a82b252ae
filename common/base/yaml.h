// YAML in, JSON out: kubeconfigs and manifests are YAML, but everything inside the project is RapidJSON.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace spark_operator {

// Values (mappings, sequences, scalars) one stream may turn into, counting each use of an alias anew: a few lines
// of anchors and aliases can stand for billions of values. Kubernetes manifests hold thousands. Nesting is bounded
// as JSON's is (kMaxJsonDepth), and an alias inside the node it names is refused (yaml-cpp 0.7 accepts both).
inline constexpr size_t kMaxYamlValues = 1 << 20;

// Plain scalars are typed by YAML 1.2's core schema (null, bool, int, float); quoted ones stay strings.
Result<rapidjson::Document> YamlToJson(std::string_view yaml);
// Every document of a `---` separated stream, skipping empty ones.
Result<std::vector<rapidjson::Document>> YamlStreamToJson(std::string_view yaml);
std::string JsonToYaml(const rapidjson::Value& value);

}  // namespace spark_operator
