#include "controller/native/driver_parts.h"

namespace spark_operator::controller::native::internal {

rapidjson::Document BuildService(const SparkConf& conf, const Resolved& r, const DriverIdentity& id) {
  rapidjson::Document svc(rapidjson::kObjectType);
  auto& a = svc.GetAllocator();
  svc.AddMember("apiVersion", "v1", a);
  svc.AddMember("kind", "Service", a);
  rapidjson::Value metadata(rapidjson::kObjectType);
  metadata.AddMember("name", Str(r.service_name, a), a);
  metadata.AddMember("namespace", Str(r.ns, a), a);
  metadata.AddMember("labels", Object({{"spark-app-selector", id.app_id}}, a), a);
  const auto annotations = ConfWithPrefix(conf, "spark.kubernetes.driver.service.annotation.");
  if (!annotations.empty()) metadata.AddMember("annotations", Object(annotations, a), a);
  svc.AddMember("metadata", metadata, a);

  rapidjson::Value spec(rapidjson::kObjectType);
  spec.AddMember("clusterIP", "None", a);
  spec.AddMember("ipFamilyPolicy", "SingleStack", a);
  rapidjson::Value families(rapidjson::kArrayType);
  families.PushBack("IPv4", a);
  spec.AddMember("ipFamilies", families, a);
  spec.AddMember("selector", Object(r.labels, a), a);
  rapidjson::Value ports(rapidjson::kArrayType);
  const std::pair<const char*, int> named[] = {
      {"driver-rpc-port", r.driver_port}, {"blockmanager", r.service_block_manager_port}, {"spark-ui", r.ui_port}};
  for (const auto& [name, number] : named) {
    rapidjson::Value port(rapidjson::kObjectType);
    port.AddMember("name", rapidjson::StringRef(name), a);
    port.AddMember("port", number, a);
    port.AddMember("targetPort", number, a);
    port.AddMember("protocol", "TCP", a);
    ports.PushBack(port, a);
  }
  rapidjson::Value connect(rapidjson::kObjectType);
  connect.AddMember("name", "spark-connect", a);
  connect.AddMember("port", kConnectPort, a);
  connect.AddMember("targetPort", kConnectPort, a);
  connect.AddMember("protocol", "TCP", a);
  connect.AddMember("appProtocol", "grpc", a);
  ports.PushBack(connect, a);
  spec.AddMember("ports", ports, a);
  svc.AddMember("spec", spec, a);
  return svc;
}

rapidjson::Document BuildNetworkPolicy(const Resolved& r, const DriverIdentity& id) {
  rapidjson::Document policy(rapidjson::kObjectType);
  auto& a = policy.GetAllocator();
  policy.AddMember("apiVersion", "networking.k8s.io/v1", a);
  policy.AddMember("kind", "NetworkPolicy", a);
  rapidjson::Value metadata(rapidjson::kObjectType);
  metadata.AddMember("name", Str(r.resource_prefix + "-policy", a), a);
  metadata.AddMember("namespace", Str(r.ns, a), a);
  metadata.AddMember("labels", Object({{"spark-app-selector", id.app_id}}, a), a);
  policy.AddMember("metadata", metadata, a);
  // Executors accept connections only from pods of their own application.
  rapidjson::Value selector(rapidjson::kObjectType);
  selector.AddMember("matchLabels", Object({{"spark-app-selector", id.app_id}, {"spark-role", "executor"}}, a), a);
  rapidjson::Value from_selector(rapidjson::kObjectType);
  from_selector.AddMember("matchLabels", Object({{"spark-app-selector", id.app_id}}, a), a);
  rapidjson::Value from(rapidjson::kObjectType);
  from.AddMember("podSelector", from_selector, a);
  rapidjson::Value froms(rapidjson::kArrayType);
  froms.PushBack(from, a);
  rapidjson::Value rule(rapidjson::kObjectType);
  rule.AddMember("from", froms, a);
  rapidjson::Value ingress(rapidjson::kArrayType);
  ingress.PushBack(rule, a);
  rapidjson::Value types(rapidjson::kArrayType);
  types.PushBack("Ingress", a);
  rapidjson::Value spec(rapidjson::kObjectType);
  spec.AddMember("podSelector", selector, a);
  spec.AddMember("ingress", ingress, a);
  spec.AddMember("policyTypes", types, a);
  policy.AddMember("spec", spec, a);
  return policy;
}

// Spark makes every ConfigMap of a submission immutable.
rapidjson::Document ImmutableConfigMap(const std::string& name, const std::string& ns,
                                       const std::map<std::string, std::string>& data) {
  rapidjson::Document cm(rapidjson::kObjectType);
  auto& a = cm.GetAllocator();
  cm.AddMember("apiVersion", "v1", a);
  cm.AddMember("kind", "ConfigMap", a);
  rapidjson::Value metadata(rapidjson::kObjectType);
  metadata.AddMember("name", Str(name, a), a);
  metadata.AddMember("namespace", Str(ns, a), a);
  cm.AddMember("metadata", metadata, a);
  cm.AddMember("immutable", true, a);
  cm.AddMember("data", Object(data, a), a);
  return cm;
}

rapidjson::Document BuildConfigMap(const std::string& properties, const Resolved& r) {
  // Spark 4.2 also stores the namespace as an entry of the conf map.
  return ImmutableConfigMap(r.conf_map_name, r.ns,
                            {{kPropertiesFile, properties}, {"spark.kubernetes.namespace", r.ns}});
}

rapidjson::Document BuildExecutorTemplateMap(const std::string& executor_template, const Resolved& r) {
  return ImmutableConfigMap(r.executor_template_map, r.ns, {{kPodTemplateKey, executor_template}});
}

}  // namespace spark_operator::controller::native::internal
