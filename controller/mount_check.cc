#include "controller/mount_check.h"

#include <set>

#include "api/mounts.h"

namespace spark_operator::controller {
namespace {

std::string WithoutTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// The mount paths of the Spark container.
std::set<std::string> DriverMountPaths(const kube::Pod& pod) {
  std::set<std::string> paths;
  const int index = api::SparkContainerIndex(kube::ContainerNames(pod));
  if (index < 0) return paths;
  const kube::Container& spark = pod.containers[static_cast<size_t>(index)];
  if (spark.volume_mounts) {
    for (const kube::VolumeMount& m : *spark.volume_mounts) paths.insert(WithoutTrailingSlash(m.mount_path));
  }
  return paths;
}

}  // namespace

std::vector<std::string> MissingInitializerMounts(const api::SparkApplication& app, const kube::Pod& pod) {
  const std::set<std::string> present = DriverMountPaths(pod);
  std::vector<std::string> missing;
  for (const api::RequestedMount& mount : api::RequestedMounts(app.spec, app.spec.driver)) {
    if (present.count(WithoutTrailingSlash(mount.path)) > 0) continue;
    missing.push_back(std::string(api::MountKindName(mount.kind)) + " " + mount.object_name + " at " + mount.path);
  }
  return missing;
}

}  // namespace spark_operator::controller
