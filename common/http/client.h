// An HTTP/1.1 client over Boost.Beast for one server (the Kubernetes API server, or a log sink). Requests
// reuse kept-alive connections from a small pool; every network step has a deadline; a response body can be
// read as a stream of lines, which is how the API server sends watch events.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
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

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000};
  size_t max_idle_connections = 8;
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
  // The next newline-terminated line; nullopt at the end of the body. Waits at most `idle_timeout`.
  Result<std::optional<std::string>> ReadLine(std::chrono::milliseconds idle_timeout);
  // The rest of the body, for error responses.
  Result<std::string> ReadAll(std::chrono::milliseconds timeout);
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
