#include "controller/mount_check.h"

#include <set>

#include "api/annotations.h"
#include "common/json.h"
#include "controller/labels.h"

namespace spark_operator::controller {
namespace {

std::string WithoutTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// The mount paths of the Spark container: the one named as Spark names it, else the first.
std::set<std::string> DriverMountPaths(const rapidjson::Value& pod) {
  std::set<std::string> paths;
  const rapidjson::Value* containers = FindPath(pod, {"spec", "containers"});
  if (containers == nullptr || !containers->IsArray() || containers->Empty()) return paths;
  const rapidjson::Value* spark = &(*containers)[0];
  for (const rapidjson::Value& c : containers->GetArray()) {
    if (GetString(c, {"name"}) == kDriverContainerName) spark = &c;
  }
  if (const rapidjson::Value* mounts = FindPath(*spark, {"volumeMounts"}); mounts && mounts->IsArray()) {
    for (const rapidjson::Value& m : mounts->GetArray()) paths.insert(WithoutTrailingSlash(GetString(m, {"mountPath"})));
  }
  return paths;
}

}  // namespace

std::vector<std::string> MissingInitializerMounts(const api::SparkApplication& app, const rapidjson::Value& pod) {
  const api::SparkApplicationSpec& spec = app.spec;
  std::vector<std::pair<std::string, std::string>> wanted;  // What, where.
  if (!spec.spark_config_map.empty()) {
    wanted.emplace_back("sparkConfigMap " + spec.spark_config_map, std::string(api::kSparkConfDir));
  }
  if (!spec.hadoop_config_map.empty()) {
    wanted.emplace_back("hadoopConfigMap " + spec.hadoop_config_map, std::string(api::kHadoopConfDir));
  }
  for (const api::ConfigMapMount& cm : spec.driver.config_maps) wanted.emplace_back("configMap " + cm.name, cm.path);
  for (const api::SecretMount& secret : spec.driver.secrets) {
    if (secret.secret_type == api::SecretType::kGCPServiceAccount) {
      wanted.emplace_back("GCPServiceAccount secret " + secret.name, secret.path);
    }
  }
  const std::set<std::string> present = DriverMountPaths(pod);
  std::vector<std::string> missing;
  for (const auto& [what, where] : wanted) {
    if (present.count(WithoutTrailingSlash(where)) == 0) missing.push_back(what + " at " + where);
  }
  return missing;
}

}  // namespace spark_operator::controller
