// The initializer behind the real API server: what a user creating Spark pods sees.
#include "tests/integration/harness.h"

namespace spark_operator::initializer::testing {
namespace {

const kube::Resource& kPods = kube::resources::kPods;

const rapidjson::Value* Named(const rapidjson::Value* array, const std::string& name) {
  if (array == nullptr || !array->IsArray()) return nullptr;
  for (const rapidjson::Value& item : array->GetArray()) {
    if (GetString(item, {"name"}) == name) return &item;
  }
  return nullptr;
}

TEST_CASE("the published CA is in every webhook's caBundle of the configuration") {
  WebhookHarness h;
  h.PublishAndWaitUntilActive();
  const Result<rapidjson::Document> config =
      h.client().Get(kube::resources::kMutatingWebhookConfigurations, "", h.config_name());
  REQUIRE(config.ok());
  const Result<std::string> ca = Base64Decode(GetString((*config)["webhooks"][0], {"clientConfig", "caBundle"}));
  REQUIRE(ca.ok());
  CHECK(*ca == h.bundle().ca_cert_pem);
}

TEST_CASE("a Spark pod with annotations is stored with the volumes, mounts and environment they ask for") {
  WebhookHarness h;
  REQUIRE(h.client()
              .Create(kube::resources::kConfigMaps, h.ns(),
                      spark_operator::testing::ConfigMap(h.ns(), "spark-conf",
                                                         {{"spark-defaults.conf", "spark.ui.enabled false"}}))
              .ok());
  h.PublishAndWaitUntilActive();

  REQUIRE(h.client()
              .Create(kPods, h.ns(), DriverPod(h.ns(), "driver", R"(
      "spark-operator.k8s.io/sparkConfigMap":"spark-conf",
      "spark-operator.k8s.io/secret.creds":"/mnt/creds/",
      "spark-operator.k8s.io/GCPServiceAccount.gcp-key":"/var/secrets/google")"))
              .ok());
  const Result<rapidjson::Document> pod = h.client().Get(kPods, h.ns(), "driver");
  REQUIRE(pod.ok());

  const rapidjson::Value* volumes = FindPath(*pod, {"spec", "volumes"});
  const rapidjson::Value* spark_volume = Named(volumes, "spark-configmap-volume");
  REQUIRE(spark_volume != nullptr);
  CHECK(GetString(*spark_volume, {"configMap", "name"}) == "spark-conf");
  const rapidjson::Value* creds = Named(volumes, "creds-secret-vol");
  REQUIRE(creds != nullptr);
  CHECK(GetString(*creds, {"secret", "secretName"}) == "creds");
  REQUIRE(Named(volumes, "gcp-key-gcp-sa-vol") != nullptr);

  const rapidjson::Value& container = (*pod)["spec"]["containers"][0];
  const rapidjson::Value* mounts = FindPath(container, {"volumeMounts"});
  const rapidjson::Value* spark_mount = Named(mounts, "spark-configmap-volume");
  REQUIRE(spark_mount != nullptr);
  CHECK(GetString(*spark_mount, {"mountPath"}) == "/etc/spark/conf");
  CHECK(GetBool(*spark_mount, {"readOnly"}));
  REQUIRE(Named(mounts, "creds-secret-vol") != nullptr);
  CHECK(GetString(*Named(mounts, "creds-secret-vol"), {"mountPath"}) == "/mnt/creds");

  const rapidjson::Value* env = FindPath(container, {"env"});
  REQUIRE(Named(env, "SPARK_CONF_DIR") != nullptr);
  CHECK(GetString(*Named(env, "SPARK_CONF_DIR"), {"value"}) == "/etc/spark/conf");
  REQUIRE(Named(env, "GOOGLE_APPLICATION_CREDENTIALS") != nullptr);
  CHECK(GetString(*Named(env, "GOOGLE_APPLICATION_CREDENTIALS"), {"value"}) == "/var/secrets/google/key.json");
}

TEST_CASE("a Spark pod without annotations is stored unchanged") {
  WebhookHarness h;
  h.PublishAndWaitUntilActive();
  REQUIRE(h.client().Create(kPods, h.ns(), DriverPod(h.ns(), "plain", "")).ok());
  const Result<rapidjson::Document> pod = h.client().Get(kPods, h.ns(), "plain");
  REQUIRE(pod.ok());
  CHECK(FindPath(*pod, {"spec", "volumes"}) == nullptr);
  CHECK(FindPath((*pod)["spec"]["containers"][0], {"env"}) == nullptr);
  CHECK(FindPath((*pod)["spec"]["containers"][0], {"volumeMounts"}) == nullptr);
}

TEST_CASE("a Spark pod with a relative mount path is refused with the webhook's message") {
  WebhookHarness h;
  h.PublishAndWaitUntilActive();
  const Result<rapidjson::Document> created =
      h.client().Create(kPods, h.ns(), DriverPod(h.ns(), "bad", R"("spark-operator.k8s.io/configMap.my-conf":"conf")"));
  REQUIRE_FALSE(created.ok());
  CHECK_THAT(created.status().message(), Catch::Contains("denied the request"));
  CHECK_THAT(created.status().message(),
             Catch::Contains(R"(spark-operator.k8s.io/configMap.my-conf: mount path "conf" must be absolute)"));
  CHECK(IsNotFound(h.client().Get(kPods, h.ns(), "bad").status()));
}

TEST_CASE("a Spark pod referencing a missing ConfigMap is admitted, with a warning naming it") {
  WebhookHarness h;
  h.PublishAndWaitUntilActive();
  const rapidjson::Document pod = DriverPod(h.ns(), "waits", R"("spark-operator.k8s.io/sparkConfigMap":"absent")");
  REQUIRE(h.client().Create(kPods, h.ns(), pod).ok());
  const Result<rapidjson::Document> stored = h.client().Get(kPods, h.ns(), "waits");
  REQUIRE(stored.ok());
  CHECK(Named(FindPath(*stored, {"spec", "volumes"}), "spark-configmap-volume") != nullptr);

  // kube::Client drops the API server's Warning headers, so the warning is read from the webhook's answer.
  const rapidjson::Document review = h.Review(pod);
  CHECK(GetBool(review, {"response", "allowed"}));
  const rapidjson::Value* warnings = FindPath(review, {"response", "warnings"});
  REQUIRE(warnings != nullptr);
  REQUIRE(warnings->Size() == 1);
  CHECK_THAT((*warnings)[0].GetString(), Catch::Contains("ConfigMap \"" + h.ns() + "/absent\" not found"));
}

}  // namespace
}  // namespace spark_operator::initializer::testing
