// kube::Client's hooks for a fenced leader: a closed write gate fails writes before anything is sent, reads
// still go out, and every request carries the configured User-Agent; and its request metrics.
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "common/http/server.h"
#include "common/kube/client.h"
#include "common/kube/errors.h"

namespace spark_operator::kube {
namespace {

// Records each request's method and User-Agent.
struct Recorder {
  std::mutex mu;
  std::vector<std::string> seen;  // "METHOD user-agent"
  std::vector<std::string> Seen() {
    const std::lock_guard<std::mutex> lock(mu);
    return seen;
  }
};

// An API server on a free local port answering `routes`.
std::unique_ptr<http::Server> ServeLocally(http::Server::Routes routes) {
  http::ServerOptions options;
  options.address = "127.0.0.1";
  Result<std::unique_ptr<http::Server>> server = http::Server::Start(options, std::move(routes));
  REQUIRE(server.ok());
  return std::move(*server);
}

RestConfig ConfigFor(const http::Server& server) {
  RestConfig config;
  config.server = "http://127.0.0.1:" + std::to_string(server.port());
  return config;
}

TEST_CASE("a closed write gate fails writes unsent - reads go on - requests carry the User-Agent", "[kube_client]") {
  Recorder recorder;
  http::Server::Routes routes;
  const auto record = [&recorder](const http::ServerRequest& r) {
    const std::lock_guard<std::mutex> lock(recorder.mu);
    recorder.seen.push_back(r.method + " " + r.Header("user-agent"));
    return http::ServerResponse::Text(200, R"({"kind":"ConfigMap","metadata":{"name":"c","namespace":"ns"}})");
  };
  routes["/api/v1/namespaces/ns/configmaps"] = record;
  routes["/api/v1/namespaces/ns/configmaps/c"] = record;
  const std::unique_ptr<http::Server> server = ServeLocally(std::move(routes));

  const RestConfig config = ConfigFor(*server);
  std::atomic<bool> open{true};
  ClientOptions options;
  options.user_agent = "replica-a";
  options.write_gate = [&open]() -> Status {
    return open ? OkStatus() : UnavailableError("not the leader: test gate closed");
  };
  options.write_timeout = std::chrono::milliseconds(500);
  auto client = Client::Create(config, options);
  REQUIRE(client.ok());
  rapidjson::Document cm;
  cm.Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"ns"}})");

  REQUIRE((*client)->Create(resources::kConfigMaps, "ns", cm).ok());
  CHECK(recorder.Seen() == std::vector<std::string>{"POST replica-a"});

  open = false;
  const auto refused = (*client)->Create(resources::kConfigMaps, "ns", cm);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == StatusCode::kUnavailable);
  CHECK(refused.status().message().find("not the leader") != std::string::npos);
  CHECK_FALSE((*client)->Update(resources::kConfigMaps, cm).ok());
  CHECK_FALSE((*client)->Patch(resources::kConfigMaps, "ns", "c", PatchType::kMerge, "{}").ok());
  CHECK_FALSE((*client)->Delete(resources::kConfigMaps, "ns", "c").ok());
  CHECK((*client)->Get(resources::kConfigMaps, "ns", "c").ok());
  CHECK(recorder.Seen() == std::vector<std::string>{"POST replica-a", "GET replica-a"});
  server->Stop();
}

TEST_CASE("the client counts its requests by verb and answer, and times them", "[kube_client]") {
  http::Server::Routes routes;
  routes["/api/v1/namespaces/ns/configmaps/c"] = [](const http::ServerRequest& r) {
    if (r.method == "DELETE") return http::ServerResponse::Text(404, R"({"kind":"Status","code":404})");
    return http::ServerResponse::Text(200, R"({"kind":"ConfigMap","metadata":{"name":"c","namespace":"ns"}})");
  };
  const std::unique_ptr<http::Server> server = ServeLocally(std::move(routes));
  const RestConfig config = ConfigFor(*server);
  metrics::Registry registry;
  ClientOptions options;
  options.metrics = &registry;
  auto client = Client::Create(config, options);
  REQUIRE(client.ok());

  for (int i = 0; i < 3; ++i) REQUIRE((*client)->Get(resources::kConfigMaps, "ns", "c").ok());
  CHECK(IsNotFound((*client)->Delete(resources::kConfigMaps, "ns", "c")));
  server->Stop();
  CHECK_FALSE((*client)->Get(resources::kConfigMaps, "ns", "c").ok());  // Nobody answers.

  const auto requests = [&](const std::string& verb, const std::string& code) {
    return registry.AddCounter("rest_client_requests_total", "", {"verb", "code"}).WithLabels({verb, code}).Value();
  };
  CHECK(requests("GET", "200") == 3);
  CHECK(requests("DELETE", "404") == 1);
  CHECK(requests("GET", "0") == 1);
  auto& gets = registry.AddHistogram("rest_client_request_duration_seconds", "", {"verb"}).WithLabels({"GET"});
  CHECK(gets.Snap().count == 4);
  CHECK(gets.Snap().sum > 0);
  CHECK(registry.AddHistogram("rest_client_rate_limiter_duration_seconds", "", {"verb"})
            .WithLabels({"DELETE"})
            .Snap()
            .count == 1);
}

}  // namespace
}  // namespace spark_operator::kube
