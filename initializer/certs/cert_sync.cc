#include "initializer/certs/cert_sync.h"

#include <glog/logging.h>

namespace spark_operator::initializer {
namespace {

// EnsureCertificates publishes a new bundle itself; CertSync publishes on every round instead, so that
// publication is retried and a configuration re-created without caBundle is repaired.
class NoPublisher final : public CaBundlePublisher {
 public:
  Status Publish(const CertBundle&) override { return OkStatus(); }
};

bool SameBundle(const CertBundle& a, const CertBundle& b) {
  return a.ca_cert_pem == b.ca_cert_pem && a.cert_pem == b.cert_pem && a.key_pem == b.key_pem;
}

bool Expired(const CertBundle& bundle) {
  const Result<CertInfo> info = InspectCertificate(bundle.cert_pem);
  return !info.ok() || info->not_after <= std::chrono::system_clock::now();
}

}  // namespace

Result<CertBundle> MemoryCertStore::Load() {
  if (!bundle_) return NotFoundError("no certificates in memory");
  return *bundle_;
}

Status MemoryCertStore::Save(const CertBundle& bundle) {
  bundle_ = bundle;
  return OkStatus();
}

Status CertSync::RunOnce() {
  NoPublisher no_publisher;
  CertStore* source = shared_;
  if (source == nullptr) {
    // Alone, a new bundle waits in memory (and is made again after a restart) until it may be served.
    if (!pending_seeded_) {
      if (const Result<CertBundle> serving = serving_->Load(); serving.ok()) {
        RETURN_IF_ERROR(pending_.Save(*serving));
      }
      pending_seeded_ = true;
    }
    source = &pending_;
  }
  RETURN_IF_ERROR(EnsureCertificates(*source, no_publisher, options_));
  ASSIGN_OR_RETURN(const CertBundle bundle, source->Load());

  const Status published = publisher_->Publish(bundle);
  ca_published_ = published.ok();
  if (published.ok()) {
    if (!last_publish_error_.empty()) LOG(INFO) << "the CA is published now";
    last_publish_error_.clear();
    if (published_ca_ != bundle.ca_cert_pem) {
      published_ca_ = bundle.ca_cert_pem;
      published_at_ = std::chrono::steady_clock::now();
    }
  } else if (published.message() != last_publish_error_) {
    last_publish_error_ = published.message();
    LOG(WARNING) << "could not publish the CA: " << published.ToString()
                 << (IsNotFound(published) ? "; the API server does not call this webhook until the configuration"
                                             " exists. Retrying."
                                           : ". Retrying.");
  }

  const Result<CertBundle> serving = serving_->Load();
  if (serving.ok() && SameBundle(*serving, bundle)) {
    switch_pending_ = false;
    return OkStatus();
  }
  const bool same_ca = serving.ok() && serving->ca_cert_pem == bundle.ca_cert_pem;
  const bool trusted =
      published_ca_ == bundle.ca_cert_pem && std::chrono::steady_clock::now() - published_at_ >= ca_propagation_;
  // With nothing servable at hand, serving the new certificate early is the better of two failures.
  if (!same_ca && !trusted && serving.ok() && !Expired(*serving)) {
    if (!switch_pending_) {
      LOG(INFO) << "a new CA is in the store; serving the current certificate until the API server trusts the "
                   "new CA";
    }
    switch_pending_ = true;
    return OkStatus();
  }
  RETURN_IF_ERROR(serving_->Save(bundle).WithContext("writing the serving certificate"));
  switch_pending_ = false;
  LOG(INFO) << "serving a new certificate" << (same_ca ? "" : " from a new CA");
  return OkStatus();
}

}  // namespace spark_operator::initializer
