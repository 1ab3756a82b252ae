// Pods, Services and Nodes parsed into the values the operator reads (common/kube/pod.h, service.h).
#include <catch2/catch.hpp>

#include "common/base/json.h"
#include "common/kube/object_meta.h"
#include "common/kube/pod.h"
#include "common/kube/service.h"

namespace spark_operator::kube {
namespace {

rapidjson::Document Json(const std::string& text) {
  Result<rapidjson::Document> doc = ParseJson(text);
  REQUIRE(doc.ok());
  return std::move(*doc);
}

TEST_CASE("object metadata is read whole, with labels, owners and finalizers") {
  const ObjectMeta meta = ParseObjectMeta(Json(R"({"metadata":{"name":"a-1-driver","namespace":"spark",
    "uid":"u1","resourceVersion":"42","creationTimestamp":"2026-12-02T10:00:00Z",
    "deletionTimestamp":"2026-12-02T11:00:00Z","labels":{"spark-role":"driver","n":1},
    "annotations":{"k":"v"},"ownerReferences":[{"kind":"SparkApplication","name":"a","uid":"app-uid"}],
    "finalizers":["x/y",3,"spark-operator.k8s.io/logs"]}})"));
  CHECK(meta.name == "a-1-driver");
  CHECK(meta.namespace_ == "spark");
  CHECK(meta.uid == "u1");
  CHECK(meta.resource_version == "42");
  CHECK(meta.creation_timestamp == "2026-12-02T10:00:00Z");
  CHECK(meta.Deleting());
  CHECK(meta.Label("spark-role") == "driver");
  CHECK(meta.Label("n").empty());  // Not a string: read as missing, like a read by path.
  CHECK(meta.Label("absent").empty());
  CHECK(meta.Annotation("k") == "v");
  REQUIRE(meta.owner_references.size() == 1);
  CHECK(meta.owner_references[0].kind == "SparkApplication");
  CHECK(meta.owner_references[0].name == "a");
  CHECK(meta.owner_references[0].uid == "app-uid");
  CHECK(meta.finalizers == std::vector<std::string>{"x/y", "spark-operator.k8s.io/logs"});
  CHECK(meta.HasFinalizer("spark-operator.k8s.io/logs"));
  CHECK_FALSE(meta.HasFinalizer("3"));
}

TEST_CASE("an object without metadata has empty metadata") {
  for (const char* text : {"{}", R"({"metadata":[]})", "[]", R"({"metadata":{"labels":"x","finalizers":{}}})"}) {
    INFO(text);
    const ObjectMeta meta = ParseObjectMeta(Json(text));
    CHECK(meta.name.empty());
    CHECK(meta.namespace_.empty());
    CHECK(meta.labels.empty());
    CHECK(meta.finalizers.empty());
    CHECK_FALSE(meta.Deleting());
  }
}

TEST_CASE("a pod's spec and status are read into values") {
  const Pod pod = ParsePod(Json(R"({"metadata":{"name":"p","namespace":"ns"},
    "spec":{"nodeName":"node-0","containers":[
        {"name":"sidecar"},
        {"name":"spark-kubernetes-driver","volumeMounts":[{"name":"conf","mountPath":"/etc/spark/conf"}],
         "env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"fieldRef":{}}}]}],
      "volumes":[{"name":"conf","configMap":{"name":"spark-conf"}},{"name":"s","secret":{"secretName":"sec"}},
                 {"name":"e","emptyDir":{}}]},
    "status":{"phase":"Failed","reason":"Evicted","message":"low memory","containerStatuses":[
        {"name":"sidecar","state":{"running":{}}},
        {"name":"spark-kubernetes-driver","state":{"terminated":{"exitCode":137,"reason":"OOMKilled",
         "message":"killed","finishedAt":"2026-12-02T10:05:00Z"}}}]}})"));
  CHECK(pod.meta.name == "p");
  CHECK(pod.meta.namespace_ == "ns");
  CHECK(pod.node_name == "node-0");
  CHECK(ContainerNames(pod) == std::vector<std::string>{"sidecar", "spark-kubernetes-driver"});
  CHECK_FALSE(pod.containers[0].volume_mounts.has_value());
  CHECK_FALSE(pod.containers[0].env.has_value());
  const Container& spark = pod.containers[1];
  REQUIRE(spark.volume_mounts.has_value());
  REQUIRE(spark.volume_mounts->size() == 1);
  CHECK((*spark.volume_mounts)[0].name == "conf");
  CHECK((*spark.volume_mounts)[0].mount_path == "/etc/spark/conf");
  REQUIRE(spark.env.has_value());
  REQUIRE(spark.env->size() == 2);
  CHECK((*spark.env)[0].value == "1");
  CHECK_FALSE((*spark.env)[0].value_from);
  CHECK((*spark.env)[1].value_from);
  REQUIRE(pod.volumes.has_value());
  REQUIRE(pod.volumes->size() == 3);
  CHECK((*pod.volumes)[0].config_map == "spark-conf");
  CHECK_FALSE((*pod.volumes)[0].secret.has_value());
  CHECK((*pod.volumes)[1].secret == "sec");
  CHECK_FALSE((*pod.volumes)[2].config_map.has_value());
  CHECK(pod.phase == "Failed");
  CHECK(pod.reason == "Evicted");
  CHECK(pod.message == "low memory");
  REQUIRE(pod.container_statuses.size() == 2);
  CHECK_FALSE(pod.container_statuses[0].terminated.has_value());
  const auto& terminated = pod.container_statuses[1].terminated;
  REQUIRE(terminated.has_value());
  CHECK(terminated->exit_code == 137);
  CHECK(terminated->reason == "OOMKilled");
  CHECK(terminated->message == "killed");
  CHECK(terminated->finished_at == "2026-12-02T10:05:00Z");
}

TEST_CASE("odd pods keep their array indices and read missing fields as empty") {
  const Pod pod = ParsePod(Json(R"({"spec":{"containers":[7,{"name":"spark","env":{}}],"volumes":"x"},
    "status":{"containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":"1"}}}]}})"));
  REQUIRE(pod.containers.size() == 2);
  CHECK(pod.containers[0].name.empty());
  CHECK(pod.containers[1].name == "spark");
  CHECK_FALSE(pod.containers[1].env.has_value());
  CHECK_FALSE(pod.volumes.has_value());
  CHECK(pod.phase.empty());
  REQUIRE(pod.container_statuses.size() == 1);
  REQUIRE(pod.container_statuses[0].terminated.has_value());
  CHECK_FALSE(pod.container_statuses[0].terminated->exit_code.has_value());
  CHECK(ParsePod(Json("{}")).containers.empty());
}

TEST_CASE("a service's type, selector and ports and a node's addresses are read into values") {
  const Service service = ParseService(Json(R"({"metadata":{"name":"a-ui-svc","uid":"s1"},
    "spec":{"type":"NodePort","selector":{"spark-role":"driver"},
      "ports":[{"name":"ui","port":4040,"targetPort":4041,"nodePort":30001},{"targetPort":"http"}]}})"));
  CHECK(service.meta.uid == "s1");
  CHECK(service.type == "NodePort");
  CHECK(service.selector.at("spark-role") == "driver");
  REQUIRE(service.ports.size() == 2);
  CHECK(service.ports[0].name == "ui");
  CHECK(service.ports[0].port == 4040);
  CHECK(service.ports[0].target_port == 4041);
  CHECK(service.ports[0].node_port == 30001);
  CHECK(service.ports[1].target_port == 0);
  const Node node = ParseNode(Json(R"({"metadata":{"name":"n"},"status":{"addresses":[
    {"type":"Hostname","address":"n"},{"type":"InternalIP","address":"10.0.0.1"}]}})"));
  CHECK(node.meta.name == "n");
  REQUIRE(node.addresses.size() == 2);
  CHECK(node.addresses[1].type == "InternalIP");
  CHECK(node.addresses[1].address == "10.0.0.1");
}

}  // namespace
}  // namespace spark_operator::kube
