// The real WebhookServer in this process on 127.0.0.1, with ports the kernel picks, as tests start it.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

#include "common/http/tls_server_context.h"
#include "initializer/certs/certs.h"
#include "initializer/webhook_server.h"

namespace spark_operator::testing {

// A new CA and serving certificate for 127.0.0.1 and localhost, saved into `store`.
inline initializer::CertBundle SaveLocalCertificates(initializer::DirCertStore& store) {
  initializer::CertOptions options;
  options.sans = {"127.0.0.1", "localhost"};
  Result<initializer::CertBundle> bundle = initializer::GenerateCertificates(options);
  REQUIRE(bundle.ok());
  REQUIRE(store.Save(*bundle).ok());
  return *bundle;
}

// Serves the certificate in `store`'s files, looking for a replaced one at most every `check_interval`;
// `checker` null: every referenced object exists. The test fails when the server does not start.
inline std::unique_ptr<initializer::WebhookServer> StartLocalWebhook(
    const initializer::DirCertStore& store, const initializer::ObjectChecker* checker = nullptr,
    std::chrono::milliseconds check_interval = std::chrono::seconds(1)) {
  auto tls = http::TlsServerContext::FromFiles(store.cert_file(), store.key_file(), check_interval);
  REQUIRE(tls.ok());
  initializer::WebhookServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.metrics_port = 0;
  options.tls = *tls;
  options.checker = checker;
  auto server = initializer::WebhookServer::Start(options);
  REQUIRE(server.ok());
  return std::move(*server);
}

}  // namespace spark_operator::testing
