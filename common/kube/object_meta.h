// The metadata of a core object the operator reads (a Pod, a Service, a Node), parsed once into a value rather
// than looked up by path at each use. Only the fields the operator reads are kept; the object itself stays as
// it came (the informer caches store JSON).
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace spark_operator::kube {

using StringMap = std::map<std::string, std::string, std::less<>>;

struct OwnerReference {
  std::string kind;
  std::string name;
  std::string uid;
};

struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  std::string creation_timestamp;
  std::string deletion_timestamp;  // Empty unless the object is being deleted.
  StringMap labels;
  StringMap annotations;
  std::vector<OwnerReference> owner_references;
  std::vector<std::string> finalizers;

  // "" when absent.
  std::string Label(std::string_view key) const;
  std::string Annotation(std::string_view key) const;
  bool HasFinalizer(std::string_view finalizer) const;
  bool Deleting() const { return !deletion_timestamp.empty(); }
};

// `object`'s metadata. Lenient the way reads by path are: a field that is missing or of another type is empty (a
// label or annotation whose value is not a string reads as ""), and finalizers that are not strings are left out.
ObjectMeta ParseObjectMeta(const rapidjson::Value& object);

// The members of a JSON object of strings (labels, a selector) read the same way; empty when `map` is null or
// not an object.
StringMap ParseStringMap(const rapidjson::Value* map);

}  // namespace spark_operator::kube
