// Which SparkApplication a driver pod belongs to, decided by the app's UID rather than its name (a deleted and
// re-created app has the same name), and the pod template that makes the app the owner of its driver from the
// moment the pod is created.
#pragma once

#include <string>
#include <vector>

#include "common/base/json.h"
#include "common/kube/client.h"
#include "common/kube/pod.h"
#include "controller/submit/submission.h"
#include "controller/submit/submitter.h"

namespace spark_operator::controller {

enum class PodOwner {
  kThisApp,   // The app-uid label or a SparkApplication owner reference names the app's UID.
  kOtherApp,  // They name another UID: a leftover of a deleted app of the same name.
  kUnknown,   // Neither is there: not made by this controller for a SparkApplication.
};

PodOwner DriverOwner(const kube::Pod& pod, const std::string& app_uid);

// The pod template (JSON, which spark-submit reads as YAML) for the app's driver: the app as its controlling
// owner. spark-submit keeps metadata.ownerReferences of a template (the integration tests check it with the real
// spark-submit), so the driver never exists without an owner, even if the controller dies right after
// submitting. It also sets spec.enableServiceLinks: false, which spark-submit keeps as well.
std::string DriverPodTemplate(const rapidjson::Value& app);

// The pod template files of attempt `attempt` of `app` (`app_object` as stored) in `dir`: the driver's always
// (DriverPodTemplate under the spec's pod fields), the executor's when its pod fields need one. Their paths,
// Spark container names and the spec's split mounts, which BuildSubmitArgs needs as well, go into `submission`.
// No files when `dir` is empty. InvalidArgument from SplitMounts and PodTemplate.
Result<std::vector<Submitter::File>> PodTemplateFiles(const rapidjson::Value& app_object,
                                                      const api::SparkApplication& app, const std::string& dir,
                                                      int attempt, SubmissionContext& submission);

// Makes `app` an owner of `pod` unless it is one: deleting the app then deletes the driver, and with it the
// executors Spark made the driver own (a driver the user submitted, or one made before the controller's template).
Status EnsureOwnedByApp(kube::Client& client, const kube::Pod& pod, const rapidjson::Value& app);

// For spec.submissionByUser: the newest driver pod (label spark-role=driver) among `pods`, the pods labelled
// with the app's name, that was created no earlier than the app and is not owned by another app; null if none.
const kube::Pod* FindUserSubmittedDriver(const std::vector<kube::Pod>& pods, const rapidjson::Value& app);

}  // namespace spark_operator::controller
