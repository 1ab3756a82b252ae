// One round of self-managed TLS, run at start and then periodically by main.cc: make sure a valid bundle is
// in the shared store (the Secret; or memory alone when there is no Kubernetes client), publish its CA, and
// copy it into the folder the server serves from. A CA that cannot be published yet (the webhook
// configuration is applied later) is not an error: the server runs and the next round retries.
//
// No admission may fail during a rotation, so a certificate from a new CA is served only once that CA has
// been published for `ca_propagation` (the API server reads the configuration through a watch), while the
// published caBundle still holds the old CA for what is served until then. A new serving certificate from
// the current CA is served at once.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "initializer/certs/certs.h"

namespace spark_operator::initializer {

// A CertStore in memory: where a new bundle waits when there is no shared store.
class MemoryCertStore final : public CertStore {
 public:
  Result<CertBundle> Load() override;
  Status Save(const CertBundle& bundle) override;

 private:
  std::optional<CertBundle> bundle_;
};

class CertSync {
 public:
  // `shared` may be null (no client). All pointers must outlive this. `ca_propagation`: how long after
  // publishing a new CA the API server is taken to trust it.
  CertSync(CertStore* shared, DirCertStore* serving, CaBundlePublisher* publisher, CertOptions options,
           std::chrono::seconds ca_propagation = std::chrono::seconds(30))
      : shared_(shared),
        serving_(serving),
        publisher_(publisher),
        options_(std::move(options)),
        ca_propagation_(ca_propagation) {}

  // Error only when there is no usable certificate to serve. Publication failures are logged (once per
  // distinct message, so a missing configuration does not flood the log) and left in ca_published().
  Status RunOnce();
  bool ca_published() const { return ca_published_; }
  // True while a certificate from a new CA waits to be served: the caller should run again soon.
  bool switch_pending() const { return switch_pending_; }

 private:
  CertStore* const shared_;
  DirCertStore* const serving_;
  CaBundlePublisher* const publisher_;
  const CertOptions options_;
  const std::chrono::seconds ca_propagation_;
  MemoryCertStore pending_;
  bool pending_seeded_ = false;
  bool ca_published_ = false;
  bool switch_pending_ = false;
  std::string published_ca_;  // The last CA published successfully, and since when.
  std::chrono::steady_clock::time_point published_at_;
  std::string last_publish_error_;
};

}  // namespace spark_operator::initializer
