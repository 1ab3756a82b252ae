// kube::Informer::Failing: an informer whose lists are refused says so (the controller's /readyz turns 503 on it
// while its pod cache is not full), and stops saying so once a list goes through.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/http/server.h"
#include "common/kube/client.h"
#include "common/kube/informer.h"

namespace spark_operator::kube {
namespace {

// Whether `condition` holds within 10 s.
bool Within10s(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST_CASE("an informer whose list is refused is failing and not synced, and stops failing once it lists") {
  std::atomic<bool> forbidden{true};
  std::atomic<bool> done{false};
  http::Server::Routes routes;
  routes["/api/v1/namespaces/jobs/pods"] = [&](const http::ServerRequest& request) {
    if (forbidden) {
      http::ServerResponse r = http::ServerResponse::Text(
          403, R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Forbidden","code":403})");
      r.content_type = "application/json";
      return r;
    }
    if (request.target.find("watch=") != std::string::npos) {
      // A watch with nothing to say: held open until the test ends.
      while (!done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return http::ServerResponse::Text(200, "");
    }
    http::ServerResponse r =
        http::ServerResponse::Text(200, R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5"},
          "items":[{"metadata":{"name":"p","namespace":"jobs","resourceVersion":"5"}}]})");
    r.content_type = "application/json";
    return r;
  };
  http::ServerOptions server_options;
  server_options.address = "127.0.0.1";
  Result<std::unique_ptr<http::Server>> server = http::Server::Start(server_options, std::move(routes));
  REQUIRE(server.ok());
  RestConfig config;
  config.server = "http://127.0.0.1:" + std::to_string((*server)->port());
  Result<std::shared_ptr<Client>> client = Client::Create(config);
  REQUIRE(client.ok());

  InformerOptions options;
  options.resource = resources::kPods;
  options.ns = "jobs";
  options.stream_lists = false;  // Page by page: a plain list this server can answer.
  Informer informer(*client, options);
  informer.Start();
  CHECK(Within10s([&] { return informer.Failing(); }));
  CHECK_FALSE(informer.HasSynced());

  forbidden = false;  // Granted: the next list (after the back-off) goes through.
  CHECK(Within10s([&] { return informer.HasSynced(); }));
  CHECK_FALSE(informer.Failing());
  CHECK(informer.store().Get("jobs/p") != nullptr);
  done = true;
  informer.Stop();
}

}  // namespace
}  // namespace spark_operator::kube
