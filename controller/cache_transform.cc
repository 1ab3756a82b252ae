#include "controller/cache_transform.h"

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/json.h"
#include "controller/finalizers.h"
#include "controller/labels.h"
#include "controller/logs/log_plan.h"

namespace spark_operator::controller {
namespace {

constexpr char kLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";

// The cache's objects are trimmed in place before they are frozen; json.h finds paths for reading only.
rapidjson::Value* Find(rapidjson::Value& root, JsonPath path) {
  return const_cast<rapidjson::Value*>(FindPath(root, path));
}

// Removes every member of `object` not named in `keep`; nothing when it is not an object. A kept member's name
// then points at `keep`'s string (a literal or a constant of labels.h: static storage) instead of a copy:
// kube::CompactCopy copies no constant string, so each cached object holds no copy of the names it keeps.
void KeepOnly(rapidjson::Value* object, std::initializer_list<std::string_view> keep) {
  if (object == nullptr || !object->IsObject()) return;
  for (auto member = object->MemberBegin(); member != object->MemberEnd();) {
    const std::string_view name(member->name.GetString(), member->name.GetStringLength());
    const std::string_view* kept = nullptr;
    for (const std::string_view& k : keep) {
      if (k == name) kept = &k;
    }
    if (kept == nullptr) {
      member = object->EraseMember(member);
      continue;
    }
    member->name.SetString(rapidjson::StringRef(kept->data(), static_cast<rapidjson::SizeType>(kept->size())));
    ++member;
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

// The member names of a SparkApplication (api/fields.h, metadata) too long for RapidJSON to hold inline (over 13
// characters), sorted: a cached app's member of one of these names points at it instead of holding a copy.
constexpr std::string_view kAppLongNames[] = {"applicationState",
                                              "creationTimestamp",
                                              "deleteOnTermination",
                                              "deletionTimestamp",
                                              "dynamicAllocation",
                                              "excludePackages",
                                              "executionAttempts",
                                              "exposeDriverMetrics",
                                              "exposeExecutorMetrics",
                                              "hadoopConfigMap",
                                              "imagePullPolicy",
                                              "imagePullSecrets",
                                              "ingressAnnotations",
                                              "ingressClassName",
                                              "ingressURLFormat",
                                              "initContainers",
                                              "initialExecutors",
                                              "lastSubmissionAttemptTime",
                                              "mainApplicationFile",
                                              "memoryOverhead",
                                              "memoryOverheadFactor",
                                              "metricsProperties",
                                              "metricsPropertiesFile",
                                              "observedGeneration",
                                              "onFailureRetries",
                                              "onFailureRetryInterval",
                                              "onSubmissionFailureRetries",
                                              "onSubmissionFailureRetryInterval",
                                              "ownerReferences",
                                              "podSecurityContext",
                                              "priorityClassName",
                                              "resourceVersion",
                                              "securityContext",
                                              "serviceAccount",
                                              "serviceAnnotations",
                                              "servicePortName",
                                              "shareProcessNamespace",
                                              "shuffleTrackingEnabled",
                                              "shuffleTrackingTimeout",
                                              "sparkConfigMap",
                                              "sparkUIOptions",
                                              "submissionAttempts",
                                              "submissionByUser",
                                              "submissionNumber",
                                              "submissionTime",
                                              "terminationGracePeriodSeconds",
                                              "terminationTime",
                                              "timeToLiveSeconds",
                                              "webUIIngressAddress",
                                              "webUIIngressName",
                                              "webUIServiceName"};
constexpr char kAppApiVersion[] = "spark-operator.k8s.io/v1alpha1";
constexpr char kAppKind[] = "SparkApplication";

rapidjson::Value::StringRefType Ref(std::string_view s) {
  return rapidjson::StringRef(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// Every member of `root`, at any depth, named in kAppLongNames gets the constant as its name; without recursion
// (user content such as a podTemplate nests as deep as the reader allows).
void InternAppNames(rapidjson::Value& root) {
  std::vector<rapidjson::Value*> pending{&root};
  while (!pending.empty()) {
    rapidjson::Value* value = pending.back();
    pending.pop_back();
    if (value->IsArray()) {
      for (rapidjson::Value& element : value->GetArray()) pending.push_back(&element);
      continue;
    }
    if (!value->IsObject()) continue;
    for (auto member = value->MemberBegin(); member != value->MemberEnd(); ++member) {
      const std::string_view name(member->name.GetString(), member->name.GetStringLength());
      const auto known = std::lower_bound(std::begin(kAppLongNames), std::end(kAppLongNames), name);
      if (known != std::end(kAppLongNames) && *known == name) member->name.SetString(Ref(*known));
      pending.push_back(&member->value);
    }
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

void TrimAppForCache(rapidjson::Document& app) {
  TrimMetadata(app);
  InternAppNames(app);
  if (!app.IsObject()) return;
  for (const auto& [field, constant] : {std::pair<const char*, std::string_view>{"apiVersion", kAppApiVersion},
                                        std::pair<const char*, std::string_view>{"kind", kAppKind}}) {
    const auto member = app.FindMember(field);
    if (member != app.MemberEnd() && member->value.IsString() &&
        std::string_view(member->value.GetString(), member->value.GetStringLength()) == constant) {
      member->value.SetString(Ref(constant));
    }
  }
}

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
