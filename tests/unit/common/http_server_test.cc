#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/http/server.h"

namespace spark_operator::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct TempDir {
  TempDir() : path(std::filesystem::temp_directory_path() / ("http-server-test-" + std::to_string(getpid()))) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string File(const std::string& name) const { return (path / name).string(); }
  std::filesystem::path path;
};

// A self-signed certificate with common name `cn`, written through temporary files and renamed into place.
void MakeCert(const TempDir& dir, const std::string& cn) {
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
      "-subj /CN=" +
      cn + " -keyout " + dir.File("new.key") + " -out " + dir.File("new.crt") + " 2>/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
  std::filesystem::rename(dir.File("new.key"), dir.File("tls.key"));
  std::filesystem::rename(dir.File("new.crt"), dir.File("tls.crt"));
}

Server::Routes EchoRoutes() {
  Server::Routes routes;
  routes["/echo"] = [](const ServerRequest& r) {
    return ServerResponse::Text(200, r.method + " " + r.target + " " + r.body + " " + r.Header("x-test"));
  };
  return routes;
}

ServerOptions Local() {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  return options;
}

bhttp::request<bhttp::string_body> Post(const std::string& target, const std::string& body) {
  bhttp::request<bhttp::string_body> request(bhttp::verb::post, target, 11);
  request.set(bhttp::field::host, "127.0.0.1");
  request.set("X-Test", "yes");
  request.body() = body;
  request.prepare_payload();
  return request;
}

template <typename Stream>
bhttp::response<bhttp::string_body> RoundTrip(Stream& stream, const bhttp::request<bhttp::string_body>& request) {
  bhttp::write(stream, request);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  bhttp::read(stream, buffer, response);
  return response;
}

struct TlsClient {
  TlsClient(uint16_t port) : ctx(net::ssl::context::tls_client), stream(ioc, ctx) {
    ctx.set_verify_mode(net::ssl::verify_none);
    beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    stream.handshake(net::ssl::stream_base::client);
  }
  std::string PeerCommonName() {
    X509* cert = SSL_get1_peer_certificate(stream.native_handle());
    char cn[256] = "";
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
    X509_free(cert);
    return cn;
  }
  net::io_context ioc;
  net::ssl::context ctx;
  beast::ssl_stream<beast::tcp_stream> stream;
};

TEST_CASE("the plain server reports its port, routes by path and keeps connections alive") {
  auto server = Server::Start(Local(), EchoRoutes());
  REQUIRE(server.ok());
  REQUIRE((*server)->port() != 0);
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), (*server)->port()));
  for (int i = 0; i < 3; ++i) {  // Three requests on one connection.
    const auto response = RoundTrip(stream, Post("/echo?x=1", "body" + std::to_string(i)));
    CHECK(response.result_int() == 200);
    CHECK(response.body() == "POST /echo?x=1 body" + std::to_string(i) + " yes");
    CHECK(response.keep_alive());
  }
  const auto missing = RoundTrip(stream, Post("/nope", ""));
  CHECK(missing.result_int() == 404);
  (*server)->Stop();
}

TEST_CASE("bodies over the limit get 413") {
  ServerOptions options = Local();
  options.body_limit = 10;
  auto server = Server::Start(options, EchoRoutes());
  REQUIRE(server.ok());
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), (*server)->port()));
  CHECK(RoundTrip(stream, Post("/echo", std::string(100, 'x'))).result_int() == 413);
}

TEST_CASE("binding a port in use fails with a clear error") {
  auto first = Server::Start(Local(), EchoRoutes());
  REQUIRE(first.ok());
  ServerOptions options = Local();
  options.port = (*first)->port();
  auto second = Server::Start(options, EchoRoutes());
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(second.status().message(), Catch::Contains("listening on 127.0.0.1:"));
}

TEST_CASE("idle connections are closed after the idle timeout") {
  ServerOptions options = Local();
  options.idle_timeout = std::chrono::milliseconds(200);
  auto server = Server::Start(options, EchoRoutes());
  REQUIRE(server.ok());
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), (*server)->port()));
  char byte;
  beast::error_code ec;
  stream.socket().read_some(net::buffer(&byte, 1), ec);  // Blocks until the server closes.
  CHECK(ec == net::error::eof);
}

TEST_CASE("the TLS server serves keep-alive requests and picks up a replaced certificate") {
  TempDir dir;
  MakeCert(dir, "first");
  auto tls = TlsServerContext::FromFiles(dir.File("tls.crt"), dir.File("tls.key"), std::chrono::milliseconds(0));
  REQUIRE(tls.ok());
  ServerOptions options = Local();
  options.tls = *tls;
  auto server = Server::Start(options, EchoRoutes());
  REQUIRE(server.ok());

  TlsClient first((*server)->port());
  CHECK(first.PeerCommonName() == "first");
  CHECK(RoundTrip(first.stream, Post("/echo", "a")).body() == "POST /echo a yes");
  CHECK(RoundTrip(first.stream, Post("/echo", "b")).body() == "POST /echo b yes");

  MakeCert(dir, "second");
  TlsClient second((*server)->port());
  CHECK(second.PeerCommonName() == "second");
  CHECK((*tls)->generation() == 2);
  CHECK(RoundTrip(second.stream, Post("/echo", "c")).body() == "POST /echo c yes");
  // The connection made before the reload keeps working.
  CHECK(RoundTrip(first.stream, Post("/echo", "d")).body() == "POST /echo d yes");
  (*server)->Stop();
}

TEST_CASE("a broken replacement certificate keeps the previous one") {
  TempDir dir;
  MakeCert(dir, "good");
  auto tls = TlsServerContext::FromFiles(dir.File("tls.crt"), dir.File("tls.key"), std::chrono::milliseconds(0));
  REQUIRE(tls.ok());
  std::ofstream(dir.File("tls.crt")) << "garbage";
  CHECK_FALSE((*tls)->ReloadIfChanged().ok());
  CHECK((*tls)->Current() != nullptr);
  CHECK((*tls)->generation() == 1);
  CHECK_FALSE(TlsServerContext::FromFiles(dir.File("tls.crt"), dir.File("tls.key")).ok());
}

TEST_CASE("Stop lets a request being handled finish") {
  Server::Routes routes;
  routes["/slow"] = [](const ServerRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return ServerResponse::Text(200, "done");
  };
  auto server = Server::Start(Local(), std::move(routes));
  REQUIRE(server.ok());
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), (*server)->port()));
  bhttp::write(stream, Post("/slow", ""));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::thread stopper([&] { (*server)->Stop(); });
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  bhttp::read(stream, buffer, response);
  stopper.join();
  CHECK(response.body() == "done");
  CHECK_FALSE(response.keep_alive());
}

}  // namespace
}  // namespace spark_operator::http
