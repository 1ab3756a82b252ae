#include "controller/driver_pod.h"

#include <memory>

#include "common/kube/time_format.h"
#include "controller/labels.h"
#include "controller/pod_template.h"
#include "controller/ui_service.h"

namespace spark_operator::controller {

PodOwner DriverOwner(const kube::Pod& pod, const std::string& app_uid) {
  bool other = false;
  const std::string label = pod.meta.Label(kAppUidLabel);
  if (!label.empty()) {
    if (label == app_uid) return PodOwner::kThisApp;
    other = true;
  }
  for (const kube::OwnerReference& o : pod.meta.owner_references) {
    if (o.kind != "SparkApplication") continue;
    if (o.uid == app_uid) return PodOwner::kThisApp;
    other = true;
  }
  return other ? PodOwner::kOtherApp : PodOwner::kUnknown;
}

std::string DriverPodTemplate(const rapidjson::Value& app) {
  rapidjson::Document pod(rapidjson::kObjectType);
  auto& a = pod.GetAllocator();
  SetString(pod, {"apiVersion"}, "v1");
  SetString(pod, {"kind"}, "Pod");
  rapidjson::Value owners(rapidjson::kArrayType);
  owners.PushBack(OwnerReference(app, a), a);
  SetPath(pod, {"metadata", "ownerReferences"}, std::move(owners));
  // spark-submit keeps the template's spec and merges its container into it. Without service links a driver
  // started in a namespace with thousands of Services does not get thousands of environment variables (and
  // fail with "argument list too long"); Spark finds its own Services by DNS name.
  SetPath(pod, {"spec", "enableServiceLinks"}, rapidjson::Value(false));
  return ToJson(pod);
}

Result<std::vector<Submitter::File>> PodTemplateFiles(const rapidjson::Value& app_object,
                                                      const api::SparkApplication& app, const std::string& dir,
                                                      int attempt, SubmissionContext& submission) {
  ASSIGN_OR_RETURN(SpecMounts split, SplitMounts(app.spec));
  const auto mounts = std::make_shared<const SpecMounts>(std::move(split));
  submission.mounts = mounts;
  std::vector<Submitter::File> files;
  if (dir.empty()) return files;
  const std::string prefix = dir + "/" + UidOf(app_object) + "-" + std::to_string(attempt);
  ASSIGN_OR_RETURN(const rapidjson::Document base, ParseJson(DriverPodTemplate(app_object)));
  ASSIGN_OR_RETURN(std::string driver, PodTemplate(app.spec, PodRole::kDriver, *mounts, &base));
  submission.driver_pod_template = prefix + "-driver-template.json";
  submission.driver_container = TemplateSparkContainer(driver);
  files.push_back({submission.driver_pod_template, std::move(driver)});
  ASSIGN_OR_RETURN(std::string executor, PodTemplate(app.spec, PodRole::kExecutor, *mounts, nullptr));
  if (!executor.empty()) {
    submission.executor_pod_template = prefix + "-executor-template.json";
    submission.executor_container = TemplateSparkContainer(executor);
    files.push_back({submission.executor_pod_template, std::move(executor)});
  }
  return files;
}

Status EnsureOwnedByApp(kube::Client& client, const kube::Pod& pod, const rapidjson::Value& app) {
  const std::string uid = UidOf(app);
  for (const kube::OwnerReference& o : pod.meta.owner_references) {
    if (o.uid == uid) return OkStatus();
  }
  rapidjson::Document patch(rapidjson::kObjectType);
  rapidjson::Value owners(rapidjson::kArrayType);
  owners.PushBack(OwnerReference(app, patch.GetAllocator()), patch.GetAllocator());
  SetPath(patch, {"metadata", "ownerReferences"}, std::move(owners));
  return client
      .Patch(kube::resources::kPods, pod.meta.namespace_, pod.meta.name, kube::PatchType::kStrategicMerge,
             ToJson(patch))
      .status();
}

const kube::Pod* FindUserSubmittedDriver(const std::vector<kube::Pod>& pods, const rapidjson::Value& app) {
  const std::string uid = UidOf(app);
  const Result<kube::WallTime> app_created = kube::ParseTime(GetString(app, {"metadata", "creationTimestamp"}));
  const kube::Pod* newest = nullptr;
  kube::WallTime newest_created{};
  for (const kube::Pod& pod : pods) {
    if (pod.meta.Label(kSparkRoleLabel) != "driver") continue;
    if (pod.meta.Deleting()) continue;
    if (DriverOwner(pod, uid) == PodOwner::kOtherApp) continue;
    const Result<kube::WallTime> created = kube::ParseTime(pod.meta.creation_timestamp);
    if (!created.ok()) continue;
    // A driver older than the app was submitted for an earlier app of the same name.
    if (app_created.ok() && *created < *app_created) continue;
    if (newest == nullptr || *created > newest_created) {
      newest = &pod;
      newest_created = *created;
    }
  }
  return newest;
}

}  // namespace spark_operator::controller
