#include "common/http/client.h"

#include <glog/logging.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/string.hpp>
#include <regex>

#include "common/http/connection.h"

namespace spark_operator::http {
namespace {

namespace asio = boost::asio;

Result<ServerAddress> ParseBaseUrl(const std::string& url) {
  static const std::regex kUrl(R"(^(https?)://(\[[^\]]+\]|[^:/]+)(?::(\d+))?(/.*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) {
    return InvalidArgumentError("server URL \"" + url + "\" is not of the form https://host[:port][/path]");
  }
  ServerAddress server;
  server.tls = m[1] == "https";
  server.host = m[2];
  if (server.host.front() == '[') server.host = server.host.substr(1, server.host.size() - 2);
  server.port = m[3].matched ? m[3].str() : (server.tls ? "443" : "80");
  server.path_prefix = m[4].matched ? m[4].str() : "";
  while (!server.path_prefix.empty() && server.path_prefix.back() == '/') server.path_prefix.pop_back();
  server.verify_name = server.host;
  return server;
}

Result<std::shared_ptr<asio::ssl::context>> MakeTlsContext(const TlsOptions& tls) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  if (tls.ca_pem.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->add_certificate_authority(asio::buffer(tls.ca_pem), ec);
  }
  if (ec) return InvalidArgumentError("loading the certificate authority: " + ec.message());
  if (!tls.client_cert_pem.empty() || !tls.client_key_pem.empty()) {
    context->use_certificate_chain(asio::buffer(tls.client_cert_pem), ec);
    if (ec) return InvalidArgumentError("loading the client certificate: " + ec.message());
    context->use_private_key(asio::buffer(tls.client_key_pem), asio::ssl::context::pem, ec);
    if (ec) return InvalidArgumentError("loading the client key: " + ec.message());
  }
  return context;
}

bool IsStaleConnectionError(const Status& status) { return status.code() == StatusCode::kUnavailable; }

// Methods that may be sent twice: the callers of PUT, PATCH and DELETE make them conditional or harmless to
// repeat (resourceVersion, preconditions), and the client has always retried them.
bool MayResend(const std::string& method) { return method != "POST"; }

}  // namespace

struct Client::Impl {
  ServerAddress server;
  std::shared_ptr<asio::ssl::context> ssl;
  ClientOptions options;
};

Result<std::unique_ptr<Client>> Client::Create(const std::string& base_url, const TlsOptions& tls,
                                               const ClientOptions& options) {
  auto impl = std::make_unique<Impl>();
  ASSIGN_OR_RETURN(impl->server, ParseBaseUrl(base_url));
  impl->options = options;
  if (impl->server.tls) {
    ASSIGN_OR_RETURN(impl->ssl, MakeTlsContext(tls));
    impl->server.verify = !tls.insecure_skip_verify;
    if (!tls.server_name.empty()) impl->server.verify_name = tls.server_name;
  }
  return std::unique_ptr<Client>(new Client(base_url, std::move(impl)));
}

Client::Client(std::string base_url, std::unique_ptr<Impl> impl)
    : base_url_(std::move(base_url)), impl_(std::move(impl)) {}

Client::~Client() = default;

Result<std::unique_ptr<Connection>> Client::TakeConnection(bool& reused) {
  {
    const std::lock_guard<std::mutex> lock(pool_mutex_);
    while (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      // A connection the server has already closed is dropped here, before any request could reach it.
      if (connection->LooksClosed()) continue;
      reused = true;
      return connection;
    }
  }
  reused = false;
  VLOG(2) << "new connection to " << base_url_;
  auto connection = std::make_unique<Connection>(impl_->server, impl_->ssl, impl_->options);
  RETURN_IF_ERROR(connection->Connect());
  return connection;
}

void Client::ReturnConnection(std::unique_ptr<Connection> connection) {
  if (!connection->reusable()) return;
  const std::lock_guard<std::mutex> lock(pool_mutex_);
  if (idle_.size() < impl_->options.max_idle_connections) idle_.push_back(std::move(connection));
}

Result<Response> Client::Send(const Request& request) {
  // A pooled connection may have been closed by the server while idle, which shows only when it is used; such
  // a failure is retried on a fresh connection. A failed write never reached the handler. A failure after the
  // whole request was written may also be a server that took the request and died: harmless to repeat for
  // the other methods, but a POST is not sent twice.
  for (;;) {
    bool reused = false;
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, TakeConnection(reused));
    Status status = connection->Write(request);
    const bool written = status.ok();
    if (written) {
      Result<Response> response = connection->ReadResponse();
      if (response.ok()) {
        ReturnConnection(std::move(connection));
        return response;
      }
      status = response.status();
    }
    if (!(reused && IsStaleConnectionError(status) && (!written || MayResend(request.method)))) return status;
    VLOG(1) << "retrying " << request.method << " " << request.target << " on a new connection: " << status.ToString();
  }
}

Result<std::unique_ptr<ResponseStream>> Client::OpenStream(const Request& request) {
  auto connection = std::make_unique<Connection>(impl_->server, impl_->ssl, impl_->options);
  RETURN_IF_ERROR(connection->Connect());
  RETURN_IF_ERROR(connection->Write(request));
  ASSIGN_OR_RETURN(const int status, connection->ReadStreamHeader());
  return std::make_unique<ResponseStream>(std::move(connection), status);
}

ResponseStream::ResponseStream(std::unique_ptr<Connection> connection, int status)
    : connection_(std::move(connection)), status_(status) {}

ResponseStream::~ResponseStream() = default;

Result<std::optional<std::string>> ResponseStream::ReadLine(std::chrono::milliseconds idle_timeout) {
  const size_t max_line = connection_->options().max_line_bytes;
  size_t searched = 0;  // pending_ before this has no newline.
  for (;;) {
    const size_t newline = pending_.find('\n', searched);
    if (newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return std::optional<std::string>(std::move(line));
    }
    searched = pending_.size();
    if (pending_.size() > max_line) {
      pending_.clear();
      body_done_ = true;  // The stream is out of step; the caller starts a new one.
      return InternalError("streamed line longer than " + std::to_string(max_line) + " bytes");
    }
    if (body_done_) {
      if (pending_.empty()) return std::optional<std::string>();
      return std::optional<std::string>(std::exchange(pending_, ""));
    }
    RETURN_IF_ERROR(connection_->ReadStreamPiece(idle_timeout, pending_, body_done_));
  }
}

Result<std::optional<std::string>> ResponseStream::ReadChunk(std::chrono::milliseconds idle_timeout) {
  while (pending_.empty() && !body_done_) {
    RETURN_IF_ERROR(connection_->ReadStreamPiece(idle_timeout, pending_, body_done_));
  }
  if (pending_.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::exchange(pending_, ""));
}

Result<std::string> ResponseStream::ReadAll(std::chrono::milliseconds timeout) {
  return ReadAll(timeout, connection_->options().max_response_bytes);
}

Result<std::string> ResponseStream::ReadAll(std::chrono::milliseconds timeout, uint64_t max_body) {
  while (!body_done_) {
    RETURN_IF_ERROR(connection_->ReadStreamPiece(timeout, pending_, body_done_));
    if (pending_.size() > max_body) {
      pending_.clear();
      body_done_ = true;
      return InternalError("response body larger than " + std::to_string(max_body) + " bytes");
    }
  }
  return std::exchange(pending_, "");
}

std::string Response::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (boost::beast::iequals(key, boost::beast::string_view(name.data(), name.size()))) return value;
  }
  return "";
}

void ResponseStream::Cancel() { connection_->Cancel(); }

}  // namespace spark_operator::http
