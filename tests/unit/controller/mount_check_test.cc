#include "controller/mount_check.h"

#include <catch2/catch.hpp>

#include "common/base/json.h"
#include "common/kube/pod.h"
#include "tests/support/spark_app.h"

namespace spark_operator::controller {
namespace {

std::string AppYaml() {
  return testing::PiYaml(R"(
  sparkConfigMap: spark-conf
  driver:
    configMaps: [{name: extra, path: /etc/extra/}]
    secrets: [{name: gcp-key, path: /mnt/gcp, secretType: GCPServiceAccount}, {name: plain, path: /mnt/plain}]
)");
}

kube::Pod Pod(const std::string& mounts) {
  Result<rapidjson::Document> pod = ParseJson(R"({"spec":{"containers":[{"name":"sidecar","volumeMounts":[
      {"name":"x","mountPath":"/etc/spark/conf"}]},{"name":"spark-kubernetes-driver","volumeMounts":[)" +
                                              mounts + "]}]}}");
  REQUIRE(pod.ok());
  return kube::ParsePod(*pod);
}

TEST_CASE("a driver pod the initializer did not mutate lacks every mount the app asked it for") {
  const std::vector<std::string> missing = MissingInitializerMounts(testing::LoadApp(AppYaml()), Pod(""));
  CHECK(missing == std::vector<std::string>{"sparkConfigMap spark-conf at /etc/spark/conf",
                                            "configMap extra at /etc/extra/",
                                            "GCPServiceAccount secret gcp-key at /mnt/gcp"});
}

TEST_CASE("a mutated driver pod lacks nothing - Generic secrets are Spark's to mount, not the initializer's") {
  const std::string all = R"({"name":"a","mountPath":"/etc/spark/conf"},{"name":"b","mountPath":"/etc/extra"},
                             {"name":"c","mountPath":"/mnt/gcp/"})";
  CHECK(MissingInitializerMounts(testing::LoadApp(AppYaml()), Pod(all)).empty());
  CHECK(MissingInitializerMounts(testing::LoadApp(AppYaml()), Pod(R"({"name":"a","mountPath":"/etc/spark/conf"})")) ==
        std::vector<std::string>{"configMap extra at /etc/extra/", "GCPServiceAccount secret gcp-key at /mnt/gcp"});
}

}  // namespace
}  // namespace spark_operator::controller
