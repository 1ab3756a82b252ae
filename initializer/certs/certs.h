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
  std::chrono::seconds validity = std::chrono::hours(24 * 365);  // Of the serving certificate.
  std::chrono::seconds ca_validity = std::chrono::hours(24 * 365 * 10);
  // A serving certificate is renewed when less than this remains of it.
  std::chrono::seconds renew_before = std::chrono::hours(24 * 30);
};

// "<svc>.<ns>.svc" and "<svc>.<ns>.svc.cluster.local" (and "<svc>", "<svc>.<ns>").
std::vector<std::string> ServiceDnsNames(const std::string& service, const std::string& ns);

// A new P-256 CA (valid for `ca_validity`) and a serving certificate with `options.sans` (for `validity`).
Result<CertBundle> GenerateCertificates(const CertOptions& options);

// A new serving certificate from the CA of `ca` (its ca_cert_pem and ca_key_pem), valid for `validity` but
// never past the CA. The CA is kept: the API server already trusts it, so the new certificate can be served
// at once.
Result<CertBundle> IssueServingCertificate(const CertBundle& ca, const CertOptions& options);

// InvalidArgument naming the field when certificates made with `options` would be renewed at once.
Status ValidateCertOptions(const CertOptions& options);

// The certificates in a PEM bundle, one PEM block each (read with OpenSSL; other blocks are skipped).
std::vector<std::string> SplitPemCertificates(const std::string& pem);

struct CertInfo {
  std::chrono::system_clock::time_point not_after;
  std::vector<std::string> sans;  // As above: DNS names and IP addresses as text.
};
Result<CertInfo> InspectCertificate(const std::string& cert_pem);

// True when the serving certificate of `bundle` cannot be used as is: unparsable, expiring within
// `renew_before` (or its CA is), missing one of `sans`, or not signed by its CA.
bool NeedsRenewal(const CertBundle& bundle, const std::vector<std::string>& sans,
                  std::chrono::system_clock::time_point now,
                  std::chrono::seconds renew_before = std::chrono::hours(24 * 30));

// True when the CA must be replaced: unparsable, its key does not match, or less than twice `renew_before`
// remains. Twice, so that the new CA can be published and trusted while the old one is still valid.
bool CaNeedsRenewal(const CertBundle& bundle, std::chrono::system_clock::time_point now,
                    std::chrono::seconds renew_before);

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

// Loads the stored bundle and, when NeedsRenewal or CaNeedsRenewal says so, replaces it, saves it and
// publishes the CA. Only the serving certificate is replaced while the CA is good, so a renewal does not
// change what the API server must trust; a new CA is made only when the old one nears its end (CertSync then
// serves it only once it is published). Called at start and then periodically; `renewed` tells whether a
// new bundle was made. When Save reports
// that another writer got there first (AlreadyExists, Conflict), the stored bundle is used instead.
Status EnsureCertificates(CertStore& store, CaBundlePublisher& publisher, const CertOptions& options,
                          bool* renewed = nullptr);

}  // namespace spark_operator::initializer
