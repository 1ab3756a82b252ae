// The self-managed certificates, shared through the cluster: a CertStore over one Secret, so every replica and
// every restart serves a certificate from one CA, and a CaBundlePublisher that writes that CA into
// clientConfig.caBundle of every webhook in our MutatingWebhookConfiguration.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "common/kube/client.h"
#include "initializer/certs/certs.h"

namespace spark_operator::initializer {

inline constexpr char kDefaultCertSecretName[] = "spark-operator-initializer-certs";

// Keys ca.crt, ca.key, tls.crt, tls.key (type Opaque). Save is conditional: it creates the Secret when Load
// found none, else updates the version Load returned. When another replica wrote first, Save fails with
// AlreadyExists or Conflict, and EnsureCertificates loads the winner's bundle instead of overwriting it.
class SecretCertStore final : public CertStore {
 public:
  SecretCertStore(std::shared_ptr<kube::Client> client, std::string ns, std::string name)
      : client_(std::move(client)), ns_(std::move(ns)), name_(std::move(name)) {}
  // A Secret with a missing or undecodable key loads with that field empty, which NeedsRenewal replaces.
  Result<CertBundle> Load() override;
  Status Save(const CertBundle& bundle) override;

 private:
  const std::shared_ptr<kube::Client> client_;
  const std::string ns_;
  const std::string name_;
  std::mutex mutex_;
  std::string resource_version_;  // Of the last Load; empty when the Secret did not exist.
};

// Fetch, set caBundle where it differs, update; a conflicting concurrent writer makes it start over (a few
// times). NotFound when the configuration does not exist (yet): the caller retries later.
//
// caBundle holds the new CA followed by the previous one while that is still valid: CertSync serves a
// certificate from a new CA only after it is published, while the old CA still covers what is served now.
class WebhookCaPublisher final : public CaBundlePublisher {
 public:
  WebhookCaPublisher(std::shared_ptr<kube::Client> client, std::string config_name)
      : client_(std::move(client)), config_name_(std::move(config_name)) {}
  Status Publish(const CertBundle& bundle) override;

 private:
  const std::shared_ptr<kube::Client> client_;
  const std::string config_name_;
};

// What caBundle should hold (PEM, before base64) given the new CA and what it holds now.
std::string DesiredCaBundle(const std::string& ca_cert_pem, const std::string& current_pem);

}  // namespace spark_operator::initializer
