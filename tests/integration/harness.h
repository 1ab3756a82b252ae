// What the integration tests share, on the local cluster (tools/cluster/up.sh), each half in its area's namespace:
// - the controller's (controller::testing): the CRDs installed, a real spark-submit, a Manager running in-process
//   on a test namespace, and helpers to create apps and play the driver (finish its pod with an exit code, as the
//   simulated node allows);
// - the initializer's (initializer::testing): the real WebhookServer in this process on 127.0.0.1, registered with
//   the API server through a MutatingWebhookConfiguration of its own that only covers the test's namespace, so
//   pods of other tests and other namespaces never reach it; everything is removed when the harness goes away.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/base/base64.h"
#include "common/base/json.h"
#include "common/base/yaml.h"
#include "common/http/client.h"
#include "controller/labels.h"
#include "controller/manager.h"
#include "initializer/certs/certs.h"
#include "initializer/certs/kube_certs.h"
#include "initializer/kube_checker.h"
#include "initializer/webhook_server.h"
#include "tests/support/cluster.h"
#include "tests/support/local_webhook.h"

namespace spark_operator::controller::testing {

using spark_operator::testing::AdminClient;
using spark_operator::testing::BinDir;
using spark_operator::testing::ClusterDir;
using spark_operator::testing::Eventually;
using spark_operator::testing::Json;
using spark_operator::testing::SourceDir;
using spark_operator::testing::TestNamespace;

// $SPARK_SUBMIT, else what tools/spark/fetch.sh installs for tools/versions.env's SPARK_VERSION.
inline std::string SparkSubmitPath() {
  if (const char* path = std::getenv("SPARK_SUBMIT"); path != nullptr) return path;
  std::string version = "4.2.0";
  if (Result<std::string> env = ReadFile(SourceDir() + "/tools/versions.env"); env.ok()) {
    const size_t at = env->find("SPARK_VERSION=");
    if (at != std::string::npos) version = env->substr(at + 14, env->find('\n', at) - at - 14);
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/root") + "/.cache/spark-operator/spark-" + version +
         "/bin/spark-submit";
}

// Every CRD: every Manager runs the SparkTenant and ScheduledSparkApplication controllers unless told not to.
inline void EnsureCrd(kube::Client& client) {
  for (const char* file : {"spark-operator.k8s.io_sparkapplications.yaml", "spark-operator.k8s.io_sparktenants.yaml",
                           "spark-operator.k8s.io_scheduledsparkapplications.yaml"}) {
    const Result<std::string> yaml = ReadFile(SourceDir() + "/deploy/crd/" + file);
    REQUIRE(yaml.ok());
    Result<rapidjson::Document> crd = YamlToJson(*yaml);
    REQUIRE(crd.ok());
    const auto created = client.Create(kube::resources::kCustomResourceDefinitions, "", *crd);
    if (created.ok()) continue;
    REQUIRE(IsAlreadyExists(created.status()));
    // A cluster kept from an earlier build may hold an older schema, which would prune newer status fields.
    const auto stored = client.Get(kube::resources::kCustomResourceDefinitions, "", NameOf(*crd));
    REQUIRE(stored.ok());
    SetString(*crd, {"metadata", "resourceVersion"}, ResourceVersionOf(*stored));
    const auto updated = client.Update(kube::resources::kCustomResourceDefinitions, *crd);
    if (!updated.ok()) REQUIRE(IsConflict(updated.status()));  // Another test updated it just now.
  }
  REQUIRE(Eventually([&] { return client.List(kube::resources::kSparkApplications, "default").ok(); }));
  REQUIRE(Eventually([&] {
    return client.List(kube::Resource{"spark-operator.k8s.io", "v1alpha1", "sparktenants", false}, "").ok();
  }));
  REQUIRE(Eventually([&] {
    return client.List(kube::Resource{"spark-operator.k8s.io", "v1alpha1", "scheduledsparkapplications"}, "default")
        .ok();
  }));
}

// A Manager on one namespace, stopped at the end of the test.
class RunningController {
 public:
  // `configure` changes the options further, e.g. a flag under test.
  explicit RunningController(const std::string& ns, std::chrono::seconds grace = std::chrono::seconds(60),
                             const std::string& spark_submit = SparkSubmitPath(),
                             const std::function<void(ManagerOptions&)>& configure = nullptr) {
    ManagerOptions options;
    options.kubeconfig = ClusterDir() + "/kubeconfig";
    options.namespaces = {ns};
    options.spark_submit = spark_submit;
    options.metrics_port = 0;
    options.driver_startup_grace = grace;
    options.submission_timeout = std::chrono::seconds(120);
    if (configure) configure(options);
    auto manager = Manager::Create(options);
    if (!manager.ok()) FAIL("creating the manager: " << manager.status().ToString());
    manager_ = std::move(*manager);
    REQUIRE(manager_->Start().ok());
  }
  ~RunningController() { manager_->Stop(); }
  Manager& operator*() { return *manager_; }
  Manager* operator->() { return manager_.get(); }

 private:
  std::unique_ptr<Manager> manager_;
};

// The example app (deploy/examples) under another name, with optional extra spec YAML merged in.
inline rapidjson::Document ExampleApp(const std::string& ns, const std::string& name) {
  const Result<std::string> yaml = ReadFile(SourceDir() + "/deploy/examples/spark-application-example.yaml");
  REQUIRE(yaml.ok());
  Result<rapidjson::Document> app = YamlToJson(*yaml);
  REQUIRE(app.ok());
  SetString(*app, {"metadata", "name"}, name);
  SetString(*app, {"metadata", "namespace"}, ns);
  return std::move(*app);
}

inline void CreateApp(kube::Client& client, const rapidjson::Value& app) {
  const auto created = client.Create(kube::resources::kSparkApplications, NamespaceOf(app), app);
  if (!created.ok()) FAIL("creating app: " << created.status().ToString());
}

inline rapidjson::Document GetApp(kube::Client& client, const std::string& ns, const std::string& name) {
  Result<rapidjson::Document> app = client.Get(kube::resources::kSparkApplications, ns, name);
  if (!app.ok()) return rapidjson::Document(rapidjson::kObjectType);
  return std::move(*app);
}

inline std::string State(kube::Client& client, const std::string& ns, const std::string& name) {
  return GetString(GetApp(client, ns, name), {"status", "applicationState", "state"});
}

inline std::string PodPhase(kube::Client& client, const std::string& ns, const std::string& pod) {
  const Result<rapidjson::Document> p = client.Get(kube::resources::kPods, ns, pod);
  return p.ok() ? GetString(*p, {"status", "phase"}) : "";
}

// Plays the driver: the simulated node ends the pod's container with `exit_code`.
inline void FinishPod(kube::Client& client, const std::string& ns, const std::string& pod, int exit_code) {
  const std::string patch =
      R"({"metadata":{"annotations":{"sim.spark-operator.k8s.io/exit-code":")" + std::to_string(exit_code) + "\"}}}";
  const auto patched = client.Patch(kube::resources::kPods, ns, pod, kube::PatchType::kMerge, patch);
  if (!patched.ok()) FAIL("finishing pod " << pod << ": " << patched.status().ToString());
}

inline std::vector<std::string> PodNames(kube::Client& client, const std::string& ns, const std::string& selector) {
  kube::ListOptions options;
  options.label_selector = selector;
  std::vector<std::string> names;
  const Result<rapidjson::Document> pods = client.List(kube::resources::kPods, ns, options);
  if (!pods.ok()) return names;
  for (const rapidjson::Value& pod : (*pods)["items"].GetArray()) names.push_back(NameOf(pod));
  return names;
}

// "type/reason: message" of every Event about `name`.
inline std::vector<std::string> Events(kube::Client& client, const std::string& ns, const std::string& name) {
  kube::ListOptions options;
  options.field_selector = "involvedObject.name=" + name;
  std::vector<std::string> out;
  const Result<rapidjson::Document> events = client.List(kube::resources::kEvents, ns, options);
  if (!events.ok()) return out;
  for (const rapidjson::Value& e : (*events)["items"].GetArray()) {
    out.push_back(GetString(e, {"type"}) + "/" + GetString(e, {"reason"}) + ": " + GetString(e, {"message"}));
  }
  return out;
}

inline bool HasEvent(kube::Client& client, const std::string& ns, const std::string& name, const std::string& prefix) {
  for (const std::string& e : Events(client, ns, name)) {
    if (e.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace spark_operator::controller::testing

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
