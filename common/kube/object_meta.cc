#include "common/kube/object_meta.h"

#include "common/base/json.h"

namespace spark_operator::kube {
namespace {

std::string Str(const rapidjson::Value& v) {
  return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : "";
}

std::string Lookup(const StringMap& map, std::string_view key) {
  const auto it = map.find(key);
  return it == map.end() ? "" : it->second;
}

}  // namespace

StringMap ParseStringMap(const rapidjson::Value* map) {
  StringMap out;
  if (map == nullptr || !map->IsObject()) return out;
  for (const auto& m : map->GetObject()) {
    // The first of duplicate keys wins and a value of another type reads as "", as a read by path finds them.
    out.emplace(Str(m.name), Str(m.value));
  }
  return out;
}

std::string ObjectMeta::Label(std::string_view key) const { return Lookup(labels, key); }

std::string ObjectMeta::Annotation(std::string_view key) const { return Lookup(annotations, key); }

bool ObjectMeta::HasFinalizer(std::string_view finalizer) const {
  for (const std::string& f : finalizers) {
    if (f == finalizer) return true;
  }
  return false;
}

ObjectMeta ParseObjectMeta(const rapidjson::Value& object) {
  ObjectMeta meta;
  const rapidjson::Value* metadata = FindPath(object, {"metadata"});
  if (metadata == nullptr || !metadata->IsObject()) return meta;
  meta.name = GetString(*metadata, {"name"});
  meta.generate_name = GetString(*metadata, {"generateName"});
  meta.namespace_ = GetString(*metadata, {"namespace"});
  meta.uid = GetString(*metadata, {"uid"});
  meta.resource_version = GetString(*metadata, {"resourceVersion"});
  meta.creation_timestamp = GetString(*metadata, {"creationTimestamp"});
  meta.deletion_timestamp = GetString(*metadata, {"deletionTimestamp"});
  meta.labels = ParseStringMap(FindPath(*metadata, {"labels"}));
  meta.annotations = ParseStringMap(FindPath(*metadata, {"annotations"}));
  if (const rapidjson::Value* owners = FindPath(*metadata, {"ownerReferences"}); owners && owners->IsArray()) {
    for (const rapidjson::Value& o : owners->GetArray()) {
      meta.owner_references.push_back({GetString(o, {"kind"}), GetString(o, {"name"}), GetString(o, {"uid"})});
    }
  }
  if (const rapidjson::Value* finalizers = FindPath(*metadata, {"finalizers"}); finalizers && finalizers->IsArray()) {
    for (const rapidjson::Value& f : finalizers->GetArray()) {
      if (f.IsString()) meta.finalizers.push_back(Str(f));
    }
  }
  return meta;
}

}  // namespace spark_operator::kube
