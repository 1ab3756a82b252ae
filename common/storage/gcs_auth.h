// How the GCS client authenticates: a service-account key's OAuth 2.0 JWT bearer flow (RFC 7523, signed RS256
// with the key), the metadata server's token on Google Cloud, or nothing for an emulator. Tokens are kept until
// shortly before they expire. Internal to so_storage.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/storage/object_store.h"

namespace spark_operator::storage {

inline constexpr std::string_view kGcsReadWriteScope = "https://www.googleapis.com/auth/devstorage.read_write";

struct ServiceAccountKey {
  std::string client_email;
  std::string private_key;  // PEM.
  std::string private_key_id;
  std::string token_uri;
};

// The fields of a service-account key file, the private key checked to be a PEM RSA key. InvalidArgument naming
// the missing or bad field, never quoting the key.
Result<ServiceAccountKey> ParseServiceAccountKey(std::string_view json);

// header.claims.signature, each base64url: the assertion the token endpoint exchanges for an access token,
// valid for an hour from `now`.
Result<std::string> MakeJwtAssertion(const ServiceAccountKey& key, std::string_view scope,
                                     std::chrono::system_clock::time_point now);

class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // The Authorization header's value ("Bearer ..."), or "" when requests go without one. Safe from any thread.
  virtual Result<std::string> Authorization() = 0;
  // The token itself, or "", for scrubbing it out of messages.
  virtual std::string CurrentToken() const = 0;
};

// A key when the options have one; else the metadata server, unless `emulator` (a custom endpoint), which gets no
// token at all.
Result<std::unique_ptr<TokenSource>> MakeGcsTokenSource(const StoreOptions& options, bool emulator);

}  // namespace spark_operator::storage
