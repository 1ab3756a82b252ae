// Access tokens for GCS: fetched when missing or about to expire, under a lock so that concurrent uploads share
// one fetch, and never written into a message.
#include "common/storage/gcs_auth.h"

#include <mutex>

#include "common/base/json.h"
#include "common/storage/store_http.h"

namespace spark_operator::storage {
namespace {

struct Token {
  std::string access_token;
  std::chrono::seconds expires_in{0};
};

// {"access_token": ..., "expires_in": ...}, the answer of both the token endpoint and the metadata server.
Result<Token> ParseTokenResponse(const http::Response& response, const std::string& what) {
  Result<rapidjson::Document> doc = ParseJson(response.body);
  if (response.status != 200) {
    std::string detail;
    if (doc.ok() && doc->IsObject()) {
      detail = GetString(*doc, {"error"});
      const std::string description = GetString(*doc, {"error_description"});
      if (!description.empty()) detail += (detail.empty() ? "" : ": ") + description;
    }
    if (detail.empty()) detail = Snippet(response.body);
    // A refused grant (a revoked key, a wrong clock) is the credentials' problem, not a bad request of ours.
    const StatusCode code =
        response.status >= 400 && response.status < 500 && response.status != 408 && response.status != 429
            ? StatusCode::kUnauthenticated
            : CodeForHttpStatus(response.status);
    return Status(code, what + ": HTTP " + std::to_string(response.status) + ": " + Snippet(detail), response.status);
  }
  if (!doc.ok() || !doc->IsObject()) return UnavailableError(what + ": the answer is not a JSON object");
  Token token;
  token.access_token = GetString(*doc, {"access_token"});
  token.expires_in = std::chrono::seconds(GetInt(*doc, {"expires_in"}, 0));
  if (token.access_token.empty()) return UnavailableError(what + ": the answer has no access_token");
  return token;
}

class CachingTokenSource : public TokenSource {
 public:
  Result<std::string> Authorization() final {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (token_.empty() || now >= refresh_at_) {
      ASSIGN_OR_RETURN(const Token fetched, Fetch());
      token_ = fetched.access_token;
      // Renewed five minutes before it expires, or half-way through a shorter life, so that a request never
      // leaves with a token that expires on the way.
      const auto life = std::max(fetched.expires_in, std::chrono::seconds(0));
      refresh_at_ = now + std::max(life - std::chrono::seconds(300), life / 2);
    }
    return "Bearer " + token_;
  }

  std::string CurrentToken() const final {
    const std::lock_guard<std::mutex> lock(mutex_);
    return token_;
  }

 protected:
  virtual Result<Token> Fetch() = 0;

 private:
  mutable std::mutex mutex_;
  std::string token_;
  std::chrono::steady_clock::time_point refresh_at_;
};

class ServiceAccountTokenSource final : public CachingTokenSource {
 public:
  ServiceAccountTokenSource(ServiceAccountKey key, std::unique_ptr<http::Client> client, Endpoint endpoint)
      : key_(std::move(key)), client_(std::move(client)), endpoint_(std::move(endpoint)) {}

 private:
  Result<Token> Fetch() override {
    const std::string what = "getting a GCS access token for " + key_.client_email;
    ASSIGN_OR_RETURN(const std::string assertion,
                     MakeJwtAssertion(key_, kGcsReadWriteScope, std::chrono::system_clock::now()));
    http::Request request;
    request.method = "POST";
    request.target = endpoint_.path.empty() ? "/" : endpoint_.path;
    request.headers = {{"Host", endpoint_.HostHeader()}, {"Content-Type", "application/x-www-form-urlencoded"}};
    request.body =
        "grant_type=" + UriEncode("urn:ietf:params:oauth:grant-type:jwt-bearer", true) + "&assertion=" + assertion;
    Result<http::Response> response = client_->Send(request);
    if (!response.ok()) return TransportError(response.status(), what);
    return ParseTokenResponse(*response, what);
  }

  const ServiceAccountKey key_;
  const std::unique_ptr<http::Client> client_;
  const Endpoint endpoint_;
};

class MetadataTokenSource final : public CachingTokenSource {
 public:
  MetadataTokenSource(std::unique_ptr<http::Client> client, Endpoint endpoint)
      : client_(std::move(client)), endpoint_(std::move(endpoint)) {}

 private:
  Result<Token> Fetch() override {
    const std::string what = "getting a GCS access token from the metadata server " + endpoint_.HostHeader() +
                             " (no service-account key given)";
    http::Request request;
    request.target = endpoint_.path + "/computeMetadata/v1/instance/service-accounts/default/token";
    request.headers = {{"Host", endpoint_.HostHeader()}, {"Metadata-Flavor", "Google"}};
    Result<http::Response> response = client_->Send(request);
    if (!response.ok()) return TransportError(response.status(), what);
    return ParseTokenResponse(*response, what);
  }

  const std::unique_ptr<http::Client> client_;
  const Endpoint endpoint_;
};

class NoTokenSource final : public TokenSource {
 public:
  Result<std::string> Authorization() override { return std::string(); }
  std::string CurrentToken() const override { return ""; }
};

}  // namespace

Result<std::unique_ptr<TokenSource>> MakeGcsTokenSource(const StoreOptions& options, bool emulator) {
  if (!options.gcs_service_account_json.empty()) {
    ASSIGN_OR_RETURN(ServiceAccountKey key, ParseServiceAccountKey(options.gcs_service_account_json));
    ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(key.token_uri, "service-account key token_uri"));
    ASSIGN_OR_RETURN(std::unique_ptr<http::Client> client, MakeStoreClient(endpoint, options));
    return std::unique_ptr<TokenSource>(
        std::make_unique<ServiceAccountTokenSource>(std::move(key), std::move(client), std::move(endpoint)));
  }
  if (emulator) return std::unique_ptr<TokenSource>(std::make_unique<NoTokenSource>());
  const std::string url =
      options.gcs_metadata_endpoint.empty() ? "http://metadata.google.internal" : options.gcs_metadata_endpoint;
  ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(url, "GCS metadata endpoint"));
  ASSIGN_OR_RETURN(std::unique_ptr<http::Client> client, MakeStoreClient(endpoint, options));
  return std::unique_ptr<TokenSource>(std::make_unique<MetadataTokenSource>(std::move(client), std::move(endpoint)));
}

}  // namespace spark_operator::storage
