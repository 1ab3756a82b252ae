// The existence checks of one pod against an API server that accepts connections and never answers: the
// admission response still comes back, within the webhook's 5 s timeout, allowed, with a warning naming each
// object that was not checked.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "common/base/json.h"
#include "initializer/admission.h"
#include "initializer/kube_checker.h"

namespace spark_operator::initializer {
namespace {

// A TCP listener that never accepts: the kernel completes the handshakes and the requests sit unread.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(listen(fd_, 128) == 0);
    socklen_t length = sizeof(address);
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { close(fd_); }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::string Review(const std::string& annotations) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
    "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
    "operation":"CREATE","namespace":"spark","object":{"metadata":{"name":"driver","annotations":{)" +
         annotations + R"(}},"spec":{"containers":[{"name":"spark-kubernetes-driver"}]}}}})";
}

TEST_CASE("an API server that does not answer costs a warning per unchecked object, within the webhook timeout") {
  const SilentServer silent;
  kube::RestConfig config;
  config.server = silent.url();
  config.tls.insecure_skip_verify = true;
  auto client = NewCheckerClient(config);
  REQUIRE(client.ok());
  const KubeObjectChecker checker(*client);
  MutatorOptions options;
  options.check_budget = std::chrono::milliseconds(1500);
  const Mutator mutator(options, &checker);

  const auto start = std::chrono::steady_clock::now();
  const AdmissionResult result = AdmissionHandler(&mutator).Handle(Review(
      R"("spark-operator.k8s.io/sparkConfigMap":"conf","spark-operator.k8s.io/secret.creds":"/creds",
         "spark-operator.k8s.io/configMap.extra":"/extra")"));
  const auto took = std::chrono::steady_clock::now() - start;

  // The API server gives the webhook 5 s (timeoutSeconds) and refuses the pod after that (failurePolicy Fail).
  CHECK(took < std::chrono::milliseconds(4500));
  REQUIRE(result.http_status == 200);
  CHECK(result.outcome == "patched");
  Result<rapidjson::Document> body = ParseJson(result.body);
  REQUIRE(body.ok());
  CHECK(GetBool(*body, {"response", "allowed"}));
  const rapidjson::Value* warnings = FindPath(*body, {"response", "warnings"});
  REQUIRE(warnings != nullptr);
  REQUIRE(warnings->Size() == 3);
  std::string all;
  for (const rapidjson::Value& w : warnings->GetArray()) all += std::string(w.GetString()) + "\n";
  INFO(all);
  CHECK_THAT(all, Catch::Contains("ConfigMap \"spark/conf\" was not checked"));
  CHECK_THAT(all, Catch::Contains("Secret \"spark/creds\" was not checked"));
  CHECK_THAT(all, Catch::Contains("ConfigMap \"spark/extra\" was not checked"));
  CHECK(FindPath(*body, {"response", "patch"}) != nullptr);

  // A second pod asking the same questions while those lookups still hang does not start new ones and
  // still answers in time.
  const auto again = std::chrono::steady_clock::now();
  const AdmissionResult second =
      AdmissionHandler(&mutator).Handle(Review(R"("spark-operator.k8s.io/sparkConfigMap":"conf")"));
  CHECK(std::chrono::steady_clock::now() - again < std::chrono::milliseconds(4500));
  CHECK(second.outcome == "patched");
}

}  // namespace
}  // namespace spark_operator::initializer
