// Certificate rotation under load: two replicas share the certificate Secret, each served by its own webhook
// entry, so every pod creation is admitted by both. Certificates are made short-lived so that the serving
// certificate and the CA are both replaced several times while the API server creates pods at a steady rate;
// no admission may fail.
#include <glog/logging.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "initializer/certs/cert_sync.h"
#include "tests/integration/harness.h"
#include "tests/support/local_webhook.h"

namespace spark_operator::initializer::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kSecretName[] = "rotating-certs";

CertOptions ShortLived() {
  CertOptions options;
  options.sans = {"127.0.0.1", "localhost"};
  options.validity = std::chrono::seconds(12);
  options.ca_validity = std::chrono::seconds(30);
  options.renew_before = std::chrono::seconds(4);
  return options;
}

// One initializer replica as main.cc runs it: the shared Secret, its own serving folder, the publisher, and a
// renewal loop (fast here; every minute in production).
class Replica {
 public:
  Replica(std::shared_ptr<kube::Client> client, const std::string& ns, const std::string& config_name)
      : dir_(std::filesystem::temp_directory_path() / UniqueName("rotation")),
        serving_(dir_.string()),
        secret_(client, ns, kSecretName),
        publisher_(client, config_name),
        sync_(&secret_, &serving_, &publisher_, ShortLived(), std::chrono::seconds(2)) {}

  ~Replica() {
    stop_ = true;
    if (renewer_.joinable()) renewer_.join();
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  // The first round, then the server, as main.cc does.
  void Start() {
    REQUIRE(sync_.RunOnce().ok());
    server_ = spark_operator::testing::StartLocalWebhook(serving_, nullptr, std::chrono::milliseconds(100));
    // Catch2 assertions belong to the test's thread: failed rounds are counted here and checked there.
    renewer_ = std::thread([this] {
      while (!stop_) {
        if (Status s = sync_.RunOnce(); !s.ok()) {
          LOG(ERROR) << "renewal round: " << s.ToString();
          ++failed_rounds_;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
      }
    });
  }

  int failed_rounds() const { return failed_rounds_; }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(server_->port()) + "/mutate-pods"; }

 private:
  std::filesystem::path dir_;
  DirCertStore serving_;
  SecretCertStore secret_;
  WebhookCaPublisher publisher_;
  CertSync sync_;
  std::unique_ptr<WebhookServer> server_;
  std::thread renewer_;
  std::atomic<bool> stop_{false};
  std::atomic<int> failed_rounds_{0};
};

TEST_CASE("rotating certificates under a steady stream of pod creations fails no admission") {
  auto client = AdminClient();
  const TestNamespace ns(client, "rotate");
  REQUIRE(Eventually([&] { return client->Get(kube::resources::kServiceAccounts, ns.name(), "default").ok(); }));

  // The configuration exists before the replicas start (as with the deploy/ manifests) and calls both.
  const std::string config_name = UniqueName("so-rotation-it");
  Replica a(client, ns.name(), config_name), b(client, ns.name(), config_name);
  // Ports are known only once the servers run, but the first round needs the configuration to publish to:
  // create it pointing at placeholders, then set the URLs.
  rapidjson::Document config = WebhookConfiguration(config_name, "https://127.0.0.1:1/mutate-pods", ns.name());
  {
    rapidjson::Value second(config["webhooks"][0], config.GetAllocator());
    second["name"].SetString("pods-b.initializer.spark-operator.k8s.io", config.GetAllocator());
    config["webhooks"].PushBack(second, config.GetAllocator());
  }
  WebhookConfigGuard guard(client, config);
  a.Start();
  b.Start();
  for (int attempt = 0;; ++attempt) {
    Result<rapidjson::Document> current = client->Get(kube::resources::kMutatingWebhookConfigurations, "", config_name);
    REQUIRE(current.ok());
    auto& alloc = current->GetAllocator();
    (*current)["webhooks"][0]["clientConfig"]["url"].SetString(a.url().c_str(), alloc);
    (*current)["webhooks"][1]["clientConfig"]["url"].SetString(b.url().c_str(), alloc);
    const Result<rapidjson::Document> updated =
        client->Update(kube::resources::kMutatingWebhookConfigurations, *current);
    if (updated.ok()) break;
    REQUIRE((IsConflict(updated.status()) && attempt < 20));  // The replicas publish into it concurrently.
  }

  const std::string path = "/api/v1/namespaces/" + ns.name() + "/pods?dryRun=All";
  const auto create = [&](int i) {
    return client->Raw("POST", path,
                       ToJson(DriverPod(ns.name(), "load-" + std::to_string(i),
                                        R"("spark-operator.k8s.io/secret.creds":"/etc/creds")")));
  };
  // Until the API server calls both webhooks with the published CA.
  REQUIRE(Eventually([&] {
    const Result<http::Response> r = create(0);
    return r.ok() && r->status == 201 && r->body.find("creds-secret-vol") != std::string::npos;
  }));

  std::set<std::string> cas, leaves;
  int sent = 0, failed = 0;
  std::string first_failure;
  const auto deadline = Clock::now() + std::chrono::seconds(100);
  auto next = Clock::now();
  auto next_sample = Clock::now();
  // 20 creations a second until the CA was replaced twice and the serving certificate five times.
  while (Clock::now() < deadline && (cas.size() < 3 || leaves.size() < 6)) {
    std::this_thread::sleep_until(next);
    next += std::chrono::milliseconds(50);
    const Result<http::Response> r = create(++sent);
    const bool admitted = r.ok() && r->status == 201 && r->body.find("creds-secret-vol") != std::string::npos;
    if (!admitted) {
      ++failed;
      if (first_failure.empty())
        first_failure = r.ok() ? std::to_string(r->status) + " " + r->body : r.status().ToString();
    }
    if (Clock::now() >= next_sample) {
      next_sample = Clock::now() + std::chrono::milliseconds(500);
      SecretCertStore reader(client, ns.name(), kSecretName);
      if (const Result<CertBundle> stored = reader.Load(); stored.ok()) {
        cas.insert(stored->ca_cert_pem);
        leaves.insert(stored->cert_pem);
      }
    }
  }
  INFO("admissions " << sent << ", failed " << failed << ", CAs " << cas.size() << ", serving certificates "
                     << leaves.size() << "; first failure: " << first_failure);
  REQUIRE(cas.size() >= 3);
  REQUIRE(leaves.size() >= 6);
  CHECK(sent >= 400);
  CHECK(failed == 0);
  CHECK(a.failed_rounds() == 0);
  CHECK(b.failed_rounds() == 0);
}

}  // namespace
}  // namespace spark_operator::initializer::testing
