// The real WebhookServer in this process on 127.0.0.1, registered with the local cluster's API server through
// a MutatingWebhookConfiguration of its own that only covers the test's namespace, so pods of other tests
// and other namespaces never reach it. Everything is removed when the harness goes away.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "common/base/base64.h"
#include "common/http/client.h"
#include "initializer/certs/certs.h"
#include "initializer/certs/kube_certs.h"
#include "initializer/kube_checker.h"
#include "initializer/webhook_server.h"
#include "tests/support/cluster.h"
#include "tests/support/local_webhook.h"

namespace spark_operator::initializer::testing {

using spark_operator::testing::AdminClient;
using spark_operator::testing::AdminConfig;
using spark_operator::testing::Eventually;
using spark_operator::testing::Json;
using spark_operator::testing::TestNamespace;

inline std::string UniqueName(const std::string& prefix) {
  static int counter = 0;
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

// The configuration the deploy/ manifest has, pointed at a URL instead of a Service, without caBundle (the
// publisher writes it) and limited to one namespace.
inline rapidjson::Document WebhookConfiguration(const std::string& name, const std::string& url,
                                                const std::string& ns) {
  return Json(R"({"apiVersion":"admissionregistration.k8s.io/v1","kind":"MutatingWebhookConfiguration",
    "metadata":{"name":")" +
              name + R"("},
    "webhooks":[{"name":"pods.initializer.spark-operator.k8s.io","clientConfig":{"url":")" +
              url + R"("},
      "rules":[{"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"],"operations":["CREATE"],
                "scope":"Namespaced"}],
      "objectSelector":{"matchExpressions":[{"key":"spark-role","operator":"Exists"}]},
      "namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":")" +
              ns + R"("}},
      "failurePolicy":"Fail","timeoutSeconds":5,"sideEffects":"None","admissionReviewVersions":["v1"],
      "reinvocationPolicy":"Never"}]})");
}

// Deletes the configuration however the test ends: with failurePolicy Fail, a leftover one pointing at a
// stopped server would refuse every Spark pod in its namespace.
class WebhookConfigGuard {
 public:
  WebhookConfigGuard(std::shared_ptr<kube::Client> client, const rapidjson::Value& config)
      : client_(std::move(client)), name_(NameOf(config)) {
    const Result<rapidjson::Document> created =
        client_->Create(kube::resources::kMutatingWebhookConfigurations, "", config);
    if (!created.ok()) FAIL("creating MutatingWebhookConfiguration " << name_ << ": " << created.status().ToString());
  }
  ~WebhookConfigGuard() { (void)client_->Delete(kube::resources::kMutatingWebhookConfigurations, "", name_); }
  WebhookConfigGuard(const WebhookConfigGuard&) = delete;
  WebhookConfigGuard& operator=(const WebhookConfigGuard&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::shared_ptr<kube::Client> client_;
  std::string name_;
};

// A Spark driver pod as spark-submit makes it, with `annotations` (a JSON object's members, may be empty).
inline rapidjson::Document DriverPod(const std::string& ns, const std::string& name, const std::string& annotations) {
  return Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","namespace":")" + ns +
              R"(","labels":{"spark-role":"driver"},"annotations":{)" + annotations + R"(}},
    "spec":{"automountServiceAccountToken":false,
            "containers":[{"name":"spark-kubernetes-driver","image":"apache/spark:4.2.0"}]}})");
}

class WebhookHarness {
 public:
  WebhookHarness() : client_(AdminClient()), ns_(client_, "init") {
    dir_ = std::filesystem::temp_directory_path() / UniqueName("initializer-it");
    DirCertStore store(dir_);
    bundle_ = spark_operator::testing::SaveLocalCertificates(store);
    auto checker_client = NewCheckerClient(AdminConfig());
    REQUIRE(checker_client.ok());
    checker_ = std::make_unique<KubeObjectChecker>(*checker_client);
    server_ = spark_operator::testing::StartLocalWebhook(store, checker_.get());

    // Pods are refused until the namespace's service account exists.
    REQUIRE(Eventually([&] { return client_->Get(kube::resources::kServiceAccounts, ns(), "default").ok(); }));
    config_ = std::make_unique<WebhookConfigGuard>(client_,
                                                   WebhookConfiguration(UniqueName("so-initializer-it"), url(), ns()));
  }

  ~WebhookHarness() {
    config_.reset();  // Before the server stops.
    if (server_) server_->Stop();
    std::filesystem::remove_all(dir_);
  }

  // The CA through the real publisher, then waits until the API server calls the webhook: a probe pod with
  // a bad annotation is refused with our message (until then it may be admitted, and is deleted again).
  void PublishAndWaitUntilActive() {
    WebhookCaPublisher publisher(client_, config_->name());
    REQUIRE(publisher.Publish(bundle_).ok());
    const bool active = Eventually([&] {
      const std::string name = UniqueName("probe");
      const Result<rapidjson::Document> created = client_->Create(
          kube::resources::kPods, ns(), DriverPod(ns(), name, R"("spark-operator.k8s.io/secret.s":"relative")"));
      if (created.ok()) (void)client_->Delete(kube::resources::kPods, ns(), name);
      return !created.ok() && created.status().message().find("must be absolute") != std::string::npos;
    });
    REQUIRE(active);
  }

  // POSTs an AdmissionReview to the server the way the API server does, for what the client cannot show
  // (kube::Client does not surface the API server's Warning headers).
  rapidjson::Document Review(const rapidjson::Value& pod) {
    rapidjson::Document review = Json(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
      "request":{"uid":"it-1","resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE"}})");
    SetString(review, {"request", "namespace"}, ns());
    rapidjson::Value object;
    object.CopyFrom(pod, review.GetAllocator());
    review["request"].AddMember("object", object, review.GetAllocator());
    http::TlsOptions tls;
    tls.ca_pem = bundle_.ca_cert_pem;
    auto http_client = http::Client::Create("https://127.0.0.1:" + std::to_string(server_->port()), tls);
    REQUIRE(http_client.ok());
    http::Request request;
    request.method = "POST";
    request.target = "/mutate-pods";
    request.body = ToJson(review);
    request.headers = {{"Content-Type", "application/json"}};
    const Result<http::Response> response = (*http_client)->Send(request);
    REQUIRE(response.ok());
    REQUIRE(response->status == 200);
    return Json(response->body);
  }

  kube::Client& client() { return *client_; }
  const std::string& ns() const { return ns_.name(); }
  const CertBundle& bundle() const { return bundle_; }
  const std::string& config_name() const { return config_->name(); }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(server_->port()) + "/mutate-pods"; }

 private:
  std::shared_ptr<kube::Client> client_;
  TestNamespace ns_;
  std::string dir_;
  CertBundle bundle_;
  std::unique_ptr<KubeObjectChecker> checker_;
  std::unique_ptr<WebhookServer> server_;
  std::unique_ptr<WebhookConfigGuard> config_;
};

}  // namespace spark_operator::initializer::testing
