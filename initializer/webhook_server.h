// The running initializer: /mutate-pods over HTTPS, and /healthz, /readyz, /metrics over plain HTTP.
// Used by main.cc and by bench/webhook_bench.cc, which runs it in-process.
#pragma once

#include <memory>
#include <string>

#include "common/base/status.h"
#include "common/http/server.h"
#include "common/metrics/metrics.h"
#include "initializer/admission.h"
#include "initializer/mutator.h"

namespace spark_operator::initializer {

struct WebhookServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 8443;          // HTTPS, /mutate-pods. 0: any free port.
  uint16_t metrics_port = 8080;  // HTTP, /healthz /readyz /metrics. 0: any free port.
  int threads = 2;
  std::shared_ptr<http::TlsServerContext> tls;  // Required.
  MutatorOptions mutator;
  const ObjectChecker* checker = nullptr;  // Null: AlwaysExistsChecker. Must outlive the server.
};

class WebhookServer {
 public:
  static Result<std::unique_ptr<WebhookServer>> Start(WebhookServerOptions options);
  ~WebhookServer();

  uint16_t port() const { return webhook_->port(); }
  uint16_t metrics_port() const { return metrics_server_->port(); }
  metrics::Registry& metrics() { return registry_; }
  // /readyz answers 503 until ready; Start() leaves it ready.
  void SetReady(bool ready) { ready_ = ready; }
  void Stop();

  // The /mutate-pods handler alone, for tests.
  http::ServerResponse HandleMutate(const http::ServerRequest& request);

 private:
  explicit WebhookServer(WebhookServerOptions options);

  WebhookServerOptions options_;
  Mutator mutator_;
  AdmissionHandler admission_;
  metrics::Registry registry_;
  metrics::Family<metrics::Counter>& requests_;
  metrics::Family<metrics::Histogram>& latency_;
  metrics::Family<metrics::Counter>& warnings_;
  std::atomic<bool> ready_{false};
  std::unique_ptr<http::Server> webhook_;
  std::unique_ptr<http::Server> metrics_server_;
};

}  // namespace spark_operator::initializer
