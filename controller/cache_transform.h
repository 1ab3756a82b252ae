// What the controller keeps of each object in its informer caches (kube::InformerOptions::transform). At 10,000
// applications there are about 60,000 Spark pods, and a pod as the API server sends it is mostly what the
// controller never reads: managedFields, volumes, environment, resources, tolerations, conditions.
//
// Kept of a pod, the fields the controller reads (controller/pod_state.cc, mount_check.cc, driver_pod.cc,
// reconciler*.cc, ui_service.cc, controller/logs/, the manager's index): metadata name, namespace, uid,
// resourceVersion, creationTimestamp, deletionTimestamp, ownerReferences and finalizers; of its labels only
// spark-role, spark-app-selector and the operator's app-name, submission-attempt and app-uid (controller/labels.h),
// and of its annotations only the app name and the logs mark (controller/logs/log_plan.h), as the app's own labels
// and annotations are copied onto every one of its pods; spec.nodeName and each container's name, with the
// volumeMounts' mountPath of a driver's containers only (mount_check.cc checks the driver); status phase, reason,
// message, and each container status's name and state. A new read of any other pod field, label or annotation
// must add it here, or it reads nothing.
//
// Of a SparkApplication everything is read (it is parsed, and written back for status updates) except
// metadata.managedFields and the last-applied annotation, which status updates do not need: the API server
// takes an object's metadata from the stored one on a write to /status.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace spark_operator::controller {

void TrimPodForCache(rapidjson::Document& pod);
void TrimAppForCache(rapidjson::Document& app);

// The pod cache's index of pods by "namespace/app name".
inline constexpr char kAppPodsIndex[] = "app";
// The name of the app a pod was launched for (the annotation, else the label); empty for none.
std::string PodAppName(const rapidjson::Value& pod);
// kAppPodsIndex's values for `pod`.
std::vector<std::string> AppPodsIndexValues(const rapidjson::Value& pod);

}  // namespace spark_operator::controller
