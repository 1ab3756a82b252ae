#include "common/http/server.h"

#include <glog/logging.h>
#include <strings.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <optional>
#include <thread>

namespace spark_operator::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr size_t kHeaderLimit = 16 * 1024;

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void Shutdown() = 0;
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Routes routes;
  std::atomic<bool> stopping{false};
  bool stopped = false;
  std::mutex mutex;  // Guards sessions, stopped and accept_paused.
  std::condition_variable sessions_done;
  std::map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  bool accept_paused = false;  // At max_connections: Unregister resumes accepting.
  // Declared after the members sessions use: the io_context is destroyed first, with any session it holds.
  net::io_context ioc;
  tcp::acceptor acceptor{net::make_strand(ioc)};
  net::steady_timer accept_timer{acceptor.get_executor()};  // Back-off after a failed accept.
  std::chrono::milliseconds accept_delay{0};
  std::vector<std::thread> threads;
  uint16_t port = 0;

  explicit Impl(int threads) : ioc(threads) {}

  void DoAccept();
  ServerResponse Dispatch(const ServerRequest& request) const;

  void Register(const std::shared_ptr<SessionBase>& session) {
    std::lock_guard lock(mutex);
    sessions[session.get()] = session;
  }
  void Unregister(SessionBase* session) {
    std::lock_guard lock(mutex);
    sessions.erase(session);
    if (sessions.empty()) sessions_done.notify_all();
    if (accept_paused && !stopping && sessions.size() < options.max_connections) {
      accept_paused = false;
      net::post(acceptor.get_executor(), [this] { DoAccept(); });
    }
  }
  // True when a new connection may be accepted now; otherwise the next Unregister resumes accepting.
  bool ReserveAccept() {
    std::lock_guard lock(mutex);
    accept_paused = sessions.size() >= options.max_connections;
    return !accept_paused;
  }
};

namespace {

template <bool kTls>
class Session : public SessionBase, public std::enable_shared_from_this<Session<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  Session(Server::Impl* server, tcp::socket socket, std::shared_ptr<net::ssl::context> context)
      : server_(server), context_(std::move(context)), stream_(MakeStream(std::move(socket), context_.get())) {
    boost::system::error_code ec;
    const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }
  ~Session() override { server_->Unregister(this); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        beast::get_lowest_layer(self->stream_).expires_after(self->server_->options.read_timeout);
        self->stream_.async_handshake(net::ssl::stream_base::server,
                                      [self](beast::error_code ec) { ec ? self->Close(false) : self->DoRead(); });
      } else {
        self->DoRead();
      }
    });
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) beast::get_lowest_layer(self->stream_).cancel();
    });
  }

 private:
  static Stream MakeStream(tcp::socket socket, net::ssl::context* context) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *context);
    } else {
      return Stream(std::move(socket));
    }
  }

  void DoRead() {
    if (server_->stopping) return Close(true);
    busy_ = false;
    parser_.emplace();
    parser_->body_limit(server_->options.body_limit);
    parser_->header_limit(kHeaderLimit);
    beast::get_lowest_layer(stream_).expires_after(server_->options.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    busy_ = true;
    beast::get_lowest_layer(stream_).expires_after(server_->options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      ec ? self->OnReadError(ec) : self->Handle();
    });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return Reply(ServerResponse::Text(
                       413, "request body larger than " + std::to_string(server_->options.body_limit) + " bytes\n"),
                   false);
    }
    if (&ec.category() == &bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return Reply(ServerResponse::Text(400, "bad HTTP request: " + ec.message() + "\n"), false);
    }
    Close(ec == bhttp::error::end_of_stream);
  }

  void Handle() {
    auto request = parser_->release();
    ServerRequest in;
    in.method = std::string(request.method_string());
    in.target = std::string(request.target());
    in.path = in.target.substr(0, in.target.find('?'));
    for (const auto& field : request) in.headers.emplace_back(field.name_string(), field.value());
    in.body = std::move(request.body());
    in.remote_address = remote_;
    Reply(server_->Dispatch(in), request.keep_alive(), request.version());
  }

  void Reply(ServerResponse out, bool keep_alive, unsigned version = 11) {
    busy_ = true;
    keep_alive = keep_alive && !server_->stopping;
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(out.status));
    response_.set(bhttp::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) response_.set(name, value);
    response_.body() = std::move(out.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(server_->options.read_timeout);
    bhttp::async_write(stream_, response_, [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
      if (ec) return self->Close(false);
      keep_alive ? self->DoRead() : self->Close(true);
    });
  }

  void Close(bool clean) {
    busy_ = true;
    if constexpr (kTls) {
      if (clean) {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(1));
        stream_.async_shutdown(
            [self = this->shared_from_this()](beast::error_code) { beast::get_lowest_layer(self->stream_).close(); });
        return;
      }
    }
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
  }

  Server::Impl* const server_;
  const std::shared_ptr<net::ssl::context> context_;  // Outlives stream_, which refers to it.
  Stream stream_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  bool busy_ = false;  // Handling or writing a request: Shutdown() lets it finish.
};

}  // namespace

std::string ServerRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  }
  return "";
}

ServerResponse ServerResponse::Text(int status, std::string body) {
  ServerResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

ServerResponse Server::Impl::Dispatch(const ServerRequest& request) const {
  const auto route = routes.find(request.path);
  if (route == routes.end()) return ServerResponse::Text(404, "no handler for " + request.path + "\n");
  try {
    return route->second(request);
  } catch (const std::exception& e) {  // A handler that throws must not take the server down.
    LOG(ERROR) << "handler for " << request.path << " threw: " << e.what();
    return ServerResponse::Text(500, "internal error\n");
  }
}

void Server::Impl::DoAccept() {
  if (stopping || !ReserveAccept()) return;
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      // Out of file descriptors (or memory) the listener stays readable: retrying at once would spin.
      accept_delay = accept_delay.count() == 0 ? options.accept_backoff_initial
                                               : std::min(accept_delay * 2, options.accept_backoff_max);
      LOG(WARNING) << "accept failed: " << ec.message() << "; next accept in " << accept_delay.count() << "ms";
      accept_timer.expires_after(accept_delay);
      accept_timer.async_wait([this](beast::error_code timer_ec) {
        if (!timer_ec) DoAccept();
      });
      return;
    }
    accept_delay = std::chrono::milliseconds(0);
    if (options.tls) {
      auto session = std::make_shared<Session<true>>(this, std::move(socket), options.tls->Current());
      Register(session);
      session->Start();
    } else {
      auto session = std::make_shared<Session<false>>(this, std::move(socket), nullptr);
      Register(session);
      session->Start();
    }
    DoAccept();
  });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return impl_->port; }

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, Routes routes) {
  const int threads = std::max(1, options.threads);
  auto impl = std::make_unique<Impl>(threads);
  impl->options = std::move(options);
  impl->routes = std::move(routes);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(impl->options.address, ec);
  if (ec) return InvalidArgumentError("bad listen address \"" + impl->options.address + "\": " + ec.message());
  const tcp::endpoint endpoint(address, impl->options.port);
  const std::string where = impl->options.address + ":" + std::to_string(impl->options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return UnavailableError("listening on " + where + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();
  impl->DoAccept();
  for (int i = 0; i < threads; ++i) impl->threads.emplace_back([io = &impl->ioc] { io->run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

void Server::Stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->stopping = true;
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->accept_timer.cancel();
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& [raw, weak] : impl_->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  // Dropped outside the lock: the last reference runs ~Session, which takes the lock.
  for (auto& session : live) session->Shutdown();
  live.clear();
  std::unique_lock lock(impl_->mutex);
  impl_->sessions_done.wait_for(lock, impl_->options.stop_grace, [this] { return impl_->sessions.empty(); });
  lock.unlock();
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace spark_operator::http
