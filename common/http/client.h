// An HTTP/1.1 client over Boost.Beast for one server (the Kubernetes API server, or a log sink). Requests
// reuse kept-alive connections from a small pool; every network step has a deadline; a response body can be
// read as a stream of lines, which is how the API server sends watch events.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/status.h"

namespace spark_operator::http {

struct TlsOptions {
  std::string ca_pem;           // Trusted CAs; empty means the system's.
  std::string client_cert_pem;  // With client_key_pem: a client certificate for mutual TLS.
  std::string client_key_pem;
  bool insecure_skip_verify = false;
  std::string server_name;  // Name to verify instead of the URL's host.
};

// Resolves a host name to IP addresses (as text). The default is the system resolver, getaddrinfo.
using Resolver = std::function<Result<std::vector<std::string>>(const std::string& host)>;

struct ClientOptions {
  // Covers name resolution, TCP connect and TLS handshake, each step on its own.
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};
  size_t max_idle_connections = 8;
  // A larger response body (Send, ResponseStream::ReadAll) is an error and its connection is dropped. Lists
  // are read in pages, and etcd stores objects of at most 1.5 MiB, so this is far above any real answer.
  uint64_t max_response_bytes = 64ull << 20;
  // A streamed line (one watch event) longer than this is an error, not a buffer that grows without end.
  size_t max_line_bytes = 16 << 20;
  Resolver resolver;  // Empty: the system resolver. Tests substitute a slow one.
};

struct Request {
  std::string method = "GET";
  std::string target;  // Path and query, e.g. "/api/v1/namespaces?limit=10".
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Response {
  int status = 0;
  std::string body;
  std::string content_type;
  // Every header as received, for the few a caller needs (Location, ETag, Range).
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header of that name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

class Connection;

// A response whose body arrives over time. Destroying it closes the connection.
class ResponseStream {
 public:
  explicit ResponseStream(std::unique_ptr<Connection> connection, int status);
  ~ResponseStream();
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  int status() const { return status_; }
  // The next newline-terminated line; nullopt at the end of the body. Waits at most `idle_timeout`. A line
  // longer than ClientOptions::max_line_bytes is an Internal error, and the stream is then unusable.
  Result<std::optional<std::string>> ReadLine(std::chrono::milliseconds idle_timeout);
  // The next piece of the body as it arrives (at most 16 KiB plus what ReadLine left); nullopt at the end.
  // For bodies of any size, read and passed on piece by piece.
  Result<std::optional<std::string>> ReadChunk(std::chrono::milliseconds idle_timeout);
  // The rest of the body, for error responses; at most ClientOptions::max_response_bytes.
  Result<std::string> ReadAll(std::chrono::milliseconds timeout);
  // The same with a limit of the caller's, for a body whose bound depends on the request (an object's size).
  Result<std::string> ReadAll(std::chrono::milliseconds timeout, uint64_t max_bytes);
  // Safe from any thread: makes a blocked ReadLine return Cancelled.
  void Cancel();

 private:
  std::unique_ptr<Connection> connection_;
  const int status_;
  std::string pending_;  // Received bytes not yet returned as a line.
  bool body_done_ = false;
};

class Client {
 public:
  // `base_url` is "https://host:port" or "http://host:port"; a path in it prefixes every request.
  static Result<std::unique_ptr<Client>> Create(const std::string& base_url, const TlsOptions& tls,
                                                const ClientOptions& options = {});
  ~Client();

  // A request that fails on a pooled connection the server had closed is sent again on a new connection,
  // unless it is a POST that was completely written: the server may have acted on it, so that failure is
  // returned (Unavailable) rather than risking the POST twice.
  Result<Response> Send(const Request& request);
  // Sends the request and returns once the response headers are in.
  Result<std::unique_ptr<ResponseStream>> OpenStream(const Request& request);

  const std::string& base_url() const { return base_url_; }

 private:
  struct Impl;
  Client(std::string base_url, std::unique_ptr<Impl> impl);

  // An idle connection from the pool (`reused` set), else a new one.
  Result<std::unique_ptr<Connection>> TakeConnection(bool& reused);
  void ReturnConnection(std::unique_ptr<Connection> connection);

  const std::string base_url_;
  std::unique_ptr<Impl> impl_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace spark_operator::http
