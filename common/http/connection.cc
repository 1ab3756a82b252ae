#include "common/http/connection.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/version.hpp>

namespace spark_operator::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

constexpr uint64_t kMaxResponseBytes = 512ull << 20;  // A list of many objects can be large.

bool IsIpAddress(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

Connection::Connection(const ServerAddress& server, std::shared_ptr<asio::ssl::context> ssl,
                       const ClientOptions& options)
    : server_(server), options_(options), ssl_(std::move(ssl)) {
  if (server_.tls) {
    tls_stream_.emplace(io_, *ssl_);
  } else {
    plain_stream_.emplace(io_);
  }
}

Connection::~Connection() {
  beast::error_code ignored;
  lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  lowest().socket().close(ignored);
}

beast::tcp_stream& Connection::lowest() {
  return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *plain_stream_;
}

template <typename F>
auto Connection::WithStream(F&& f) {
  if (tls_stream_) return f(*tls_stream_);
  return f(*plain_stream_);
}

template <typename Start>
boost::system::error_code Connection::Run(std::chrono::milliseconds timeout, Start&& start) {
  if (cancelled_) return asio::error::operation_aborted;
  lowest().expires_after(timeout);
  boost::system::error_code result = asio::error::would_block;
  start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  io_.restart();
  io_.run();
  if (cancelled_) return asio::error::operation_aborted;
  return result;
}

Status Connection::NetworkError(const char* step, const boost::system::error_code& ec) {
  reusable_ = false;
  const std::string where = std::string(step) + " " + server_.host + ":" + server_.port + ": ";
  if (cancelled_ || ec == asio::error::operation_aborted) return CancelledError(where + "cancelled");
  if (ec == beast::error::timeout) return DeadlineExceededError(where + "timed out");
  return UnavailableError(where + ec.message());
}

Status Connection::Connect() {
  tcp::resolver resolver(io_);
  boost::system::error_code ec;
  const auto endpoints = resolver.resolve(server_.host, server_.port, ec);
  if (ec) return NetworkError("resolving", ec);
  ec = Run(options_.connect_timeout, [&](auto handler) { lowest().async_connect(endpoints, handler); });
  if (ec) return NetworkError("connecting to", ec);
  lowest().socket().set_option(tcp::no_delay(true), ec);
  if (!tls_stream_) return OkStatus();

  if (!IsIpAddress(server_.verify_name) &&
      !SSL_set_tlsext_host_name(tls_stream_->native_handle(), server_.verify_name.c_str())) {
    return InternalError("setting TLS server name " + server_.verify_name);
  }
  if (server_.verify) {
    tls_stream_->set_verify_mode(asio::ssl::verify_peer);
    tls_stream_->set_verify_callback(asio::ssl::host_name_verification(server_.verify_name));
  } else {
    tls_stream_->set_verify_mode(asio::ssl::verify_none);
  }
  ec = Run(options_.connect_timeout, [&](auto handler) {
    tls_stream_->async_handshake(asio::ssl::stream_base::client, handler);
  });
  if (ec) return NetworkError("TLS handshake with", ec);
  return OkStatus();
}

Status Connection::Write(const Request& request) {
  const bhttp::verb verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) return InvalidArgumentError("unknown HTTP method " + request.method);
  bhttp::request<bhttp::string_body> message{verb, server_.path_prefix + request.target, 11};
  message.set(bhttp::field::host, server_.host);
  message.set(bhttp::field::user_agent, "spark-operator/v1alpha1");
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.keep_alive(true);
  message.prepare_payload();
  const auto ec = Run(options_.request_timeout, [&](auto handler) {
    WithStream([&](auto& stream) { bhttp::async_write(stream, message, handler); });
  });
  if (ec) return NetworkError("sending to", ec);
  return OkStatus();
}

Result<Response> Connection::ReadResponse() {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  const auto ec = Run(options_.request_timeout, [&](auto handler) {
    WithStream([&](auto& stream) { bhttp::async_read(stream, buffer_, parser, handler); });
  });
  if (ec) return NetworkError("reading from", ec);
  auto message = parser.release();
  if (!message.keep_alive()) reusable_ = false;
  Response response;
  response.status = static_cast<int>(message.result_int());
  response.content_type = std::string(message[bhttp::field::content_type]);
  response.body = std::move(message.body());
  return response;
}

Result<int> Connection::ReadStreamHeader() {
  reusable_ = false;  // A streamed connection is never returned to the pool.
  stream_parser_.emplace();
  stream_parser_->body_limit(boost::none);
  const auto ec = Run(options_.request_timeout, [&](auto handler) {
    WithStream([&](auto& stream) { bhttp::async_read_header(stream, buffer_, *stream_parser_, handler); });
  });
  if (ec) return NetworkError("reading from", ec);
  return static_cast<int>(stream_parser_->get().result_int());
}

Status Connection::ReadStreamPiece(std::chrono::milliseconds timeout, std::string& out, bool& done) {
  if (stream_parser_->is_done()) {
    done = true;
    return OkStatus();
  }
  char piece[16 * 1024];
  auto& body = stream_parser_->get().body();
  body.data = piece;
  body.size = sizeof piece;
  auto ec = Run(timeout, [&](auto handler) {
    WithStream([&](auto& stream) { bhttp::async_read_some(stream, buffer_, *stream_parser_, handler); });
  });
  if (ec == bhttp::error::need_buffer) ec = {};  // The piece buffer is full: not an error.
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof) {
    done = true;
    return OkStatus();
  }
  if (ec) return NetworkError("reading from", ec);
  out.append(piece, sizeof piece - body.size);
  done = stream_parser_->is_done();
  return OkStatus();
}

void Connection::Cancel() {
  cancelled_ = true;
  // Runs on the thread that drives io_, the only one allowed to touch the socket.
  asio::post(io_, [this] { lowest().cancel(); });
}

}  // namespace spark_operator::http
