#include "controller/cache_transform.h"

#include <initializer_list>
#include <string_view>

#include "common/base/json.h"
#include "controller/labels.h"
#include "controller/logs/log_plan.h"

namespace spark_operator::controller {
namespace {

constexpr char kLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";

// The cache's objects are trimmed in place before they are frozen; json.h finds paths for reading only.
rapidjson::Value* Find(rapidjson::Value& root, JsonPath path) {
  return const_cast<rapidjson::Value*>(FindPath(root, path));
}

// Removes every member of `object` not named in `keep`; nothing when it is not an object.
void KeepOnly(rapidjson::Value* object, std::initializer_list<std::string_view> keep) {
  if (object == nullptr || !object->IsObject()) return;
  for (auto member = object->MemberBegin(); member != object->MemberEnd();) {
    const std::string_view name(member->name.GetString(), member->name.GetStringLength());
    bool kept = false;
    for (const std::string_view k : keep) kept |= k == name;
    member = kept ? member + 1 : object->EraseMember(member);
  }
}

// KeepOnly on each element of an array.
void KeepOnlyEach(rapidjson::Value* array, std::initializer_list<std::string_view> keep) {
  if (array == nullptr || !array->IsArray()) return;
  for (rapidjson::Value& element : array->GetArray()) KeepOnly(&element, keep);
}

void TrimMetadata(rapidjson::Document& object) {
  rapidjson::Value* metadata = Find(object, {"metadata"});
  if (metadata == nullptr || !metadata->IsObject()) return;
  metadata->RemoveMember("managedFields");
  if (rapidjson::Value* annotations = Find(*metadata, {"annotations"}); annotations && annotations->IsObject()) {
    annotations->RemoveMember(kLastApplied);
  }
}

}  // namespace

void TrimPodForCache(rapidjson::Document& pod) {
  KeepOnly(&pod, {"apiVersion", "kind", "metadata", "spec", "status"});
  rapidjson::Value* metadata = Find(pod, {"metadata"});
  KeepOnly(metadata, {"name", "namespace", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "labels",
                      "annotations", "ownerReferences", "finalizers"});
  // Read before the labels are trimmed: the role decides whether the mounts are kept.
  const bool executor = GetString(pod, {"metadata", "labels", kSparkRoleLabel}) == "executor";
  if (metadata != nullptr && metadata->IsObject()) {
    KeepOnly(Find(*metadata, {"labels"}),
             {kSparkRoleLabel, kSparkAppSelectorLabel, kAppNameLabel, kAttemptLabel, kAppUidLabel});
    KeepOnly(Find(*metadata, {"annotations"}), {kAppNameAnnotation, logs::kLogsAnnotation});
  }
  rapidjson::Value* spec = Find(pod, {"spec"});
  KeepOnly(spec, {"nodeName", "containers"});
  if (spec != nullptr && spec->IsObject()) {
    rapidjson::Value* containers = Find(*spec, {"containers"});
    if (executor) {
      KeepOnlyEach(containers, {"name"});
    } else {
      KeepOnlyEach(containers, {"name", "volumeMounts"});
      if (containers != nullptr && containers->IsArray()) {
        for (rapidjson::Value& container : containers->GetArray()) {
          KeepOnlyEach(Find(container, {"volumeMounts"}), {"mountPath"});
        }
      }
    }
  }
  KeepOnly(Find(pod, {"status"}), {"phase", "reason", "message", "containerStatuses"});
  KeepOnlyEach(Find(pod, {"status", "containerStatuses"}), {"name", "state"});
}

void TrimAppForCache(rapidjson::Document& app) { TrimMetadata(app); }

std::string PodAppName(const rapidjson::Value& pod) {
  std::string app = GetString(pod, {"metadata", "annotations", kAppNameAnnotation});
  if (app.empty()) app = GetString(pod, {"metadata", "labels", kAppNameLabel});
  return app;
}

std::vector<std::string> AppPodsIndexValues(const rapidjson::Value& pod) {
  const std::string app = PodAppName(pod);
  if (app.empty()) return {};
  return {NamespaceOf(pod) + "/" + app};
}

}  // namespace spark_operator::controller
