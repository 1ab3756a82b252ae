#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/base/base64.h"
#include "common/kube/config.h"

namespace spark_operator::kube {
namespace {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/kubeconfig-test-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& contents) const {
    const std::string file = path_ + "/" + name;
    std::ofstream(file) << contents;
    return file;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Kubeconfig(const std::string& user_fields, const std::string& cluster_fields = "") {
  return R"(apiVersion: v1
kind: Config
current-context: main
contexts:
- name: main
  context: {cluster: local, user: admin, namespace: jobs}
- name: other
  context: {cluster: remote, user: admin}
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443
)" + cluster_fields +
         R"(
- name: remote
  cluster:
    server: https://remote.example:443
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
)" + user_fields;
}

TEST_CASE("kubeconfig with inline certificate data and the current context") {
  const std::string yaml = Kubeconfig(
      "    client-certificate-data: " + Base64Encode("CERT") + "\n    client-key-data: " + Base64Encode("KEY") + "\n",
      "    certificate-authority-data: " + Base64Encode("CA") + "\n");
  const Result<RestConfig> config = ParseKubeconfig(yaml, "/nowhere");
  REQUIRE(config.ok());
  CHECK(config->server == "https://127.0.0.1:6443");
  CHECK(config->tls.ca_pem == "CA");
  CHECK(config->tls.client_cert_pem == "CERT");
  CHECK(config->tls.client_key_pem == "KEY");
  CHECK(config->default_namespace == "jobs");
  CHECK_FALSE(config->tls.insecure_skip_verify);
}

TEST_CASE("kubeconfig with certificate files relative to the kubeconfig's folder") {
  const TempDir dir;
  dir.Write("ca.crt", "CA-FILE");
  dir.Write("admin.crt", "CERT-FILE");
  dir.Write("admin.key", "KEY-FILE");
  const std::string path = dir.Write(
      "config", Kubeconfig("    client-certificate: admin.crt\n    client-key: " + dir.path() + "/admin.key\n",
                           "    certificate-authority: ca.crt\n"));
  const Result<RestConfig> config = LoadKubeconfig(path);
  REQUIRE(config.ok());
  CHECK(config->tls.ca_pem == "CA-FILE");
  CHECK(config->tls.client_cert_pem == "CERT-FILE");
  CHECK(config->tls.client_key_pem == "KEY-FILE");
}

TEST_CASE("kubeconfig with a bearer token, a token file and a named context") {
  const Result<RestConfig> token = ParseKubeconfig(Kubeconfig("    token: abc123\n"), "");
  REQUIRE(token.ok());
  CHECK(token->bearer_token == "abc123");

  const Result<RestConfig> file = ParseKubeconfig(Kubeconfig("    tokenFile: token\n"), "/secrets");
  REQUIRE(file.ok());
  CHECK(file->bearer_token_file == "/secrets/token");

  const Result<RestConfig> other = ParseKubeconfig(Kubeconfig("    token: t\n"), "", "other");
  REQUIRE(other.ok());
  CHECK(other->server == "https://remote.example:443");
  CHECK(other->tls.insecure_skip_verify);
  CHECK(other->default_namespace == "default");
}

TEST_CASE("kubeconfig errors name what is wrong") {
  const Result<RestConfig> missing = LoadKubeconfig("/no/such/kubeconfig");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(), Catch::Contains("/no/such/kubeconfig"));

  const Result<RestConfig> malformed = ParseKubeconfig("clusters: [unclosed", "");
  REQUIRE_FALSE(malformed.ok());
  CHECK_THAT(malformed.status().message(), Catch::Contains("malformed YAML"));

  // A kubeconfig is read from outside the process: an alias inside its own anchor would recurse without end.
  const Result<RestConfig> cyclic = ParseKubeconfig("clusters: &c [{name: x, cluster: *c}]\n", "");
  REQUIRE_FALSE(cyclic.ok());
  CHECK(cyclic.status().message() == "YAML alias inside the node it names");

  const Result<RestConfig> no_context = ParseKubeconfig(Kubeconfig("    token: t\n"), "", "absent");
  REQUIRE_FALSE(no_context.ok());
  CHECK(no_context.status().message() == "context \"absent\" not found");

  const Result<RestConfig> half_cert =
      ParseKubeconfig(Kubeconfig("    client-certificate-data: " + Base64Encode("C") + "\n"), "");
  REQUIRE_FALSE(half_cert.ok());
  CHECK_THAT(half_cert.status().message(), Catch::Contains("without a key"));

  const Result<RestConfig> exec = ParseKubeconfig(Kubeconfig("    exec: {command: aws}\n"), "");
  REQUIRE_FALSE(exec.ok());
  CHECK_THAT(exec.status().message(), Catch::Contains("exec or auth-provider"));

  const Result<RestConfig> bad_base64 = ParseKubeconfig(Kubeconfig("    client-certificate-data: '@@@'\n"), "");
  REQUIRE_FALSE(bad_base64.ok());
  CHECK_THAT(bad_base64.status().message(), Catch::Contains("client-certificate-data"));
}

TEST_CASE("in-cluster configuration from the service account and the environment") {
  const TempDir dir;
  InClusterPaths paths{dir.Write("token", "sa-token\n"), dir.Write("ca.crt", "CLUSTER-CA"),
                       dir.Write("namespace", "spark-jobs")};
  unsetenv("KUBERNETES_SERVICE_HOST");
  const Result<RestConfig> outside = InClusterConfig(paths);
  REQUIRE_FALSE(outside.ok());
  CHECK(IsNotFound(outside.status()));

  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  const Result<RestConfig> inside = InClusterConfig(paths);
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  REQUIRE(inside.ok());
  CHECK(inside->server == "https://10.96.0.1:443");
  CHECK(inside->bearer_token_file == paths.token);
  CHECK(inside->tls.ca_pem == "CLUSTER-CA");
  CHECK(inside->default_namespace == "spark-jobs");
}

}  // namespace
}  // namespace spark_operator::kube
