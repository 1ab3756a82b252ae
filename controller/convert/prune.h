// Removing from a JSON document what an error path of the api codec points at ("driver.env[0].valueFrom",
// "sparkConf[spark.x]"): the kubeflow converter leaves out each field the strict parser does not accept.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spark_operator::controller::convert {

// One step of a path: a member name, or (index set) a list element.
struct PathStep {
  std::string key;
  std::optional<size_t> index;

  bool operator==(const PathStep&) const = default;
};
using StepPath = std::vector<PathStep>;

// The steps of `path`, matched against `root`: a member name may itself hold '.', '[' or ']' (a sparkConf key,
// an unknown field a user wrote), so names are taken from the document, longest first, rather than split on
// punctuation. nullopt when nothing in `root` is at `path`; an empty path is `root` itself.
std::optional<StepPath> ResolvePath(const rapidjson::Value& root, std::string_view path);

// What to remove for a problem at `steps`: up to and including the innermost list element when there is one (a
// list element is never left half: an env entry without its valueFrom would set the variable to ""), else the
// member itself.
StepPath RemovalTarget(const StepPath& steps);

// Removes each target from `root`. Later list elements go before earlier ones of the same list, so the indices
// of the targets stay right; a target inside another is covered by it.
void RemoveAll(rapidjson::Value& root, std::vector<StepPath> targets);

// Removes member `name` of `object` (if it is an object holding it), keeping the others in their order: RapidJSON's
// RemoveMember moves the last member into the gap, which would reorder the converted YAML.
void EraseMember(rapidjson::Value& object, std::string_view name);

// "driver.env[0]" again, for messages.
std::string FormatPath(const StepPath& steps);

}  // namespace spark_operator::controller::convert
