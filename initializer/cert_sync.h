// One round of self-managed TLS, run at start and then periodically by main.cc: make sure a valid bundle is
// in the shared store (the Secret; or the certificate folder alone when there is no Kubernetes client), copy
// it into the folder the server serves from, and publish the CA. A CA that cannot be published yet (the
// webhook configuration is applied later) is not an error: the server runs and the next round retries.
#pragma once

#include <string>

#include "initializer/certs.h"

namespace spark_operator::initializer {

class CertSync {
 public:
  // `shared` may be null (no client): `serving` is then the only store. All pointers must outlive this.
  CertSync(CertStore* shared, DirCertStore* serving, CaBundlePublisher* publisher, CertOptions options)
      : shared_(shared), serving_(serving), publisher_(publisher), options_(std::move(options)) {}

  // Error only when there is no usable certificate to serve. Publication failures are logged (once per
  // distinct message, so a missing configuration does not flood the log) and left in ca_published().
  Status RunOnce();
  bool ca_published() const { return ca_published_; }

 private:
  CertStore* const shared_;
  DirCertStore* const serving_;
  CaBundlePublisher* const publisher_;
  const CertOptions options_;
  bool ca_published_ = false;
  std::string last_publish_error_;
};

}  // namespace spark_operator::initializer
