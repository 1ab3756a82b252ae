// Small helpers over RapidJSON, the project's one JSON library. Kubernetes objects travel as
// rapidjson::Document; these helpers read and write them by path without repeating null checks.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace spark_operator {

using JsonPath = std::initializer_list<std::string_view>;

// Objects and arrays may nest this deep in parsed JSON; deeper input is rejected. Kubernetes objects nest a few
// dozen levels at most (a CRD's schema is among the deepest), and every later recursive walk of a document
// (Accept, CopyFrom, operator==) then stays far from the end of any thread's stack.
inline constexpr int kMaxJsonDepth = 256;

// The one way into a Document from text: iterative (no recursion however the input nests) and depth-capped, so
// it is safe on anything from the network. Errors are InvalidArgument with the offset.
Result<rapidjson::Document> ParseJson(std::string_view text);
std::string ToJson(const rapidjson::Value& value);
std::string ToPrettyJson(const rapidjson::Value& value);
// A copy that owns every string. CopyFrom would lend the copy the strings of a Document parsed in place (the
// packed caches decode so), and the copy would then read freed memory once the original is gone. A value nested
// deeper than kMaxJsonDepth copies as null.
rapidjson::Document CopyJson(const rapidjson::Value& value);

// Null when any step of `path` is missing or is not an object.
const rapidjson::Value* FindPath(const rapidjson::Value& root, JsonPath path);
std::string GetString(const rapidjson::Value& root, JsonPath path, std::string_view fallback = "");
int64_t GetInt(const rapidjson::Value& root, JsonPath path, int64_t fallback = 0);
bool GetBool(const rapidjson::Value& root, JsonPath path, bool fallback = false);

// Creates the objects along `path` as needed and sets the last member, replacing what was there.
void SetPath(rapidjson::Document& doc, JsonPath path, rapidjson::Value value);
void SetString(rapidjson::Document& doc, JsonPath path, std::string_view value);
// Removes the last member of `path` if present.
void RemovePath(rapidjson::Value& root, JsonPath path);

inline rapidjson::Value JsonString(std::string_view s, rapidjson::Document::AllocatorType& a) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

// Shorthands for the fields every Kubernetes object has.
inline std::string NameOf(const rapidjson::Value& o) { return GetString(o, {"metadata", "name"}); }
inline std::string NamespaceOf(const rapidjson::Value& o) { return GetString(o, {"metadata", "namespace"}); }
inline std::string UidOf(const rapidjson::Value& o) { return GetString(o, {"metadata", "uid"}); }
inline std::string ResourceVersionOf(const rapidjson::Value& o) {
  return GetString(o, {"metadata", "resourceVersion"});
}
// "namespace/name", or "name" for cluster-scoped objects: the key of caches and work queues.
std::string ObjectKey(const rapidjson::Value& object);

}  // namespace spark_operator
