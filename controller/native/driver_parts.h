// The native driver builder's parts shared by driver_builder.cc (the pod and spark.properties) and
// driver_resources.cc (the Service, NetworkPolicy and conf map): private to controller/native/.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <string>

#include "common/base/json.h"
#include "controller/native/driver_builder.h"

namespace spark_operator::controller::native::internal {

using Allocator = rapidjson::Document::AllocatorType;

inline constexpr char kPropertiesFile[] = "spark.properties";
inline constexpr int kConnectPort = 15002;
// Spark's PodTemplateConfigMapStep: the executor pod template reaches the driver in a ConfigMap of its own.
inline constexpr char kPodTemplateVolume[] = "pod-template-volume";
inline constexpr char kPodTemplateKey[] = "podspec-configmap-key";
inline constexpr char kPodTemplateMountPath[] = "/opt/spark/pod-template";
inline constexpr char kPodTemplateFileName[] = "pod-spec-template.yml";
// spark.kubernetes.configMap.maxSize's default: spark-submit refuses a bigger template.
inline constexpr size_t kConfigMapMaxSize = 1048576;

// The settings every object is built from, resolved once.
struct Resolved {
  std::string ns;
  std::string pod_name;
  std::string image;
  std::map<std::string, std::string> labels;  // The driver's labels; also the Service's selector.
  int driver_port = 0;
  int block_manager_port = 0;          // The container's port.
  int service_block_manager_port = 0;  // The Service's and spark.driver.blockManager.port.
  int ui_port = 0;
  std::string service_name;
  std::string resource_prefix;
  std::string conf_map_name;
  std::string executor_template_map;  // The executor template's ConfigMap; empty: no executor template.
  std::string local_dir;
  std::string default_overhead_factor;
  int64_t memory_mib = 0;
  std::string cpu_request;
};

inline rapidjson::Value Str(const std::string& s, Allocator& a) { return JsonString(s, a); }

inline rapidjson::Value Object(const std::map<std::string, std::string>& entries, Allocator& a) {
  rapidjson::Value out(rapidjson::kObjectType);
  for (const auto& [k, v] : entries) out.AddMember(Str(k, a), Str(v, a), a);
  return out;
}

rapidjson::Document BuildService(const SparkConf& conf, const Resolved& r, const DriverIdentity& id);
rapidjson::Document BuildNetworkPolicy(const Resolved& r, const DriverIdentity& id);
rapidjson::Document BuildConfigMap(const std::string& properties, const Resolved& r);
rapidjson::Document BuildExecutorTemplateMap(const std::string& executor_template, const Resolved& r);

}  // namespace spark_operator::controller::native::internal
