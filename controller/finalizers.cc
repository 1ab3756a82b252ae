#include "controller/finalizers.h"

#include "common/base/json.h"

namespace spark_operator::controller {
namespace {

constexpr int kTries = 5;

// Patches the finalizers to `meta`'s list with `finalizer` added or dropped; a no-op when already so.
Status PatchFinalizers(kube::Client& client, const kube::Resource& resource, const kube::ObjectMeta& meta,
                       std::string_view finalizer, bool present,
                       const std::map<std::string, std::string>& annotations) {
  rapidjson::Document patch(rapidjson::kObjectType);
  auto& a = patch.GetAllocator();
  rapidjson::Value list(rapidjson::kArrayType);
  bool found = false;
  for (const std::string& f : meta.finalizers) {
    if (f == finalizer) {
      found = true;
      if (!present) continue;
    }
    list.PushBack(JsonString(f, a), a);
  }
  if (found == present) return OkStatus();
  if (present) list.PushBack(JsonString(finalizer, a), a);
  SetString(patch, {"metadata", "resourceVersion"}, meta.resource_version);
  SetPath(patch, {"metadata", "finalizers"}, std::move(list));
  for (const auto& [key, value] : annotations) SetString(patch, {"metadata", "annotations", key}, value);
  return client.Patch(resource, meta.namespace_, meta.name, kube::PatchType::kMerge, ToJson(patch)).status();
}

Status SetFinalizer(kube::Client& client, const kube::Resource& resource, const kube::ObjectMeta& meta,
                    std::string_view finalizer, bool present,
                    const std::map<std::string, std::string>& annotations = {}) {
  Status status = PatchFinalizers(client, resource, meta, finalizer, present, annotations);
  for (int i = 1; i < kTries && IsConflict(status); ++i) {
    Result<rapidjson::Document> fresh = client.Get(resource, meta.namespace_, meta.name);
    if (!fresh.ok()) return fresh.status();
    const kube::ObjectMeta fresh_meta = kube::ParseObjectMeta(*fresh);
    // The same name now holds another object: its finalizers are not ours to change.
    if (fresh_meta.uid != meta.uid) return OkStatus();
    status = PatchFinalizers(client, resource, fresh_meta, finalizer, present, annotations);
  }
  return status;
}

}  // namespace

bool HasFinalizer(const rapidjson::Value& object, std::string_view finalizer) {
  const rapidjson::Value* list = FindPath(object, {"metadata", "finalizers"});
  if (list == nullptr || !list->IsArray()) return false;
  for (const rapidjson::Value& f : list->GetArray()) {
    if (f.IsString() && f.GetString() == finalizer) return true;
  }
  return false;
}

Status AddFinalizer(kube::Client& client, const kube::Resource& resource, const kube::ObjectMeta& meta,
                    std::string_view finalizer) {
  return SetFinalizer(client, resource, meta, finalizer, true);
}

Status RemoveFinalizer(kube::Client& client, const kube::Resource& resource, const kube::ObjectMeta& meta,
                       std::string_view finalizer, const std::map<std::string, std::string>& annotations) {
  const Status status = SetFinalizer(client, resource, meta, finalizer, false, annotations);
  return IsNotFound(status) ? OkStatus() : status;
}

Status AddFinalizer(kube::Client& client, const kube::Resource& resource, const rapidjson::Value& object,
                    std::string_view finalizer) {
  return AddFinalizer(client, resource, kube::ParseObjectMeta(object), finalizer);
}

Status RemoveFinalizer(kube::Client& client, const kube::Resource& resource, const rapidjson::Value& object,
                       std::string_view finalizer, const std::map<std::string, std::string>& annotations) {
  return RemoveFinalizer(client, resource, kube::ParseObjectMeta(object), finalizer, annotations);
}

}  // namespace spark_operator::controller
