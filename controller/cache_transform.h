// What the controller keeps of each object in its informer caches (kube::InformerOptions::transform). At 10,000
// applications there are about 60,000 Spark pods, and a pod as the API server sends it is mostly what the
// controller never reads: managedFields, volumes, environment, resources, tolerations, conditions. The store
// holds what is kept as minified JSON text compressed against PodCacheDictionary (kube::PackedObject): a trimmed
// executor about 120 bytes, a driver 240 (build/bin/cache_memory).
//
// Kept of a pod, the fields the controller reads (controller/pod_state.cc, mount_check.cc, driver_pod.cc,
// reconciler*.cc, ui_service.cc, controller/logs/, the manager's index), by role:
// - a driver: metadata name, namespace, uid, resourceVersion, creationTimestamp, deletionTimestamp, finalizers,
//   ownerReferences' kind, name and uid; the labels spark-role, spark-app-selector, the operator's
//   submission-attempt and app-uid (controller/labels.h); spec.nodeName and each container's name with its
//   volumeMounts' mountPath (mount_check.cc); status phase, reason, message, and each container status's name
//   and terminated state (exitCode, reason, message, finishedAt);
// - an executor: metadata name, namespace, uid (the delete precondition when its app goes), resourceVersion (the
//   finalizer patches' precondition), deletionTimestamp, finalizers; the labels spark-role and
//   submission-attempt; status.phase. Its containers' names and their terminated states (exitCode, finishedAt)
//   only once it is held for its logs (the logs finalizer or annotation): nothing else reads them.
// Both keep the annotations app-name and the logs mark (controller/logs/log_plan.h), and the app-name label
// only when the annotation is missing (PodAppName reads the label only then). No apiVersion or kind: nothing
// reads them of a cached pod. A new read of any other pod field, label or annotation must add it here, or it
// reads nothing.
//
// Of a SparkApplication everything is read (it is parsed, and written back for status updates) except
// metadata.managedFields and the last-applied annotation, which status updates do not need: the API server
// takes an object's metadata from the stored one on a write to /status.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "common/kube/packed_object.h"

namespace spark_operator::controller {

void TrimPodForCache(rapidjson::Document& pod);
void TrimAppForCache(rapidjson::Document& app);

// What the pod and app caches pack their objects against (kube::InformerOptions::dictionary, cache_dictionary.cc):
// objects as the transforms above leave them, with made-up values.
std::shared_ptr<const kube::PackDictionary> PodCacheDictionary();
std::shared_ptr<const kube::PackDictionary> AppCacheDictionary();

// The pod cache's index of pods by "namespace/app name".
inline constexpr char kAppPodsIndex[] = "app";
// The name of the app a pod was launched for (the annotation, else the label); empty for none.
std::string PodAppName(const rapidjson::Value& pod);
// kAppPodsIndex's values for `pod`.
std::vector<std::string> AppPodsIndexValues(const rapidjson::Value& pod);

}  // namespace spark_operator::controller
