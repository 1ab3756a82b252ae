// The service-account key and the RS256 JWT it signs (RFC 7519, 7515), with OpenSSL's EVP interface.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <memory>

#include "common/base/base64.h"
#include "common/base/json.h"
#include "common/storage/gcs_auth.h"

namespace spark_operator::storage {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// The key, or null. OpenSSL's error queue is cleared either way: it is per thread and shared with the TLS code,
// which would otherwise find this failure there later.
Pkey LoadRsaKey(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  if (key && EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) key.reset();
  return key;
}

std::string Base64Url(std::string_view data) {
  std::string text = Base64Encode(data);
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  text.erase(std::find(text.begin(), text.end(), '='), text.end());
  return text;
}

Result<std::string> SignRs256(const std::string& pem, std::string_view data) {
  const Pkey key = LoadRsaKey(pem);
  if (!key) return InvalidArgumentError("service-account key: private_key is not a PEM RSA private key");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t size = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  std::string signature;
  bool ok = ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
            EVP_DigestSign(ctx.get(), nullptr, &size, bytes, data.size()) == 1;
  if (ok) {
    signature.resize(size);
    ok = EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, bytes, data.size()) == 1;
    signature.resize(size);
  }
  ERR_clear_error();
  if (!ok) return InternalError("signing the service-account assertion failed");
  return signature;
}

}  // namespace

Result<ServiceAccountKey> ParseServiceAccountKey(std::string_view json) {
  Result<rapidjson::Document> doc = ParseJson(json);
  // The parser's message quotes nothing of the input, only an offset, so it may be passed on.
  if (!doc.ok()) return doc.status().WithContext("service-account key");
  if (!doc->IsObject()) return InvalidArgumentError("service-account key: not a JSON object");
  const std::string type = GetString(*doc, {"type"});
  if (type != "service_account") {
    return InvalidArgumentError("service-account key: type is \"" + type +
                                "\", not \"service_account\" (only service-account keys are supported)");
  }
  ServiceAccountKey key;
  key.client_email = GetString(*doc, {"client_email"});
  key.private_key = GetString(*doc, {"private_key"});
  key.private_key_id = GetString(*doc, {"private_key_id"});
  key.token_uri = GetString(*doc, {"token_uri"}, "https://oauth2.googleapis.com/token");
  if (key.client_email.empty()) return InvalidArgumentError("service-account key: missing client_email");
  if (key.private_key.empty()) return InvalidArgumentError("service-account key: missing private_key");
  if (!LoadRsaKey(key.private_key)) {
    return InvalidArgumentError("service-account key: private_key is not a PEM RSA private key");
  }
  return key;
}

Result<std::string> MakeJwtAssertion(const ServiceAccountKey& key, std::string_view scope,
                                     std::chrono::system_clock::time_point now) {
  rapidjson::Document header(rapidjson::kObjectType);
  SetString(header, {"alg"}, "RS256");
  SetString(header, {"typ"}, "JWT");
  if (!key.private_key_id.empty()) SetString(header, {"kid"}, key.private_key_id);
  const int64_t iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  rapidjson::Document claims(rapidjson::kObjectType);
  SetString(claims, {"iss"}, key.client_email);
  SetString(claims, {"scope"}, scope);
  SetString(claims, {"aud"}, key.token_uri);
  SetPath(claims, {"iat"}, rapidjson::Value(iat));
  SetPath(claims, {"exp"}, rapidjson::Value(iat + 3600));
  const std::string signing_input = Base64Url(ToJson(header)) + "." + Base64Url(ToJson(claims));
  ASSIGN_OR_RETURN(const std::string signature, SignRs256(key.private_key, signing_input));
  return signing_input + "." + Base64Url(signature);
}

}  // namespace spark_operator::storage
