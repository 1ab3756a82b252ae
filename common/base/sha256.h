// SHA-256 through OpenSSL, whole or incremental: content digests in log manifests, S3 request signing,
// deterministic names.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace spark_operator {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // The digest of everything passed to Update, as 64 lower-case hex digits. Ends the hash.
  std::string HexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

std::string Sha256Hex(std::string_view data);

}  // namespace spark_operator
