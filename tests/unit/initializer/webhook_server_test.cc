// The running webhook server, over TLS on a local port, against hostile bodies: it answers and keeps serving.
#include "initializer/webhook_server.h"

#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <filesystem>

#include "common/base/json.h"
#include "initializer/certs/certs.h"

namespace spark_operator::initializer {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

const std::string kReview = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
  "uid":"u-1","kind":{"group":"","version":"v1","kind":"Pod"},
  "resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"spark",
  "object":{"metadata":{"name":"driver","annotations":{"spark-operator.k8s.io/secret.s":"/s"}},
    "spec":{"containers":[{"name":"spark-kubernetes-driver"}]}}}})";

struct RunningWebhook {
  RunningWebhook() : dir(std::filesystem::temp_directory_path() / ("webhook-test-" + std::to_string(getpid()))) {
    DirCertStore store(dir);
    CertOptions cert_options;
    cert_options.sans = {"127.0.0.1"};
    Result<CertBundle> bundle = GenerateCertificates(cert_options);
    REQUIRE(bundle.ok());
    REQUIRE(store.Save(*bundle).ok());
    auto tls = http::TlsServerContext::FromFiles(store.cert_file(), store.key_file());
    REQUIRE(tls.ok());
    WebhookServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.metrics_port = 0;
    options.tls = *tls;
    auto started = WebhookServer::Start(options);
    REQUIRE(started.ok());
    server = std::move(*started);
  }
  ~RunningWebhook() {
    server.reset();
    std::filesystem::remove_all(dir);
  }

  // One POST to /mutate-pods on a new TLS connection.
  bhttp::response<bhttp::string_body> Post(const std::string& body) const {
    net::io_context ioc;
    net::ssl::context ctx(net::ssl::context::tls_client);
    ctx.set_verify_mode(net::ssl::verify_none);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server->port()));
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    stream.handshake(net::ssl::stream_base::client);
    bhttp::request<bhttp::string_body> request(bhttp::verb::post, "/mutate-pods?timeout=5s", 11);
    request.set(bhttp::field::host, "127.0.0.1");
    request.set(bhttp::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    bhttp::write(stream, request);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    bhttp::read(stream, buffer, response);
    return response;
  }

  std::filesystem::path dir;
  std::unique_ptr<WebhookServer> server;
};

TEST_CASE("a 1 MiB body of nested arrays gets 400 and the webhook keeps answering AdmissionReviews") {
  RunningWebhook webhook;
  const auto nested = webhook.Post(std::string(1 << 20, '['));
  CHECK(nested.result_int() == 400);
  CHECK_THAT(nested.body(), Catch::Contains("JSON nested deeper than 256 levels"));

  // Nested inside an otherwise valid review (the object the API server would send), closed this time.
  std::string deep_object = kReview;
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  deep_object.replace(deep_object.find("\"spec\""), 6, "\"deep\":" + deep + ",\"spec\"");
  const auto nested_object = webhook.Post(deep_object);
  CHECK(nested_object.result_int() == 400);
  CHECK_THAT(nested_object.body(), Catch::Contains("nested deeper"));

  const auto normal = webhook.Post(kReview);
  REQUIRE(normal.result_int() == 200);
  const Result<rapidjson::Document> body = ParseJson(normal.body());
  REQUIRE(body.ok());
  CHECK(GetString(*body, {"response", "uid"}) == "u-1");
  CHECK(GetBool(*body, {"response", "allowed"}));
  CHECK(GetString(*body, {"response", "patchType"}) == "JSONPatch");
}

}  // namespace
}  // namespace spark_operator::initializer
