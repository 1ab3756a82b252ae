// A small HTTP/1.1 server on Boost.Beast: plain or TLS, keep-alive, routing by path, N io threads, body size
// limit, read timeouts, graceful stop. Handlers run on the io threads and must not block for long.
// (ServerRequest/ServerResponse rather than Request/Response: those names belong to the HTTP client.)
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/base/status.h"
#include "common/http/tls_server_context.h"

namespace spark_operator::http {

struct ServerRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // As sent: "/mutate-pods?timeout=10s".
  std::string path;    // The target without the query: "/mutate-pods".
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;

  // The first header with this name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

struct ServerResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static ServerResponse Text(int status, std::string body);
};

using Handler = std::function<ServerResponse(const ServerRequest&)>;

struct ServerOptions {
  std::string address = "0.0.0.0";
  uint16_t port = 0;  // 0: any free port; see Server::port().
  int threads = 1;
  size_t body_limit = 4 << 20;  // Larger bodies get 413.
  // Time allowed to read one request once it started, and to wait for the next one on a kept-alive connection.
  std::chrono::milliseconds read_timeout = std::chrono::seconds(10);
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  // Open connections at most; beyond it the server accepts no more (they wait in the listen backlog) until
  // one closes. Each costs a file descriptor and a little memory.
  size_t max_connections = 1024;
  // After a failed accept (out of file descriptors, ...) the next one waits this long, doubling up to the
  // maximum, so that a listener that stays readable does not spin a core. A successful accept resets it.
  std::chrono::milliseconds accept_backoff_initial = std::chrono::milliseconds(50);
  std::chrono::milliseconds accept_backoff_max = std::chrono::seconds(1);
  // How long Stop() lets in-flight requests finish before closing everything.
  std::chrono::milliseconds stop_grace = std::chrono::seconds(5);
  // TLS when set (the context is consulted on each new connection, so certificate reloads apply).
  std::shared_ptr<TlsServerContext> tls;
};

class Server {
 public:
  // Exact-path routes; anything else gets 404. Methods are the handler's business.
  using Routes = std::map<std::string, Handler>;

  // Binds, listens and starts the io threads. Fails when the address cannot be bound.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options, Routes routes);
  ~Server();  // Stops.

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the real one when options.port was 0).
  uint16_t port() const;
  // Stops accepting, lets requests being handled finish (up to stop_grace), closes idle connections, joins
  // the io threads. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace spark_operator::http
