// The initializer's Kubernetes-backed parts against the real API server: the shared certificate Secret, the
// caBundle publisher and the ConfigMap/Secret existence check.
#include <chrono>
#include <functional>

#include "initializer/certs/cert_sync.h"
#include "tests/integration/harness.h"

namespace spark_operator::initializer::testing {
namespace {

const kube::Resource& kSecrets = kube::resources::kSecrets;
const kube::Resource& kWebhookConfigs = kube::resources::kMutatingWebhookConfigurations;

CheckDeadline Soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(5); }

CertOptions Options() {
  CertOptions options;
  options.sans = ServiceDnsNames("spark-operator-initializer", "spark-operator");
  return options;
}

class RecordingPublisher final : public CaBundlePublisher {
 public:
  Status Publish(const CertBundle& bundle) override {
    published.push_back(bundle.ca_cert_pem);
    return OkStatus();
  }
  std::vector<std::string> published;
};

// A store whose Save first lets `before_save` run: another replica saving between our Load and Save.
class RacingStore final : public CertStore {
 public:
  RacingStore(CertStore* inner, std::function<void()> before_save)
      : inner_(inner), before_save_(std::move(before_save)) {}
  Result<CertBundle> Load() override { return inner_->Load(); }
  Status Save(const CertBundle& bundle) override {
    if (before_save_) std::exchange(before_save_, nullptr)();
    return inner_->Save(bundle);
  }

 private:
  CertStore* inner_;
  std::function<void()> before_save_;
};

TEST_CASE("the certificate Secret is created once and read back by every replica") {
  auto client = AdminClient();
  const TestNamespace ns(client, "init");
  SecretCertStore first(client, ns.name(), "certs");
  CHECK(IsNotFound(first.Load().status()));
  RecordingPublisher publisher;
  bool renewed = false;
  REQUIRE(EnsureCertificates(first, publisher, Options(), &renewed).ok());
  CHECK(renewed);

  SecretCertStore second(client, ns.name(), "certs");
  REQUIRE(EnsureCertificates(second, publisher, Options(), &renewed).ok());
  CHECK_FALSE(renewed);
  REQUIRE(publisher.published.size() == 1);
  const Result<CertBundle> loaded = second.Load();
  REQUIRE(loaded.ok());
  CHECK(loaded->ca_cert_pem == publisher.published[0]);
  CHECK_FALSE(loaded->ca_key_pem.empty());
  CHECK_FALSE(loaded->key_pem.empty());
  const Result<rapidjson::Document> secret = client->Get(kSecrets, ns.name(), "certs");
  REQUIRE(secret.ok());
  CHECK(GetString(*secret, {"metadata", "labels", "app.kubernetes.io/name"}) == "spark-operator-initializer");
}

TEST_CASE("a replica that loses the race to create the Secret uses the winner's certificates") {
  auto client = AdminClient();
  const TestNamespace ns(client, "init");
  SecretCertStore winner(client, ns.name(), "certs");
  SecretCertStore loser(client, ns.name(), "certs");
  RecordingPublisher winner_publisher, loser_publisher;
  RacingStore racing(&loser, [&] { REQUIRE(EnsureCertificates(winner, winner_publisher, Options()).ok()); });
  bool renewed = true;
  REQUIRE(EnsureCertificates(racing, loser_publisher, Options(), &renewed).ok());
  CHECK_FALSE(renewed);
  CHECK(loser_publisher.published.empty());
  REQUIRE(winner_publisher.published.size() == 1);
  CHECK(loser.Load()->ca_cert_pem == winner_publisher.published[0]);

  // Both replicas then serve certificates of that one CA.
  const std::string base = std::filesystem::temp_directory_path() / UniqueName("initializer-it-certs");
  DirCertStore dir_a(base + "-a"), dir_b(base + "-b");
  RecordingPublisher publisher;
  CertSync sync_a(&winner, &dir_a, &publisher, Options()), sync_b(&loser, &dir_b, &publisher, Options());
  REQUIRE(sync_a.RunOnce().ok());
  REQUIRE(sync_b.RunOnce().ok());
  CHECK(dir_a.Load()->cert_pem == dir_b.Load()->cert_pem);
  CHECK(dir_b.Load()->ca_cert_pem == winner_publisher.published[0]);
  std::filesystem::remove_all(base + "-a");
  std::filesystem::remove_all(base + "-b");
}

TEST_CASE("the publisher sets caBundle on every webhook, keeps the previous CA, and waits for the configuration") {
  auto client = AdminClient();
  const std::string name = UniqueName("so-initializer-it-publish");
  WebhookCaPublisher publisher(client, name);
  const CertBundle first = *GenerateCertificates(Options());
  const Status missing = publisher.Publish(first);
  CHECK(IsNotFound(missing));
  CHECK_THAT(missing.message(), Catch::Contains(name));

  // A namespace that does not exist: this configuration must never intercept anything.
  rapidjson::Document config = WebhookConfiguration(name, "https://127.0.0.1:1/mutate-pods", UniqueName("nowhere"));
  rapidjson::Value second_webhook;
  second_webhook.CopyFrom(config["webhooks"][0], config.GetAllocator());
  second_webhook["name"].SetString("executors.initializer.spark-operator.k8s.io", config.GetAllocator());
  config["webhooks"].PushBack(second_webhook, config.GetAllocator());
  const WebhookConfigGuard guard(client, config);

  REQUIRE(publisher.Publish(first).ok());
  Result<rapidjson::Document> stored = client->Get(kWebhookConfigs, "", name);
  REQUIRE(stored.ok());
  for (const rapidjson::Value& webhook : (*stored)["webhooks"].GetArray()) {
    CHECK(*Base64Decode(GetString(webhook, {"clientConfig", "caBundle"})) == first.ca_cert_pem);
  }
  const std::string version = ResourceVersionOf(*stored);
  REQUIRE(publisher.Publish(first).ok());
  CHECK(ResourceVersionOf(*client->Get(kWebhookConfigs, "", name)) == version);  // Nothing to write.

  // Renewal: the new CA first, the previous one still trusted by the API server.
  const CertBundle renewed = *GenerateCertificates(Options());
  REQUIRE(publisher.Publish(renewed).ok());
  stored = client->Get(kWebhookConfigs, "", name);
  REQUIRE(stored.ok());
  CHECK(*Base64Decode(GetString((*stored)["webhooks"][1], {"clientConfig", "caBundle"})) ==
        renewed.ca_cert_pem + first.ca_cert_pem);
}

TEST_CASE("the object checker tells existing, missing and unknown ConfigMaps and Secrets apart") {
  auto client = AdminClient();
  const TestNamespace ns(client, "init");
  REQUIRE(
      client->Create(kube::resources::kConfigMaps, ns.name(), spark_operator::testing::ConfigMap(ns.name(), "present"))
          .ok());
  auto checker_client = NewCheckerClient(AdminConfig());
  REQUIRE(checker_client.ok());

  const KubeObjectChecker checker(*checker_client, std::chrono::milliseconds(0));
  CHECK(checker.Check(ObjectKind::kConfigMap, ns.name(), "present", Soon()).ok());
  CHECK(IsNotFound(checker.Check(ObjectKind::kConfigMap, ns.name(), "absent", Soon())));
  CHECK(IsNotFound(checker.Check(ObjectKind::kSecret, ns.name(), "present", Soon())));

  // Within the TTL a missing object stays missing; afterwards the new answer is seen.
  const KubeObjectChecker cached(*checker_client, std::chrono::seconds(60));
  CHECK(IsNotFound(cached.Check(ObjectKind::kSecret, ns.name(), "later", Soon())));
  REQUIRE(
      client->Create(kSecrets, ns.name(), Json(R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"later"}})"))
          .ok());
  CHECK(IsNotFound(cached.Check(ObjectKind::kSecret, ns.name(), "later", Soon())));
  CHECK(checker.Check(ObjectKind::kSecret, ns.name(), "later", Soon()).ok());

  // An API server that cannot be reached is "unknown" (a "could not check" warning), not "missing".
  kube::RestConfig unreachable = AdminConfig();
  unreachable.server = "https://127.0.0.1:1";
  const KubeObjectChecker lost(*NewCheckerClient(unreachable));
  const Status status = lost.Check(ObjectKind::kConfigMap, ns.name(), "present", Soon());
  CHECK_FALSE(status.ok());
  CHECK_FALSE(IsNotFound(status));
}

}  // namespace
}  // namespace spark_operator::initializer::testing
