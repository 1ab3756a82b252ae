// The running webhook server, over TLS on a local port, against hostile bodies: it answers and keeps serving.
#include "initializer/webhook_server.h"

#include <unistd.h>

#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <filesystem>

#include "common/base/json.h"
#include "initializer/certs/certs.h"
#include "tests/support/http_wire.h"
#include "tests/support/local_webhook.h"

namespace spark_operator::initializer {
namespace {

namespace bhttp = boost::beast::http;

const std::string kReview = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
  "uid":"u-1","kind":{"group":"","version":"v1","kind":"Pod"},
  "resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"spark",
  "object":{"metadata":{"name":"driver","annotations":{"spark-operator.k8s.io/secret.s":"/s"}},
    "spec":{"containers":[{"name":"spark-kubernetes-driver"}]}}}})";

struct RunningWebhook {
  RunningWebhook() : dir(std::filesystem::temp_directory_path() / ("webhook-test-" + std::to_string(getpid()))) {
    DirCertStore store(dir);
    testing::SaveLocalCertificates(store);
    server = testing::StartLocalWebhook(store);
  }
  ~RunningWebhook() {
    server.reset();
    std::filesystem::remove_all(dir);
  }

  // One POST to /mutate-pods on a new TLS connection.
  testing::HttpResponse Post(const std::string& body) const {
    testing::TlsClient client(server->port());
    testing::HttpRequest request = testing::MakeRequest(bhttp::verb::post, "/mutate-pods?timeout=5s", body);
    request.set(bhttp::field::content_type, "application/json");
    return testing::RoundTrip(client.stream, request);
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
