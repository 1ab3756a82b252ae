#include "controller/submit/submit_auth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace spark_operator::controller {
namespace {

constexpr char kPrefix[] = "spark.kubernetes.authenticate.submission.";

Result<std::string> WritePrivateFile(const std::string& dir, const std::string& name, const std::string& content) {
  const std::string path = dir + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return InternalError("writing " + path);
  chmod(path.c_str(), 0600);
  return path;
}

// fabric8 reads an explicit client key file as RSA unless told otherwise, and Spark has no conf for it.
bool IsEcKey(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return false;
  const bool ec = EVP_PKEY_base_id(key) == EVP_PKEY_EC;
  EVP_PKEY_free(key);
  return ec;
}

constexpr char kDirPrefix[] = "spark-operator-auth-";

// A controller killed with SIGKILL leaves its credential copies behind; the next one removes the directories
// whose process is gone.
void RemoveStaleDirs() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kDirPrefix, 0) != 0) continue;
    const long pid = std::atol(name.c_str() + sizeof(kDirPrefix) - 1);
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      std::filesystem::remove_all(entry.path(), ignored);
    }
  }
}

}  // namespace

Result<SubmitAuth> PrepareSubmitAuth(const kube::RestConfig& config) {
  SubmitAuth auth;
  auth.master = "k8s://" + config.server;
  auth.env.push_back("KUBECONFIG=/dev/null");
  RemoveStaleDirs();
  std::string templ =
      (std::filesystem::temp_directory_path() / (std::string(kDirPrefix) + std::to_string(getpid()) + "-XXXXXX"))
          .string();
  if (mkdtemp(templ.data()) == nullptr) return InternalError("creating a private directory for spark-submit");
  auth.dir = templ;
  const std::string p = kPrefix;
  if (!config.tls.ca_pem.empty()) {
    ASSIGN_OR_RETURN(const std::string ca, WritePrivateFile(auth.dir, "ca.crt", config.tls.ca_pem));
    auth.confs.push_back(p + "caCertFile=" + ca);
  }
  if (config.tls.insecure_skip_verify) auth.env.push_back("KUBERNETES_TRUST_CERTIFICATES=true");
  // A token file keeps the token out of `ps`; a rotating projected token is read afresh by each submission.
  if (!config.bearer_token_file.empty()) {
    auth.confs.push_back(p + "oauthTokenFile=" + config.bearer_token_file);
  } else if (!config.bearer_token.empty()) {
    ASSIGN_OR_RETURN(const std::string token, WritePrivateFile(auth.dir, "token", config.bearer_token));
    auth.confs.push_back(p + "oauthTokenFile=" + token);
  } else if (!config.tls.client_cert_pem.empty() && !config.tls.client_key_pem.empty()) {
    ASSIGN_OR_RETURN(const std::string cert, WritePrivateFile(auth.dir, "client.crt", config.tls.client_cert_pem));
    ASSIGN_OR_RETURN(const std::string key, WritePrivateFile(auth.dir, "client.key", config.tls.client_key_pem));
    auth.confs.push_back(p + "clientCertFile=" + cert);
    auth.confs.push_back(p + "clientKeyFile=" + key);
    if (IsEcKey(config.tls.client_key_pem)) auth.env.push_back("KUBERNETES_CERTS_CLIENT_KEY_ALGO=EC");
  }
  return auth;
}

void CleanupSubmitAuth(const SubmitAuth& auth) {
  if (auth.dir.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(auth.dir, ignored);
}

}  // namespace spark_operator::controller
