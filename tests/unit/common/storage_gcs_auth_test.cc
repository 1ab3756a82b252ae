// GCS authentication: the JWT assertion a service-account key signs, checked with the key's public half, and
// the tokens the client then sends, against small local servers standing in for the token endpoint, the metadata
// server and the storage API.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/base/base64.h"
#include "common/base/json.h"
#include "common/http/server.h"
#include "common/storage/gcs_auth.h"

namespace spark_operator::storage {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey GenerateRsaKey() {
  Pkey key(EVP_RSA_gen(2048));
  REQUIRE(key);
  return key;
}

std::string PrivatePem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string KeyJson(const std::string& pem, const std::string& token_uri) {
  rapidjson::Document doc(rapidjson::kObjectType);
  SetString(doc, {"type"}, "service_account");
  SetString(doc, {"client_email"}, "uploader@project.iam.gserviceaccount.com");
  SetString(doc, {"private_key_id"}, "key-1");
  SetString(doc, {"private_key"}, pem);
  SetString(doc, {"token_uri"}, token_uri);
  return ToJson(doc);
}

std::string FromBase64Url(std::string text) {
  std::replace(text.begin(), text.end(), '-', '+');
  std::replace(text.begin(), text.end(), '_', '/');
  while (text.size() % 4 != 0) text += '=';
  Result<std::string> decoded = Base64Decode(text);
  REQUIRE(decoded.ok());
  return *decoded;
}

std::vector<std::string> SplitDots(const std::string& jwt) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot = jwt.find('.'); dot != std::string::npos; dot = jwt.find('.', start)) {
    parts.push_back(jwt.substr(start, dot - start));
    start = dot + 1;
  }
  parts.push_back(jwt.substr(start));
  return parts;
}

bool VerifyRs256(EVP_PKEY* key, const std::string& signed_part, const std::string& signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                   reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

TEST_CASE("the JWT assertion is RS256-signed by the key, for the token endpoint, valid for an hour") {
  const Pkey key = GenerateRsaKey();
  Result<ServiceAccountKey> account = ParseServiceAccountKey(KeyJson(PrivatePem(key.get()), "https://t.example/token"));
  REQUIRE(account.ok());
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  Result<std::string> jwt = MakeJwtAssertion(*account, kGcsReadWriteScope, now);
  REQUIRE(jwt.ok());

  const std::vector<std::string> parts = SplitDots(*jwt);
  REQUIRE(parts.size() == 3);
  CHECK(VerifyRs256(key.get(), parts[0] + "." + parts[1], FromBase64Url(parts[2])));
  CHECK_FALSE(VerifyRs256(key.get(), parts[0] + "." + parts[1] + "x", FromBase64Url(parts[2])));
  CHECK_FALSE(VerifyRs256(GenerateRsaKey().get(), parts[0] + "." + parts[1], FromBase64Url(parts[2])));

  const rapidjson::Document header = *ParseJson(FromBase64Url(parts[0]));
  CHECK(GetString(header, {"alg"}) == "RS256");
  CHECK(GetString(header, {"typ"}) == "JWT");
  CHECK(GetString(header, {"kid"}) == "key-1");
  const rapidjson::Document claims = *ParseJson(FromBase64Url(parts[1]));
  CHECK(GetString(claims, {"iss"}) == "uploader@project.iam.gserviceaccount.com");
  CHECK(GetString(claims, {"scope"}) == "https://www.googleapis.com/auth/devstorage.read_write");
  CHECK(GetString(claims, {"aud"}) == "https://t.example/token");
  CHECK(GetInt(claims, {"iat"}) == 1'700'000'000);
  CHECK(GetInt(claims, {"exp"}) == 1'700'003'600);
}

TEST_CASE("a malformed service-account key is refused without quoting the key") {
  const std::string pem = PrivatePem(GenerateRsaKey().get());
  CHECK_THAT(ParseServiceAccountKey("{").status().message(), Catch::Contains("malformed JSON"));
  CHECK_THAT(ParseServiceAccountKey(R"({"type":"authorized_user"})").status().message(),
             Catch::Contains("only service-account keys"));
  CHECK_THAT(ParseServiceAccountKey(R"({"type":"service_account","private_key":"x"})").status().message(),
             Catch::Contains("missing client_email"));
  const std::string bad_pem = R"({"type":"service_account","client_email":"a@b","private_key":"-----BEGIN )"
                              R"(PRIVATE KEY-----\nTOPSECRETMATERIAL\n-----END PRIVATE KEY-----\n"})";
  const Status bad = ParseServiceAccountKey(bad_pem).status();
  CHECK(bad.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(bad.message(), Catch::Contains("not a PEM RSA private key"));
  CHECK_THAT(bad.message(), !Catch::Contains("TOPSECRET"));
  Pkey ec(EVP_EC_gen("P-256"));
  CHECK_THAT(ParseServiceAccountKey(KeyJson(PrivatePem(ec.get()), "https://t/")).status().message(),
             Catch::Contains("not a PEM RSA private key"));
  CHECK(ParseServiceAccountKey(KeyJson(pem, "https://t/")).ok());
}

// A token endpoint, a metadata server and one object of the storage API, recording what they were sent.
struct FakeGoogle {
  std::mutex mutex;
  std::vector<std::string> grants;            // Bodies sent to the token endpoint.
  std::vector<std::string> metadata_flavors;  // Metadata-Flavor headers sent to the metadata server.
  std::vector<std::string> authorizations;    // Authorization headers sent to the storage API.
  std::unique_ptr<http::Server> server;

  FakeGoogle() {
    http::ServerOptions options;
    options.address = "127.0.0.1";
    http::Server::Routes routes;
    routes["/token"] = [this](const http::ServerRequest& request) {
      const std::lock_guard<std::mutex> lock(mutex);
      grants.push_back(request.body);
      if (request.body.find("assertion=") == std::string::npos) {
        return http::ServerResponse::Text(400, R"({"error":"invalid_grant","error_description":"no assertion"})");
      }
      return http::ServerResponse::Text(200, R"({"access_token":"sa-token-)" + std::to_string(grants.size()) +
                                                 R"(","expires_in":3599,"token_type":"Bearer"})");
    };
    routes["/computeMetadata/v1/instance/service-accounts/default/token"] = [this](const http::ServerRequest& r) {
      const std::lock_guard<std::mutex> lock(mutex);
      metadata_flavors.push_back(r.Header("Metadata-Flavor"));
      return http::ServerResponse::Text(200, R"({"access_token":"vm-token","expires_in":3599})");
    };
    routes["/storage/v1/b/bkt/o/a%2Fb.log"] = [this](const http::ServerRequest& request) {
      const std::lock_guard<std::mutex> lock(mutex);
      authorizations.push_back(request.Header("Authorization"));
      return http::ServerResponse::Text(200, "object content");
    };
    Result<std::unique_ptr<http::Server>> started = http::Server::Start(options, std::move(routes));
    REQUIRE(started.ok());
    server = std::move(*started);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
};

TEST_CASE("with a service-account key, one token is fetched and sent as a bearer token with every request") {
  FakeGoogle google;
  StoreOptions options;
  options.gcs_endpoint = google.url();
  options.gcs_service_account_json = KeyJson(PrivatePem(GenerateRsaKey().get()), google.url() + "/token");
  Result<std::unique_ptr<ObjectStore>> store = OpenObjectStore(*ParseObjectUrl("gs://bkt/a"), options);
  REQUIRE(store.ok());
  CHECK(google.grants.empty());  // Opening makes no request.

  for (int i = 0; i < 3; ++i) {
    Result<std::string> read = (*store)->Read("b.log", 1024);
    REQUIRE(read.ok());
    CHECK(*read == "object content");
  }
  const std::lock_guard<std::mutex> lock(google.mutex);
  REQUIRE(google.grants.size() == 1);
  CHECK_THAT(google.grants[0],
             Catch::StartsWith("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey"));
  CHECK(google.authorizations == std::vector<std::string>(3, "Bearer sa-token-1"));
  CHECK_THAT((*store)->Describe(), Catch::Equals("gs://bkt/a"));
}

TEST_CASE("with no key, the metadata server's token is asked for with Metadata-Flavor: Google") {
  FakeGoogle google;
  StoreOptions options;
  options.gcs_metadata_endpoint = google.url();
  Result<std::unique_ptr<TokenSource>> tokens = MakeGcsTokenSource(options, /*emulator=*/false);
  REQUIRE(tokens.ok());
  CHECK(*(*tokens)->Authorization() == "Bearer vm-token");
  CHECK(*(*tokens)->Authorization() == "Bearer vm-token");
  CHECK(google.metadata_flavors == std::vector<std::string>{"Google"});
}

TEST_CASE("with a custom endpoint and no key, requests carry no Authorization (an emulator)") {
  FakeGoogle google;
  StoreOptions options;
  options.gcs_endpoint = google.url();
  Result<std::unique_ptr<ObjectStore>> store = OpenObjectStore(*ParseObjectUrl("gs://bkt/a"), options);
  REQUIRE(store.ok());
  REQUIRE((*store)->Read("b.log", 1024).ok());
  CHECK(google.authorizations == std::vector<std::string>{""});
  CHECK(google.metadata_flavors.empty());
}

TEST_CASE("a refused grant is Unauthenticated with the endpoint's reason - no metadata server is Unavailable") {
  FakeGoogle google;
  StoreOptions options;
  options.gcs_endpoint = google.url();
  options.request_timeout = std::chrono::seconds(5);
  // A token endpoint path that answers 404: the key's token_uri is wrong.
  options.gcs_service_account_json = KeyJson(PrivatePem(GenerateRsaKey().get()), google.url() + "/wrong");
  Result<std::unique_ptr<ObjectStore>> store = OpenObjectStore(*ParseObjectUrl("gs://bkt"), options);
  REQUIRE(store.ok());
  const Status refused = (*store)->Read("a/b.log", 10).status();
  CHECK(refused.code() == StatusCode::kUnauthenticated);
  CHECK_THAT(refused.message(), Catch::Contains("getting a GCS access token for uploader@"));
  CHECK_THAT(refused.message(), Catch::Contains("HTTP 404"));

  StoreOptions no_metadata;
  no_metadata.gcs_metadata_endpoint = "http://127.0.0.1:1";
  Result<std::unique_ptr<TokenSource>> tokens = MakeGcsTokenSource(no_metadata, /*emulator=*/false);
  REQUIRE(tokens.ok());
  const Status unreachable = (*tokens)->Authorization().status();
  CHECK(unreachable.code() == StatusCode::kUnavailable);
  CHECK_THAT(unreachable.message(), Catch::Contains("metadata server"));
}

}  // namespace
}  // namespace spark_operator::storage
