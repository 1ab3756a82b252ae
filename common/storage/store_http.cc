#include "common/storage/store_http.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>

#include "common/base/strings.h"

namespace spark_operator::storage {

std::string Endpoint::HostHeader() const {
  const std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return port == (tls ? "443" : "80") ? name : name + ":" + port;
}

std::string Endpoint::BaseUrl() const {
  const std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "https" : "http") + "://" + name + ":" + port;
}

bool Endpoint::HostIsAddress() const {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec || host == "localhost";
}

Result<Endpoint> ParseEndpoint(std::string_view url, const std::string& what) {
  const auto bad = [&](const std::string& problem) {
    return InvalidArgumentError(what + " \"" + std::string(url) + "\": " + problem);
  };
  Endpoint endpoint;
  std::string_view rest = url;
  if (rest.rfind("https://", 0) == 0) {
    rest.remove_prefix(8);
  } else if (rest.rfind("http://", 0) == 0) {
    endpoint.tls = false;
    rest.remove_prefix(7);
  } else {
    return bad("not of the form http[s]://host[:port][/path]");
  }
  if (rest.find_first_of("?#@") != std::string_view::npos) return bad("no query, fragment or user info allowed");
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    endpoint.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return bad("junk after the IPv6 address");
    if (!authority.empty()) port = authority.substr(1);
  } else {
    const size_t colon = authority.find(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (endpoint.host.empty()) return bad("missing host");
  if (port.empty()) {
    endpoint.port = endpoint.tls ? "443" : "80";
  } else {
    unsigned number = 0;
    const auto parsed = std::from_chars(port.data(), port.data() + port.size(), number);
    if (parsed.ec != std::errc() || parsed.ptr != port.data() + port.size() || number == 0 || number > 65535) {
      return bad("bad port \"" + std::string(port) + "\"");
    }
    endpoint.port = std::to_string(number);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  endpoint.path = std::string(path);
  return endpoint;
}

Result<std::unique_ptr<http::Client>> MakeStoreClient(const Endpoint& endpoint, const StoreOptions& options) {
  http::TlsOptions tls;
  tls.ca_pem = options.ca_pem;
  http::ClientOptions client_options;
  client_options.request_timeout = options.request_timeout;
  client_options.connect_timeout = std::min(options.request_timeout, std::chrono::milliseconds(10'000));
  client_options.max_response_bytes = kMaxControlResponseBytes;
  client_options.max_line_bytes = kMaxControlResponseBytes;
  return http::Client::Create(endpoint.BaseUrl(), tls, client_options);
}

std::string UriEncode(std::string_view text, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    if (unreserved || (c == '/' && !encode_slash)) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

Result<std::string> PathAndQuery(std::string_view url) {
  if (!url.empty() && url.front() == '/') return std::string(url);
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return InvalidArgumentError("not a URL: \"" + Snippet(url) + "\"");
  const size_t path = url.find('/', scheme_end + 3);
  if (path == std::string_view::npos) return std::string("/");
  return std::string(url.substr(path));
}

StatusCode CodeForHttpStatus(int http_status) {
  if (http_status >= 500 || http_status == 408 || http_status == 429) return StatusCode::kUnavailable;
  switch (http_status) {
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kForbidden;
    case 404:
      return StatusCode::kNotFound;
    case 409:
    case 412:
      return StatusCode::kConflict;
    default:
      return http_status >= 400 ? StatusCode::kInvalidArgument : StatusCode::kInternal;
  }
}

Status TransportError(const Status& status, const std::string& what) {
  const StatusCode code = status.code() == StatusCode::kDeadlineExceeded ? StatusCode::kUnavailable : status.code();
  return Status(code, what + ": " + status.message());
}

Status Redact(const Status& status, std::initializer_list<std::string_view> secrets) {
  std::string message = status.message();
  for (const std::string_view secret : secrets) {
    if (secret.empty()) continue;
    constexpr std::string_view kRedacted = "<redacted>";
    for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at + kRedacted.size())) {
      message.replace(at, secret.size(), kRedacted);
    }
  }
  return Status(status.code(), std::move(message), status.http_status());
}

std::string Snippet(std::string_view body) {
  constexpr size_t kMax = 200;
  std::string out = ToValidUtf8(body.substr(0, kMax));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  out = Trim(out);
  if (body.size() > kMax) out += "...";
  return out;
}

Result<std::string> GetBounded(http::Client& client, const http::Request& request, uint64_t max_bytes,
                               std::chrono::milliseconds timeout, const ErrorFromResponse& error,
                               const std::string& what) {
  Result<std::unique_ptr<http::ResponseStream>> stream = client.OpenStream(request);
  if (!stream.ok()) return TransportError(stream.status(), what);
  const int status = (*stream)->status();
  if (status < 200 || status > 299) {
    Result<std::string> body = (*stream)->ReadAll(timeout, kMaxControlResponseBytes);
    return error(status, body.ok() ? *body : "");
  }
  Result<std::string> body = (*stream)->ReadAll(timeout, max_bytes);
  // ReadAll's only Internal error is a body over the limit; the others are the network's.
  if (!body.ok() && body.status().code() == StatusCode::kInternal) {
    return InvalidArgumentError(what + ": object is larger than the " + std::to_string(max_bytes) + " bytes asked for");
  }
  if (!body.ok()) return TransportError(body.status(), what);
  return body;
}

}  // namespace spark_operator::storage
