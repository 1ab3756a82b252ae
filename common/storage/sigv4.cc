#include "common/storage/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>

#include "common/base/strings.h"
#include "common/storage/store_http.h"

namespace spark_operator::storage {
namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &size);
  return std::string(reinterpret_cast<const char*>(mac), size);
}

std::string Lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Header values are trimmed and inner runs of spaces collapsed, as the canonical form requires.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (const char c : Trim(value)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Sorted lowercase names with their values; a repeated header joins its values with ','.
std::vector<std::pair<std::string, std::string>> SortedHeaders(const SigV4Request& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) {
    const std::string lower = Lowercase(name);
    const std::string canonical = CanonicalHeaderValue(value);
    auto same = std::find_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == lower; });
    if (same != headers.end()) {
      same->second += "," + canonical;
    } else {
      headers.emplace_back(lower, canonical);
    }
  }
  std::sort(headers.begin(), headers.end());
  return headers;
}

std::string SignedHeaders(const std::vector<std::pair<std::string, std::string>>& sorted) {
  std::string out;
  for (const auto& [name, value] : sorted) out += (out.empty() ? "" : ";") + name;
  return out;
}

}  // namespace

std::string AmzDate(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) encoded.emplace_back(UriEncode(name, true), UriEncode(value, true));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) out += (out.empty() ? "" : "&") + name + "=" + value;
  return out;
}

std::string CanonicalRequest(const SigV4Request& request) {
  const auto headers = SortedHeaders(request);
  std::string canonical_headers;
  for (const auto& [name, value] : headers) canonical_headers += name + ":" + value + "\n";
  return request.method + "\n" + request.canonical_uri + "\n" + CanonicalQueryString(request.query) + "\n" +
         canonical_headers + "\n" + SignedHeaders(headers) + "\n" + request.payload_sha256;
}

std::string SignV4(const SigV4Request& request, const AwsCredentials& credentials, std::string_view region,
                   std::string_view service, std::string_view amz_date) {
  const std::string date(amz_date.substr(0, 8));
  const std::string scope = date + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + scope + "\n" + Sha256Hex(CanonicalRequest(request));
  std::string key = HmacSha256("AWS4" + credentials.secret_access_key, date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  key = HmacSha256(key, "aws4_request");
  const std::string signature = HmacSha256(key, string_to_sign);
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
         ", SignedHeaders=" + SignedHeaders(SortedHeaders(request)) +
         ", Signature=" + Hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
}

}  // namespace spark_operator::storage
