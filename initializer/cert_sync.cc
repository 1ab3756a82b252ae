#include "initializer/cert_sync.h"

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

}  // namespace

Status CertSync::RunOnce() {
  NoPublisher no_publisher;
  CertStore& store = shared_ != nullptr ? *shared_ : *serving_;
  RETURN_IF_ERROR(EnsureCertificates(store, no_publisher, options_));
  ASSIGN_OR_RETURN(const CertBundle bundle, store.Load());
  if (shared_ != nullptr) {
    // Another replica may have renewed the Secret: serve what it holds.
    const Result<CertBundle> serving = serving_->Load();
    if (!serving.ok() || !SameBundle(*serving, bundle)) {
      RETURN_IF_ERROR(serving_->Save(bundle).WithContext("writing the serving certificate"));
      LOG(INFO) << "serving the certificate from the shared Secret";
    }
  }
  const Status published = publisher_->Publish(bundle);
  ca_published_ = published.ok();
  if (published.ok()) {
    if (!last_publish_error_.empty()) LOG(INFO) << "the CA is published now";
    last_publish_error_.clear();
  } else if (published.message() != last_publish_error_) {
    last_publish_error_ = published.message();
    LOG(WARNING) << "could not publish the CA: " << published.ToString()
                 << (IsNotFound(published) ? "; the API server does not call this webhook until the configuration"
                                             " exists. Retrying."
                                           : ". Retrying.");
  }
  return OkStatus();
}

}  // namespace spark_operator::initializer
