// One HTTP connection, plain or TLS, driven synchronously by its own io_context so that every step can carry
// a deadline (Beast's tcp_stream timeouts only apply to asynchronous operations). Internal to client.cc.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/http/client.h"

namespace spark_operator::http {

struct ServerAddress {
  std::string host;
  std::string port;
  std::string path_prefix;  // Prepended to every request target.
  bool tls = false;
  std::string verify_name;  // The name the server certificate must carry.
  bool verify = true;
};

class Connection {
 public:
  Connection(const ServerAddress& server, std::shared_ptr<boost::asio::ssl::context> ssl, const ClientOptions& options);
  ~Connection();

  Status Connect();
  Status Write(const Request& request);
  Result<Response> ReadResponse();
  // For streamed bodies: the status line and headers, then the body in pieces.
  Result<int> ReadStreamHeader();
  // Appends the next received piece of body to `out`; sets `done` at the end of the body.
  Status ReadStreamPiece(std::chrono::milliseconds timeout, std::string& out, bool& done);

  // True when an idle connection has something to read (the server's close, a reset, stray bytes): it must
  // not carry a request. Does not block.
  bool LooksClosed();
  const ClientOptions& options() const { return options_; }

  // Safe from any thread: aborts the operation in progress and every later one.
  void Cancel();
  // False after an error, or when the server asked to close.
  bool reusable() const { return reusable_; }

 private:
  template <typename Start>
  boost::system::error_code Run(std::chrono::milliseconds timeout, Start&& start);
  template <typename F>
  auto WithStream(F&& f);
  boost::beast::tcp_stream& lowest();
  Status NetworkError(const char* step, const boost::system::error_code& ec);

  const ServerAddress server_;
  const ClientOptions options_;
  std::shared_ptr<boost::asio::ssl::context> ssl_;
  boost::asio::io_context io_;  // Declared before the streams that use it, so it outlives them.
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_stream_;
  std::optional<boost::beast::tcp_stream> plain_stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> stream_parser_;
  std::atomic<bool> cancelled_{false};
  bool reusable_ = true;
};

}  // namespace spark_operator::http
