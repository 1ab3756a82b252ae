// The initializer's composition root, as controller::Manager is the controller's: the Kubernetes client, the
// certificates (self-managed and shared through a Secret, or files from cert-manager), the CA publishing loop, the
// existence checker and the two servers, started and stopped in the right order.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/base/status.h"
#include "common/kube/client.h"
#include "initializer/certs/cert_sync.h"
#include "initializer/certs/certs.h"
#include "initializer/certs/kube_certs.h"
#include "initializer/kube_checker.h"
#include "initializer/webhook_server.h"

namespace spark_operator::initializer {

struct WebhookAppOptions {
  std::string kubeconfig;  // Empty: $KUBECONFIG, in-cluster, ~/.kube/config; none of them: no client.
  std::string address = "0.0.0.0";
  uint16_t port = 8443;
  uint16_t metrics_port = 8080;
  int threads = 2;
  MutatorOptions mutator;
  // cert-manager style files, reloaded when they change; both empty: self-managed certificates in cert_dir.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string cert_dir = "/tmp/spark-operator-initializer-certs";
  std::string cert_secret_name;  // Shared by replicas; empty: each replica keeps its own.
  std::string webhook_config_name = "spark-operator-initializer";
  std::string service_name = "spark-operator-initializer";
  std::string service_namespace = "spark-operator";
  std::vector<std::string> extra_sans;
  std::chrono::seconds cert_validity{365 * 24 * 3600};
  std::chrono::seconds ca_validity{10LL * 365 * 24 * 3600};
  std::chrono::seconds cert_renew_before{30 * 24 * 3600};
  std::chrono::seconds ca_propagation{30};
  std::chrono::seconds cert_check_interval{60};
  std::chrono::seconds ca_publish_retry{10};
};

class WebhookApp {
 public:
  // Loads the client and the certificates; fails on a configuration mistake (an explicit kubeconfig that does
  // not work, one TLS file without the other, certificate lifetimes that would renew at once).
  static Result<std::unique_ptr<WebhookApp>> Create(WebhookAppOptions options);
  ~WebhookApp();  // Stop().
  WebhookApp(const WebhookApp&) = delete;
  WebhookApp& operator=(const WebhookApp&) = delete;

  // Starts both servers and, with self-managed certificates, the renewal loop.
  Status Start();
  // Idempotent.
  void Stop();

  uint16_t port() const { return server_->port(); }
  uint16_t metrics_port() const { return server_->metrics_port(); }

 private:
  explicit WebhookApp(WebhookAppOptions options) : options_(std::move(options)) {}
  Status LoadCertificates();
  void RenewLoop();

  const WebhookAppOptions options_;
  std::shared_ptr<kube::Client> client_;
  std::shared_ptr<kube::Client> checker_client_;
  std::unique_ptr<DirCertStore> serving_store_;
  std::unique_ptr<CertStore> secret_store_;
  std::unique_ptr<CaBundlePublisher> publisher_;
  std::unique_ptr<CertSync> cert_sync_;
  std::shared_ptr<http::TlsServerContext> tls_;
  AlwaysExistsChecker always_exists_;
  std::unique_ptr<KubeObjectChecker> kube_checker_;
  std::unique_ptr<WebhookServer> server_;
  std::thread renewer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // Guarded by mutex_.
};

}  // namespace spark_operator::initializer
