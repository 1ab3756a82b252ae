#include "initializer/webhook_app.h"

#include <glog/logging.h>

#include "common/kube/config.h"

namespace spark_operator::initializer {

Result<std::unique_ptr<WebhookApp>> WebhookApp::Create(WebhookAppOptions options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return InvalidArgumentError("--tls-cert-file and --tls-key-file go together");
  }
  std::unique_ptr<WebhookApp> app(new WebhookApp(std::move(options)));
  const WebhookAppOptions& o = app->options_;
  // The client is optional so that the webhook can run anywhere (a laptop, a test) and degrade to what it can
  // do alone; an explicit --kubeconfig that does not work is a mistake worth stopping for.
  Result<kube::RestConfig> rest_config = kube::LoadRestConfig(o.kubeconfig);
  if (!rest_config.ok() && !o.kubeconfig.empty()) return rest_config.status().WithContext("--kubeconfig");
  if (rest_config.ok()) {
    ASSIGN_OR_RETURN(app->client_, kube::Client::Create(*rest_config));
    ASSIGN_OR_RETURN(app->checker_client_, NewCheckerClient(*rest_config));
    app->kube_checker_ = std::make_unique<KubeObjectChecker>(app->checker_client_);
    LOG(INFO) << "Kubernetes API server " << rest_config->server;
  } else {
    LOG(WARNING) << "running without a Kubernetes client (" << rest_config.status().message()
                 << "): referenced ConfigMaps and Secrets are assumed to exist, certificates stay in --cert-dir "
                    "and the CA is only logged";
  }
  RETURN_IF_ERROR(app->LoadCertificates());
  return app;
}

Status WebhookApp::LoadCertificates() {
  const WebhookAppOptions& o = options_;
  if (!o.tls_cert_file.empty()) {
    ASSIGN_OR_RETURN(tls_, http::TlsServerContext::FromFiles(o.tls_cert_file, o.tls_key_file));
    return OkStatus();
  }
  serving_store_ = std::make_unique<DirCertStore>(o.cert_dir);
  if (client_ != nullptr && !o.cert_secret_name.empty()) {
    secret_store_ = std::make_unique<SecretCertStore>(client_, o.service_namespace, o.cert_secret_name);
  }
  if (client_ != nullptr) {
    publisher_ = std::make_unique<WebhookCaPublisher>(client_, o.webhook_config_name);
  } else {
    publisher_ = std::make_unique<LoggingCaPublisher>(o.webhook_config_name);
  }
  CertOptions cert_options;
  cert_options.sans = ServiceDnsNames(o.service_name, o.service_namespace);
  for (const std::string& san : o.extra_sans) cert_options.sans.push_back(san);
  cert_options.common_name = o.service_name + "." + o.service_namespace + ".svc";
  cert_options.validity = o.cert_validity;
  cert_options.ca_validity = o.ca_validity;
  cert_options.renew_before = o.cert_renew_before;
  if (Status s = ValidateCertOptions(cert_options); !s.ok()) {
    return s.WithContext("--cert-validity-seconds, --ca-validity-seconds, --cert-renew-before-seconds");
  }
  cert_sync_ = std::make_unique<CertSync>(secret_store_.get(), serving_store_.get(), publisher_.get(),
                                          std::move(cert_options), o.ca_propagation);
  RETURN_IF_ERROR(cert_sync_->RunOnce());
  ASSIGN_OR_RETURN(tls_, http::TlsServerContext::FromFiles(serving_store_->cert_file(), serving_store_->key_file()));
  return OkStatus();
}

Status WebhookApp::Start() {
  WebhookServerOptions server;
  server.address = options_.address;
  server.port = options_.port;
  server.metrics_port = options_.metrics_port;
  server.threads = options_.threads;
  server.tls = tls_;
  server.mutator = options_.mutator;
  server.checker = kube_checker_ != nullptr ? static_cast<const ObjectChecker*>(kube_checker_.get()) : &always_exists_;
  ASSIGN_OR_RETURN(server_, WebhookServer::Start(server));
  LOG(INFO) << "serving /mutate-pods on https://" << options_.address << ":" << server_->port()
            << ", metrics on http://" << options_.address << ":" << server_->metrics_port();
  // Renewal writes the new files atomically and the TLS context picks them up on the next connection.
  if (cert_sync_ != nullptr) renewer_ = std::thread([this] { RenewLoop(); });
  return OkStatus();
}

void WebhookApp::RenewLoop() {
  std::unique_lock lock(mutex_);
  const auto interval = [this] {
    const bool settled = cert_sync_->ca_published() && !cert_sync_->switch_pending();
    return settled ? options_.cert_check_interval : options_.ca_publish_retry;
  };
  while (!wake_.wait_for(lock, interval(), [this] { return stopping_; })) {
    if (Status s = cert_sync_->RunOnce(); !s.ok()) LOG(ERROR) << "checking certificates: " << s.ToString();
  }
}

void WebhookApp::Stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  if (server_ != nullptr) server_->Stop();
}

WebhookApp::~WebhookApp() { Stop(); }

}  // namespace spark_operator::initializer
