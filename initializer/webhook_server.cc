#include "initializer/webhook_server.h"

#include <glog/logging.h>

#include <chrono>

namespace spark_operator::initializer {

WebhookServer::WebhookServer(WebhookServerOptions options)
    : options_(std::move(options)),
      mutator_(options_.mutator, options_.checker),
      admission_(&mutator_),
      requests_(registry_.AddCounter("spark_operator_initializer_admission_requests_total",
                                     "AdmissionReviews handled, by outcome: patched, allowed (nothing to do), "
                                     "denied, skipped (not a pod CREATE), error (HTTP 400).",
                                     {"outcome"})),
      latency_(registry_.AddHistogram("spark_operator_initializer_admission_duration_seconds",
                                      "Time to decode, mutate and encode one AdmissionReview.")),
      warnings_(registry_.AddCounter("spark_operator_initializer_admission_warnings_total",
                                     "Warnings returned to API clients (missing ConfigMaps/Secrets, ignored "
                                     "annotations).")) {}

WebhookServer::~WebhookServer() { Stop(); }

http::ServerResponse WebhookServer::HandleMutate(const http::ServerRequest& request) {
  if (request.method != "POST") return http::ServerResponse::Text(405, "POST an AdmissionReview\n");
  const auto start = std::chrono::steady_clock::now();
  AdmissionResult result = admission_.Handle(request.body);
  latency_.WithLabels({}).Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  requests_.WithLabels({result.outcome}).Increment();
  if (result.warnings > 0) warnings_.WithLabels({}).Increment(static_cast<double>(result.warnings));
  if (result.outcome == "denied") {
    LOG(INFO) << "denied pod " << result.object_key << ": " << result.message;
  } else if (result.outcome == "error") {
    LOG(WARNING) << "bad AdmissionReview from " << request.remote_address << ": " << result.message;
  }
  http::ServerResponse response;
  response.status = result.http_status;
  response.content_type = result.content_type;
  response.body = std::move(result.body);
  return response;
}

Result<std::unique_ptr<WebhookServer>> WebhookServer::Start(WebhookServerOptions options) {
  if (!options.tls) return InvalidArgumentError("the webhook server needs a TLS certificate");
  std::unique_ptr<WebhookServer> server(new WebhookServer(std::move(options)));
  WebhookServer* self = server.get();

  http::ServerOptions metrics_options;
  metrics_options.address = self->options_.address;
  metrics_options.port = self->options_.metrics_port;
  http::Server::Routes metrics_routes;
  metrics_routes["/healthz"] = [](const http::ServerRequest&) { return http::ServerResponse::Text(200, "ok\n"); };
  metrics_routes["/readyz"] = [self](const http::ServerRequest&) {
    return self->ready_ ? http::ServerResponse::Text(200, "ok\n") : http::ServerResponse::Text(503, "not ready\n");
  };
  metrics_routes["/metrics"] = [self](const http::ServerRequest&) {
    http::ServerResponse response = http::ServerResponse::Text(200, self->registry_.Render());
    response.content_type = metrics::Registry::kContentType;
    return response;
  };
  ASSIGN_OR_RETURN(self->metrics_server_, http::Server::Start(metrics_options, std::move(metrics_routes)));

  http::ServerOptions webhook_options;
  webhook_options.address = self->options_.address;
  webhook_options.port = self->options_.port;
  webhook_options.threads = self->options_.threads;
  webhook_options.tls = self->options_.tls;
  // The API server sends at most ~3 MiB objects; a pod is far smaller.
  webhook_options.body_limit = 8 << 20;
  http::Server::Routes routes;
  routes["/mutate-pods"] = [self](const http::ServerRequest& request) { return self->HandleMutate(request); };
  ASSIGN_OR_RETURN(self->webhook_, http::Server::Start(webhook_options, std::move(routes)));
  self->ready_ = true;
  return server;
}

void WebhookServer::Stop() {
  ready_ = false;
  if (webhook_) webhook_->Stop();
  if (metrics_server_) metrics_server_->Stop();
}

}  // namespace spark_operator::initializer
