#include "common/http/connection.h"

#include <poll.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/version.hpp>
#include <charconv>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <system_error>
#include <thread>

namespace spark_operator::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

bool IsIpAddress(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

Result<std::vector<std::string>> SystemResolve(const std::string& host) {
  asio::io_context io;
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto results = resolver.resolve(host, "0", ec);
  if (ec) return UnavailableError("resolving " + host + ": " + ec.message());
  std::vector<std::string> addresses;
  for (const auto& entry : results) addresses.push_back(entry.endpoint().address().to_string());
  return addresses;
}

// getaddrinfo cannot be cancelled, and Asio's async_resolve waits for it on shutdown, so the lookup runs on a
// thread of its own that is left behind when the deadline passes; it ends whenever the lookup does.
Result<std::vector<tcp::endpoint>> Resolve(const std::string& host, const std::string& port, const Resolver& resolver,
                                           std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  unsigned short port_number = 0;
  if (const auto parsed = std::from_chars(port.data(), port.data() + port.size(), port_number);
      parsed.ec != std::errc() || parsed.ptr != port.data() + port.size()) {
    return InvalidArgumentError("bad port \"" + port + "\"");
  }
  if (const auto address = asio::ip::make_address(host, ec); !ec) {
    return std::vector<tcp::endpoint>{tcp::endpoint(address, port_number)};
  }
  struct Lookup {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    Result<std::vector<std::string>> result = InternalError("not resolved");
  };
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([lookup, host, resolver] {
      Result<std::vector<std::string>> result = resolver ? resolver(host) : SystemResolve(host);
      const std::lock_guard<std::mutex> lock(lookup->mutex);
      lookup->result = std::move(result);
      lookup->done = true;
      lookup->done_cv.notify_all();
    }).detach();
  } catch (const std::system_error& e) {
    return UnavailableError("resolving " + host + ": " + e.what());
  }
  std::unique_lock<std::mutex> lock(lookup->mutex);
  if (!lookup->done_cv.wait_for(lock, timeout, [&] { return lookup->done; })) {
    return DeadlineExceededError("resolving " + host + ": timed out after " + std::to_string(timeout.count()) + "ms");
  }
  RETURN_IF_ERROR(lookup->result.status());
  std::vector<tcp::endpoint> endpoints;
  for (const std::string& text : *lookup->result) {
    const auto address = asio::ip::make_address(text, ec);
    if (!ec) endpoints.emplace_back(address, port_number);
  }
  if (endpoints.empty()) return UnavailableError("resolving " + host + ": no addresses");
  return endpoints;
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

beast::tcp_stream& Connection::lowest() { return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *plain_stream_; }

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
  Result<std::vector<tcp::endpoint>> endpoints =
      Resolve(server_.host, server_.port, options_.resolver, options_.connect_timeout);
  if (!endpoints.ok()) {
    reusable_ = false;
    return endpoints.status();
  }
  boost::system::error_code ec =
      Run(options_.connect_timeout, [&](auto handler) { lowest().async_connect(*endpoints, handler); });
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
  ec = Run(options_.connect_timeout,
           [&](auto handler) { tls_stream_->async_handshake(asio::ssl::stream_base::client, handler); });
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
  parser.body_limit(options_.max_response_bytes);
  const auto too_large = [&] {
    reusable_ = false;  // The rest of the body is still on its way: drop the connection.
    return InternalError("response from " + server_.host + ":" + server_.port + " is larger than " +
                         std::to_string(options_.max_response_bytes) + " bytes");
  };
  auto ec = Run(options_.request_timeout, [&](auto handler) {
    WithStream([&](auto& stream) { bhttp::async_read_header(stream, buffer_, parser, handler); });
  });
  // Checked here as well as by the parser: a declared length over the limit is refused before any body.
  if (ec == bhttp::error::body_limit ||
      (!ec && parser.content_length() && *parser.content_length() > options_.max_response_bytes)) {
    return too_large();
  }
  if (!ec && !parser.is_done()) {
    ec = Run(options_.request_timeout, [&](auto handler) {
      WithStream([&](auto& stream) { bhttp::async_read(stream, buffer_, parser, handler); });
    });
  }
  if (ec == bhttp::error::body_limit) return too_large();
  if (ec) return NetworkError("reading from", ec);
  if (parser.get().body().size() > options_.max_response_bytes) return too_large();
  auto message = parser.release();
  if (!message.keep_alive()) reusable_ = false;
  Response response;
  response.status = static_cast<int>(message.result_int());
  response.content_type = std::string(message[bhttp::field::content_type]);
  response.body = std::move(message.body());
  for (const auto& field : message) response.headers.emplace_back(field.name_string(), field.value());
  return response;
}

Result<int> Connection::ReadStreamHeader() {
  reusable_ = false;  // A streamed connection is never returned to the pool.
  stream_parser_.emplace();
  // The stream's reader bounds what it keeps (max_line_bytes, max_response_bytes). Not boost::none: Boost
  // 1.74's parser compares a declared Content-Length against none as if it were a limit of 0.
  stream_parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
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

bool Connection::LooksClosed() {
  if (buffer_.size() > 0) return true;  // Bytes after the last response: nothing a healthy server sends.
  pollfd fd{};
  fd.fd = lowest().socket().native_handle();
  fd.events = POLLIN;
  return ::poll(&fd, 1, 0) != 0;  // Readable (data, end of stream, reset) or poll failed.
}

void Connection::Cancel() {
  cancelled_ = true;
  // Runs on the thread that drives io_, the only one allowed to touch the socket.
  asio::post(io_, [this] { lowest().cancel(); });
}

}  // namespace spark_operator::http
