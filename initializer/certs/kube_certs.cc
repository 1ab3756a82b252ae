#include "initializer/certs/kube_certs.h"

#include <glog/logging.h>

#include <chrono>
#include <utility>

#include "common/base/base64.h"
#include "common/base/json.h"

namespace spark_operator::initializer {
namespace {

constexpr int kUpdateAttempts = 5;

std::string DecodedOrEmpty(const rapidjson::Value& secret, const char* key) {
  const Result<std::string> decoded = Base64Decode(GetString(secret, {"data", key}));
  return decoded.ok() ? *decoded : "";
}

}  // namespace

Result<CertBundle> SecretCertStore::Load() {
  const std::lock_guard lock(mutex_);
  Result<rapidjson::Document> secret = client_->Get(kube::resources::kSecrets, ns_, name_);
  if (!secret.ok()) {
    if (IsNotFound(secret.status())) resource_version_.clear();
    return secret.status().WithContext("Secret " + ns_ + "/" + name_);
  }
  resource_version_ = ResourceVersionOf(*secret);
  CertBundle bundle;
  bundle.ca_cert_pem = DecodedOrEmpty(*secret, "ca.crt");
  bundle.ca_key_pem = DecodedOrEmpty(*secret, "ca.key");
  bundle.cert_pem = DecodedOrEmpty(*secret, "tls.crt");
  bundle.key_pem = DecodedOrEmpty(*secret, "tls.key");
  return bundle;
}

Status SecretCertStore::Save(const CertBundle& bundle) {
  const std::lock_guard lock(mutex_);
  rapidjson::Document secret;
  secret.SetObject();
  SetString(secret, {"apiVersion"}, "v1");
  SetString(secret, {"kind"}, "Secret");
  SetString(secret, {"metadata", "name"}, name_);
  SetString(secret, {"metadata", "namespace"}, ns_);
  SetString(secret, {"metadata", "labels", "app.kubernetes.io/name"}, "spark-operator-initializer");
  SetString(secret, {"metadata", "labels", "app.kubernetes.io/part-of"}, "spark-operator");
  SetString(secret, {"type"}, "Opaque");
  SetString(secret, {"data", "ca.crt"}, Base64Encode(bundle.ca_cert_pem));
  SetString(secret, {"data", "ca.key"}, Base64Encode(bundle.ca_key_pem));
  SetString(secret, {"data", "tls.crt"}, Base64Encode(bundle.cert_pem));
  SetString(secret, {"data", "tls.key"}, Base64Encode(bundle.key_pem));
  Result<rapidjson::Document> written = [&] {
    if (resource_version_.empty()) return client_->Create(kube::resources::kSecrets, ns_, secret);
    SetString(secret, {"metadata", "resourceVersion"}, resource_version_);
    return client_->Update(kube::resources::kSecrets, secret);
  }();
  if (!written.ok()) return written.status().WithContext("saving Secret " + ns_ + "/" + name_);
  resource_version_ = ResourceVersionOf(*written);
  LOG(INFO) << "stored the webhook certificates in Secret " << ns_ << "/" << name_;
  return OkStatus();
}

std::string DesiredCaBundle(const std::string& ca_cert_pem, const std::string& current_pem) {
  const std::vector<std::string> wanted = SplitPemCertificates(ca_cert_pem);
  std::string desired = wanted.empty() ? ca_cert_pem : wanted.front();
  // One previous CA at most: enough to cover one renewal, and an old CA never lingers past its expiry.
  for (const std::string& cert : SplitPemCertificates(current_pem)) {
    if (cert == desired) continue;
    const Result<CertInfo> info = InspectCertificate(cert);
    if (info.ok() && info->not_after > std::chrono::system_clock::now()) {
      desired += cert;
      break;
    }
  }
  return desired;
}

Status WebhookCaPublisher::Publish(const CertBundle& bundle) {
  const kube::Resource& resource = kube::resources::kMutatingWebhookConfigurations;
  for (int attempt = 1;; ++attempt) {
    Result<rapidjson::Document> config = client_->Get(resource, "", config_name_);
    if (!config.ok()) return config.status().WithContext("MutatingWebhookConfiguration " + config_name_);
    rapidjson::Value* webhooks = nullptr;
    if (auto it = config->FindMember("webhooks"); it != config->MemberEnd() && it->value.IsArray()) {
      webhooks = &it->value;
    }
    if (webhooks == nullptr || webhooks->Empty()) {
      return NotFoundError("MutatingWebhookConfiguration " + config_name_ + " has no webhooks");
    }
    auto& a = config->GetAllocator();
    size_t changed = 0;
    for (rapidjson::Value& webhook : webhooks->GetArray()) {
      if (!webhook.IsObject()) continue;
      const Result<std::string> current = Base64Decode(GetString(webhook, {"clientConfig", "caBundle"}));
      const std::string desired = Base64Encode(DesiredCaBundle(bundle.ca_cert_pem, current.ok() ? *current : ""));
      if (GetString(webhook, {"clientConfig", "caBundle"}) == desired) continue;
      if (!webhook.HasMember("clientConfig")) webhook.AddMember("clientConfig", rapidjson::kObjectType, a);
      rapidjson::Value& client_config = webhook["clientConfig"];
      if (client_config.HasMember("caBundle")) client_config.RemoveMember("caBundle");
      client_config.AddMember("caBundle", JsonString(desired, a), a);
      ++changed;
    }
    if (changed == 0) return OkStatus();
    const Result<rapidjson::Document> updated = client_->Update(resource, *config);
    if (updated.ok()) {
      LOG(INFO) << "published the CA to " << changed << " webhook(s) of MutatingWebhookConfiguration " << config_name_;
      return OkStatus();
    }
    if (!IsConflict(updated.status()) || attempt == kUpdateAttempts) {
      return updated.status().WithContext("updating MutatingWebhookConfiguration " + config_name_);
    }
  }
}

}  // namespace spark_operator::initializer
