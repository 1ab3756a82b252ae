// What integration tests share: a client for the local cluster that tools/cluster/up.sh started, and a
// namespace of their own that is deleted afterwards.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "common/base/json.h"
#include "common/kube/client.h"
#include "common/kube/config.h"
#include "tests/support/paths.h"

namespace spark_operator::testing {

// A value of the cluster's env file (APISERVER_URL, ETCD_ENDPOINT, ADMIN_TOKEN, ...).
inline std::string ClusterEnv(const std::string& key) {
  const Result<std::string> text = ReadFile(ClusterDir() + "/env");
  if (!text.ok()) return "";
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(start, end - start);
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    if (line.rfind(key + "=", 0) == 0) {
      std::string value = line.substr(key.size() + 1);
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\''))
        value = value.substr(1, value.size() - 2);
      return value;
    }
    start = end + 1;
  }
  return "";
}

inline kube::RestConfig AdminConfig() {
  Result<kube::RestConfig> config = kube::LoadKubeconfig(ClusterDir() + "/kubeconfig");
  if (!config.ok()) FAIL("the local cluster is not up (run tools/cluster/up.sh): " << config.status().ToString());
  return *config;
}

inline std::shared_ptr<kube::Client> AdminClient() {
  Result<std::shared_ptr<kube::Client>> client = kube::Client::Create(AdminConfig());
  if (!client.ok()) FAIL(client.status().ToString());
  return *client;
}

inline rapidjson::Document Json(const std::string& text) {
  Result<rapidjson::Document> doc = ParseJson(text);
  if (!doc.ok()) FAIL(doc.status().ToString() << " in " << text);
  return std::move(*doc);
}

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
inline bool Eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

// A token the API server issues for the service account `ns`/`name` (valid for an hour): a client that uses it
// gets the server's own authentication and RBAC for that account.
inline std::string ServiceAccountToken(kube::Client& admin, const std::string& ns, const std::string& name) {
  const Result<http::Response> token =
      admin.Raw("POST", "/api/v1/namespaces/" + ns + "/serviceaccounts/" + name + "/token",
                R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3600}})");
  REQUIRE(token.ok());
  const Result<rapidjson::Document> issued = ParseJson(token->body);
  REQUIRE(issued.ok());
  std::string value = GetString(*issued, {"status", "token"});
  REQUIRE_FALSE(value.empty());
  return value;
}

// A fresh namespace, deleted (in the background) when the test ends.
class TestNamespace {
 public:
  explicit TestNamespace(std::shared_ptr<kube::Client> client, const std::string& prefix = "it")
      : client_(std::move(client)) {
    static int counter = 0;
    name_ = prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    const Result<rapidjson::Document> created =
        client_->Create(kube::resources::kNamespaces, "",
                        Json(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name_ + "\"}}"));
    if (!created.ok()) FAIL("creating namespace " << name_ << ": " << created.status().ToString());
  }
  ~TestNamespace() { (void)client_->Delete(kube::resources::kNamespaces, "", name_); }
  const std::string& name() const { return name_; }

 private:
  std::shared_ptr<kube::Client> client_;
  std::string name_;
};

inline rapidjson::Document ConfigMap(const std::string& ns, const std::string& name,
                                     const std::map<std::string, std::string>& data = {},
                                     const std::map<std::string, std::string>& labels = {}) {
  rapidjson::Document cm = Json(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{}})");
  SetString(cm, {"metadata", "name"}, name);
  SetString(cm, {"metadata", "namespace"}, ns);
  for (const auto& [k, v] : labels) SetString(cm, {"metadata", "labels", k}, v);
  SetPath(cm, {"data"}, rapidjson::Value(rapidjson::kObjectType));
  for (const auto& [k, v] : data) SetString(cm, {"data", k}, v);
  return cm;
}

}  // namespace spark_operator::testing
