#include "controller/mount_check.h"

#include <set>

#include "api/mounts.h"
#include "common/base/json.h"
#include "controller/labels.h"

namespace spark_operator::controller {
namespace {

std::string WithoutTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// The mount paths of the Spark container.
std::set<std::string> DriverMountPaths(const rapidjson::Value& pod) {
  std::set<std::string> paths;
  const rapidjson::Value* containers = FindPath(pod, {"spec", "containers"});
  const int index = containers == nullptr ? -1 : api::SparkContainerIndex(*containers);
  if (index < 0) return paths;
  const rapidjson::Value& spark = (*containers)[static_cast<rapidjson::SizeType>(index)];
  if (const rapidjson::Value* mounts = FindPath(spark, {"volumeMounts"}); mounts && mounts->IsArray()) {
    for (const rapidjson::Value& m : mounts->GetArray())
      paths.insert(WithoutTrailingSlash(GetString(m, {"mountPath"})));
  }
  return paths;
}

}  // namespace

std::vector<std::string> MissingInitializerMounts(const api::SparkApplication& app, const rapidjson::Value& pod) {
  const std::set<std::string> present = DriverMountPaths(pod);
  std::vector<std::string> missing;
  for (const api::RequestedMount& mount : api::RequestedMounts(app.spec, app.spec.driver)) {
    if (present.count(WithoutTrailingSlash(mount.path)) > 0) continue;
    missing.push_back(std::string(api::MountKindName(mount.kind)) + " " + mount.object_name + " at " + mount.path);
  }
  return missing;
}

}  // namespace spark_operator::controller
