#include <unistd.h>

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
#include "tests/support/http_wire.h"

namespace spark_operator::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using testing::HttpRequest;
using testing::PlainClient;
using testing::RoundTrip;
using testing::TlsClient;

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

HttpRequest Post(const std::string& target, const std::string& body) {
  HttpRequest request = testing::MakeRequest(bhttp::verb::post, target, body);
  request.set("X-Test", "yes");
  return request;
}

std::string PeerCommonName(TlsClient& client) {
  X509* cert = SSL_get1_peer_certificate(client.stream.native_handle());
  char cn[256] = "";
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
  X509_free(cert);
  return cn;
}

TEST_CASE("the plain server reports its port, routes by path and keeps connections alive") {
  auto server = Server::Start(Local(), EchoRoutes());
  REQUIRE(server.ok());
  REQUIRE((*server)->port() != 0);
  PlainClient client((*server)->port());
  for (int i = 0; i < 3; ++i) {  // Three requests on one connection.
    const auto response = RoundTrip(client.stream, Post("/echo?x=1", "body" + std::to_string(i)));
    CHECK(response.result_int() == 200);
    CHECK(response.body() == "POST /echo?x=1 body" + std::to_string(i) + " yes");
    CHECK(response.keep_alive());
  }
  const auto missing = RoundTrip(client.stream, Post("/nope", ""));
  CHECK(missing.result_int() == 404);
  (*server)->Stop();
}

TEST_CASE("bodies over the limit get 413") {
  ServerOptions options = Local();
  options.body_limit = 10;
  auto server = Server::Start(options, EchoRoutes());
  REQUIRE(server.ok());
  PlainClient client((*server)->port());
  CHECK(RoundTrip(client.stream, Post("/echo", std::string(100, 'x'))).result_int() == 413);
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
  PlainClient client((*server)->port());
  char byte;
  beast::error_code ec;
  client.stream.socket().read_some(boost::asio::buffer(&byte, 1), ec);  // Blocks until the server closes.
  CHECK(ec == boost::asio::error::eof);
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
  CHECK(PeerCommonName(first) == "first");
  CHECK(RoundTrip(first.stream, Post("/echo", "a")).body() == "POST /echo a yes");
  CHECK(RoundTrip(first.stream, Post("/echo", "b")).body() == "POST /echo b yes");

  MakeCert(dir, "second");
  TlsClient second((*server)->port());
  CHECK(PeerCommonName(second) == "second");
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
  PlainClient client((*server)->port());
  bhttp::write(client.stream, Post("/slow", ""));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::thread stopper([&] { (*server)->Stop(); });
  beast::flat_buffer buffer;
  testing::HttpResponse response;
  bhttp::read(client.stream, buffer, response);
  stopper.join();
  CHECK(response.body() == "done");
  CHECK_FALSE(response.keep_alive());
}

}  // namespace
}  // namespace spark_operator::http
