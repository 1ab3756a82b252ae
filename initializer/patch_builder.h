// The JSON Patch (RFC 6902) an admission response carries, built through RapidJSON.
#pragma once

#include <rapidjson/document.h>

#include <string>

namespace spark_operator::initializer {

// Collects patch operations; consecutive additions to an array that does not exist yet become one "add" of
// the whole array, since "/spec/volumes/-" fails when there is no "volumes".
class PatchBuilder {
 public:
  PatchBuilder() { doc_.SetArray(); }

  // Adds `item` to the array at `array_path` (which the object has when `array_exists`).
  void Append(const std::string& array_path, bool array_exists, rapidjson::Value item);
  void Replace(const std::string& path, rapidjson::Value value) { AddOp("replace", path, std::move(value)); }

  bool empty() const { return doc_.Empty(); }
  std::string ToString() const;
  rapidjson::Document::AllocatorType& allocator() { return doc_.GetAllocator(); }

 private:
  void AddOp(const char* kind, const std::string& path, rapidjson::Value value);

  rapidjson::Document doc_;
};

}  // namespace spark_operator::initializer
