// Self-managed TLS for the webhook: a private CA and a serving certificate for the Service's DNS names,
// made with OpenSSL 3, kept in a directory the server reloads from, renewed before they expire.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace spark_operator::initializer {

struct CertBundle {
  std::string ca_cert_pem;  // What the MutatingWebhookConfiguration's caBundle must hold.
  std::string ca_key_pem;
  std::string cert_pem;  // Serving certificate, signed by the CA.
  std::string key_pem;
};

struct CertOptions {
  std::string common_name;
  std::vector<std::string> sans;  // DNS names and IP addresses (recognised by their syntax).
  std::chrono::hours validity = std::chrono::hours(24 * 365);
};

// "<svc>.<ns>.svc" and "<svc>.<ns>.svc.cluster.local" (and "<svc>", "<svc>.<ns>").
std::vector<std::string> ServiceDnsNames(const std::string& service, const std::string& ns);

// A new P-256 CA and a serving certificate with `options.sans`, both valid from now for `validity`.
Result<CertBundle> GenerateCertificates(const CertOptions& options);

struct CertInfo {
  std::chrono::system_clock::time_point not_after;
  std::vector<std::string> sans;  // As above: DNS names and IP addresses as text.
};
Result<CertInfo> InspectCertificate(const std::string& cert_pem);

// True when `bundle` cannot be used as is: unparsable, expiring within `renew_before`, missing one of
// `sans`, or not signed by its CA.
bool NeedsRenewal(const CertBundle& bundle, const std::vector<std::string>& sans,
                  std::chrono::system_clock::time_point now,
                  std::chrono::hours renew_before = std::chrono::hours(24 * 30));

// Where the bundle lives between restarts. DirCertStore: ca.crt, ca.key, tls.crt, tls.key in one folder
// (the server reads tls.crt/tls.key from there). Writes go through a temporary file and rename, so the server
// never loads half a file.
class CertStore {
 public:
  virtual ~CertStore() = default;
  virtual Result<CertBundle> Load() = 0;  // NotFound when nothing is stored yet.
  virtual Status Save(const CertBundle& bundle) = 0;
};

class DirCertStore final : public CertStore {
 public:
  explicit DirCertStore(std::string dir) : dir_(std::move(dir)) {}
  Result<CertBundle> Load() override;
  Status Save(const CertBundle& bundle) override;
  std::string cert_file() const { return dir_ + "/tls.crt"; }
  std::string key_file() const { return dir_ + "/tls.key"; }

 private:
  std::string dir_;
};

// Makes the CA known to the API server. WebhookCaPublisher (kube_certs.h) writes it into the
// MutatingWebhookConfiguration; without a Kubernetes client, LoggingCaPublisher logs it (once per CA) so an
// operator can paste it into the configuration by hand. Publish must be idempotent: CertSync calls it on
// every check, so a configuration applied after the start still gets the CA.
class CaBundlePublisher {
 public:
  virtual ~CaBundlePublisher() = default;
  virtual Status Publish(const CertBundle& bundle) = 0;
};

class LoggingCaPublisher final : public CaBundlePublisher {
 public:
  explicit LoggingCaPublisher(std::string webhook_config_name) : webhook_config_name_(std::move(webhook_config_name)) {}
  Status Publish(const CertBundle& bundle) override;

 private:
  std::string webhook_config_name_;
  std::string logged_ca_;
};

// Loads the stored bundle, makes a new one when NeedsRenewal says so, saves it and publishes the CA.
// Called at start and then periodically; `renewed` tells whether a new bundle was made. When Save reports
// that another writer got there first (AlreadyExists, Conflict), the stored bundle is used instead.
Status EnsureCertificates(CertStore& store, CaBundlePublisher& publisher, const CertOptions& options,
                          bool* renewed = nullptr);

}  // namespace spark_operator::initializer
