// The mount contract both ways: what the controller writes as annotations is exactly what the webhook reads
// back as mounts, and what the controller later expects to find on the driver.
#include "api/mounts.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "common/base/json.h"
#include "tests/support/spark_app.h"

namespace spark_operator::api {
namespace {

// Every kind of mount the spec can ask the initializer for, on the driver and on the executor, with paths
// that need normalising and names that need hashing.
std::string EveryMount() {
  return testing::PiYaml(R"(
  sparkConfigMap: spark-conf
  hadoopConfigMap: hadoop.conf
  driver:
    configMaps: [{name: extra, path: /etc/extra/}, {name: a.dotted.name, path: //srv//dotted}]
    secrets: [{name: gcp-key, path: /mnt/gcp, secretType: GCPServiceAccount}, {name: plain, path: /mnt/plain}]
  executor:
    configMaps: [{name: executor-only, path: /etc/executor}]
    secrets: [{name: gcp-exec, path: /mnt/gcp-exec/, secretType: GCPServiceAccount}]
)");
}

rapidjson::Document AsJson(const StringMap& annotations) {
  rapidjson::Document doc(rapidjson::kObjectType);
  for (const auto& [key, value] : annotations) {
    doc.AddMember(JsonString(key, doc.GetAllocator()), JsonString(value, doc.GetAllocator()), doc.GetAllocator());
  }
  return doc;
}

std::vector<Mount> SortedByAnnotation(std::vector<Mount> mounts) {
  std::sort(mounts.begin(), mounts.end(), [](const Mount& a, const Mount& b) { return a.annotation < b.annotation; });
  return mounts;
}

TEST_CASE("spec -> annotations -> mounts equals spec -> expected mounts, for every kind and both roles") {
  const SparkApplication app = testing::LoadApp(EveryMount());
  for (const PodSpec* pod : std::vector<const PodSpec*>{&app.spec.driver, &app.spec.executor}) {
    const StringMap annotations = MountAnnotations(app.spec, *pod);
    const ParsedMountAnnotations parsed = ParseMountAnnotations(AsJson(annotations));
    CHECK(parsed.problems.empty());
    CHECK(parsed.unknown.empty());
    CHECK(parsed.mounts == SortedByAnnotation(ExpectedMounts(app.spec, *pod)));
  }
}

TEST_CASE("the contract's mounts: volumes, normalised paths and the environment each kind sets") {
  const SparkApplication app = testing::LoadApp(EveryMount());
  const std::vector<Mount> mounts = SortedByAnnotation(ExpectedMounts(app.spec, app.spec.driver));
  REQUIRE(mounts.size() == 5);  // The Generic secret is Spark's to mount.
  CHECK(mounts[0].annotation == "spark-operator.k8s.io/GCPServiceAccount.gcp-key");
  CHECK(mounts[0].volume_name == "gcp-key-gcp-sa-vol");
  CHECK(mounts[0].env == MountEnv{"GOOGLE_APPLICATION_CREDENTIALS", "/mnt/gcp/key.json"});
  CHECK(mounts[1].annotation == "spark-operator.k8s.io/configMap.a.dotted.name");
  CHECK(mounts[1].mount_path == "/srv/dotted");
  CHECK(mounts[1].volume_name.find('.') == std::string::npos);
  CHECK(mounts[2].mount_path == "/etc/extra");
  CHECK(mounts[3].annotation == "spark-operator.k8s.io/hadoopConfigMap");
  CHECK(mounts[3].env == MountEnv{"HADOOP_CONF_DIR", "/etc/hadoop/conf"});
  CHECK(mounts[4].volume_name == "spark-configmap-volume");
  CHECK(mounts[4].env == MountEnv{"SPARK_CONF_DIR", "/etc/spark/conf"});
}

TEST_CASE("volume names are valid DNS labels, deterministic and distinct") {
  CHECK(VolumeNameFor("abc", "configmap-vol") == "abc-configmap-vol");
  const std::string dotted = VolumeNameFor("a.b", "configmap-vol");
  CHECK(dotted != VolumeNameFor("a-b", "configmap-vol"));
  CHECK(dotted.find('.') == std::string::npos);
  const std::string long_name(200, 'x');
  const std::string v = VolumeNameFor(long_name, "secret-vol");
  CHECK(v.size() <= 63);
  CHECK(v == VolumeNameFor(long_name, "secret-vol"));
  CHECK(v != VolumeNameFor(long_name + "y", "secret-vol"));
}

TEST_CASE("the Spark container is found by Spark's names, else the first") {
  const auto containers = [](const char* json) { return std::move(*ParseJson(json)); };
  CHECK(SparkContainerIndex(containers(R"([{"name":"sidecar"},{"name":"spark-kubernetes-driver"}])")) == 1);
  CHECK(SparkContainerIndex(containers(R"([{"name":"sidecar"},{"name":"spark-kubernetes-executor"}])")) == 1);
  CHECK(SparkContainerIndex(containers(R"([{"name":"renamed"}])")) == 0);
  CHECK(SparkContainerIndex(containers("[]")) == -1);
  CHECK(SparkContainerIndex(containers("{}")) == -1);
}

}  // namespace
}  // namespace spark_operator::api
