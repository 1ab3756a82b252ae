// What the GCS and S3 clients share: where a server is, an HTTP client with the store's limits, how object names
// go into URLs, and how HTTP failures become the codes callers act on (object_store.h). Internal to so_storage.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/http/client.h"
#include "common/storage/object_store.h"

namespace spark_operator::storage {

struct Endpoint {
  bool tls = true;
  std::string host;  // An IPv6 address without its brackets.
  std::string port;  // Always set: "443" or "80" when the URL has none.
  std::string path;  // "" or "/prefix", without a trailing '/'.

  // host[:port], the port only when it is not the scheme's default: what the Host header carries (and what
  // Signature Version 4 signs).
  std::string HostHeader() const;
  // scheme://host:port, without the path: requests carry the full path themselves.
  std::string BaseUrl() const;
  // An IP address or "localhost": no DNS name under which a bucket could be a subdomain.
  bool HostIsAddress() const;
};

// "https://host[:port][/path]" or "http://...". InvalidArgument naming `what` ("S3 endpoint") otherwise.
Result<Endpoint> ParseEndpoint(std::string_view url, const std::string& what);

// Control responses (upload ids, token answers, errors) are small; a larger one is refused without being kept.
inline constexpr uint64_t kMaxControlResponseBytes = 1 << 20;

// A client for `endpoint` with the store's timeout and CAs, its responses bounded by kMaxControlResponseBytes.
Result<std::unique_ptr<http::Client>> MakeStoreClient(const Endpoint& endpoint, const StoreOptions& options);

// RFC 3986 percent-encoding of everything but the unreserved characters (and '/' unless `encode_slash`), as GCS
// object names in paths and Signature Version 4's canonical forms need.
std::string UriEncode(std::string_view text, bool encode_slash);

// "/p?q" from "https://h:1/p?q", or `url` when it is already a path: a server's Location is followed on the
// configured endpoint only, never to a host it names.
Result<std::string> PathAndQuery(std::string_view url);

// 5xx, 408 and 429 are Unavailable (try again); 401, 403 and 404 as their names; other 4xx InvalidArgument.
StatusCode CodeForHttpStatus(int http_status);

// A failure to talk to the server at all, with `what` in front; a timeout becomes Unavailable, because for an
// upload it means the same as a refused connection: try again later.
Status TransportError(const Status& status, const std::string& what);

// `status` with every occurrence of each non-empty secret replaced by "<redacted>": a server may echo what it was
// sent (a session token, a bearer token), and no message may carry one.
Status Redact(const Status& status, std::initializer_list<std::string_view> secrets);

// At most 200 bytes of an untrusted response body, printable and valid UTF-8, for a message.
std::string Snippet(std::string_view body);

// GETs one object's body, reading at most about `max_bytes` of it. A non-2xx answer is handed to `error` with its
// body (itself bounded).
using ErrorFromResponse = std::function<Status(int http_status, const std::string& body)>;
Result<std::string> GetBounded(http::Client& client, const http::Request& request, uint64_t max_bytes,
                               std::chrono::milliseconds timeout, const ErrorFromResponse& error,
                               const std::string& what);

}  // namespace spark_operator::storage
