#include "controller/cache_transform.h"

#include <algorithm>
#include <initializer_list>
#include <string_view>
#include <vector>

#include "common/base/json.h"
#include "controller/finalizers.h"
#include "controller/labels.h"
#include "controller/logs/log_plan.h"

namespace spark_operator::controller {
namespace {

constexpr char kLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";

// The cache's objects are trimmed in place before they are packed; json.h finds paths for reading only.
rapidjson::Value* Find(rapidjson::Value& root, JsonPath path) {
  return const_cast<rapidjson::Value*>(FindPath(root, path));
}

// Removes every member of `object` not named in `keep`; nothing when it is not an object.
void KeepOnly(rapidjson::Value* object, std::initializer_list<std::string_view> keep) {
  if (object == nullptr || !object->IsObject()) return;
  for (auto member = object->MemberBegin(); member != object->MemberEnd();) {
    const std::string_view name(member->name.GetString(), member->name.GetStringLength());
    if (std::find(keep.begin(), keep.end(), name) == keep.end()) {
      member = object->EraseMember(member);
    } else {
      ++member;
    }
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
  // Read before the labels are trimmed: the role decides what is kept.
  const bool executor = GetString(pod, {"metadata", "labels", kSparkRoleLabel}) == "executor";
  // An executor's containers and their states are read only for its logs (logs::OwedAttempts), and only once it
  // is held for them (the finalizer) or was shipped (the annotation): on every later version the transform runs
  // again and keeps them.
  const bool executor_logs = executor && (HasFinalizer(pod, logs::kLogsFinalizer) ||
                                          FindPath(pod, {"metadata", "annotations", logs::kLogsAnnotation}) != nullptr);
  rapidjson::Value* metadata = Find(pod, {"metadata"});
  if (metadata != nullptr && metadata->IsObject()) {
    // The app's name is read from the annotation, the label only when it is missing (PodAppName).
    const bool name_annotated = !GetString(*metadata, {"annotations", kAppNameAnnotation}).empty();
    if (executor) {
      KeepOnly(metadata, {"name", "namespace", "uid", "resourceVersion", "deletionTimestamp", "labels", "annotations",
                          "finalizers"});
      if (name_annotated) {
        KeepOnly(Find(*metadata, {"labels"}), {kSparkRoleLabel, kAttemptLabel});
      } else {
        KeepOnly(Find(*metadata, {"labels"}), {kSparkRoleLabel, kAppNameLabel, kAttemptLabel});
      }
    } else {
      KeepOnly(metadata, {"name", "namespace", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                          "labels", "annotations", "ownerReferences", "finalizers"});
      if (name_annotated) {
        KeepOnly(Find(*metadata, {"labels"}), {kSparkRoleLabel, kSparkAppSelectorLabel, kAttemptLabel, kAppUidLabel});
      } else {
        KeepOnly(Find(*metadata, {"labels"}),
                 {kSparkRoleLabel, kSparkAppSelectorLabel, kAppNameLabel, kAttemptLabel, kAppUidLabel});
      }
      KeepOnlyEach(Find(*metadata, {"ownerReferences"}), {"kind", "name", "uid"});
    }
    KeepOnly(Find(*metadata, {"annotations"}), {kAppNameAnnotation, logs::kLogsAnnotation});
  }
  if (executor && !executor_logs) {
    KeepOnly(&pod, {"metadata", "status"});
    KeepOnly(Find(pod, {"status"}), {"phase"});
    return;
  }
  KeepOnly(&pod, {"metadata", "spec", "status"});
  rapidjson::Value* spec = Find(pod, {"spec"});
  if (executor) {
    KeepOnly(spec, {"containers"});
  } else {
    KeepOnly(spec, {"nodeName", "containers"});
  }
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
  if (executor) {
    KeepOnly(Find(pod, {"status"}), {"phase", "containerStatuses"});
  } else {
    KeepOnly(Find(pod, {"status"}), {"phase", "reason", "message", "containerStatuses"});
  }
  // Of a container's state only its end is read (kube::ParsePod): a running or waiting state is dropped.
  rapidjson::Value* statuses = Find(pod, {"status", "containerStatuses"});
  KeepOnlyEach(statuses, {"name", "state"});
  if (statuses != nullptr && statuses->IsArray()) {
    for (rapidjson::Value& status : statuses->GetArray()) {
      KeepOnly(Find(status, {"state"}), {"terminated"});
      if (executor) {
        KeepOnly(Find(status, {"state", "terminated"}), {"exitCode", "finishedAt"});
      } else {
        KeepOnly(Find(status, {"state", "terminated"}), {"exitCode", "reason", "message", "finishedAt"});
      }
    }
  }
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
