#include "common/kube/config.h"

#include <cstdlib>
#include <filesystem>

#include "common/base/base64.h"
#include "common/base/json.h"
#include "common/base/yaml.h"

namespace spark_operator::kube {
namespace {

// The entry of a kubeconfig list (clusters, users, contexts) with the given name, or null.
const rapidjson::Value* FindNamed(const rapidjson::Value& config, const char* list, const std::string& name) {
  const rapidjson::Value* items = FindPath(config, {list});
  if (items == nullptr || !items->IsArray()) return nullptr;
  for (const auto& item : items->GetArray()) {
    if (GetString(item, {"name"}) == name) return &item;
  }
  return nullptr;
}

std::string ResolvePath(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

// Inline "<field>-data" (base64) wins over the "<field>" file path, as in client-go.
Result<std::string> FileOrData(const rapidjson::Value& section, const std::string& field, const std::string& base_dir) {
  const std::string data = GetString(section, {field + "-data"});
  if (!data.empty()) {
    Result<std::string> decoded = Base64Decode(data);
    if (!decoded.ok()) return decoded.status().WithContext(field + "-data");
    return decoded;
  }
  const std::string path = GetString(section, {field});
  if (path.empty()) return std::string();
  return ReadFile(ResolvePath(path, base_dir));
}

}  // namespace

Result<RestConfig> ParseKubeconfig(std::string_view yaml, const std::string& base_dir, const std::string& context) {
  ASSIGN_OR_RETURN(const rapidjson::Document config, YamlToJson(yaml));
  if (!config.IsObject()) return InvalidArgumentError("a kubeconfig must be a YAML mapping");

  const std::string context_name = context.empty() ? GetString(config, {"current-context"}) : context;
  if (context_name.empty()) return InvalidArgumentError("no context given and no current-context set");
  const rapidjson::Value* context_entry = FindNamed(config, "contexts", context_name);
  if (context_entry == nullptr) return NotFoundError("context \"" + context_name + "\" not found");
  const std::string cluster_name = GetString(*context_entry, {"context", "cluster"});
  const std::string user_name = GetString(*context_entry, {"context", "user"});

  const rapidjson::Value* cluster_entry = FindNamed(config, "clusters", cluster_name);
  if (cluster_entry == nullptr) {
    return NotFoundError("cluster \"" + cluster_name + "\" of context \"" + context_name + "\" not found");
  }
  const rapidjson::Value* cluster = FindPath(*cluster_entry, {"cluster"});
  if (cluster == nullptr || !cluster->IsObject()) {
    return InvalidArgumentError("cluster \"" + cluster_name + "\" has no cluster section");
  }

  RestConfig rest;
  rest.server = GetString(*cluster, {"server"});
  if (rest.server.empty()) return InvalidArgumentError("cluster \"" + cluster_name + "\" has no server");
  rest.tls.insecure_skip_verify = GetBool(*cluster, {"insecure-skip-tls-verify"});
  rest.tls.server_name = GetString(*cluster, {"tls-server-name"});
  ASSIGN_OR_RETURN(rest.tls.ca_pem, FileOrData(*cluster, "certificate-authority", base_dir));
  const std::string ns = GetString(*context_entry, {"context", "namespace"});
  if (!ns.empty()) rest.default_namespace = ns;

  if (!user_name.empty()) {
    const rapidjson::Value* user_entry = FindNamed(config, "users", user_name);
    if (user_entry == nullptr) {
      return NotFoundError("user \"" + user_name + "\" of context \"" + context_name + "\" not found");
    }
    const rapidjson::Value* user = FindPath(*user_entry, {"user"});
    if (user != nullptr && user->IsObject()) {
      ASSIGN_OR_RETURN(rest.tls.client_cert_pem, FileOrData(*user, "client-certificate", base_dir));
      ASSIGN_OR_RETURN(rest.tls.client_key_pem, FileOrData(*user, "client-key", base_dir));
      if (rest.tls.client_cert_pem.empty() != rest.tls.client_key_pem.empty()) {
        return InvalidArgumentError("user \"" + user_name +
                                    "\" has a client certificate without a key, or a key "
                                    "without a certificate");
      }
      rest.bearer_token = GetString(*user, {"token"});
      rest.bearer_token_file = ResolvePath(GetString(*user, {"tokenFile"}), base_dir);
      rest.username = GetString(*user, {"username"});
      rest.password = GetString(*user, {"password"});
      if (FindPath(*user, {"exec"}) != nullptr || FindPath(*user, {"auth-provider"}) != nullptr) {
        return InvalidArgumentError("user \"" + user_name +
                                    "\" uses an exec or auth-provider plugin, which is not "
                                    "supported; use a token, a token file or a client certificate");
      }
    }
  }
  return rest;
}

Result<RestConfig> LoadKubeconfig(const std::string& path, const std::string& context) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status().WithContext("loading kubeconfig");
  Result<RestConfig> config = ParseKubeconfig(*text, std::filesystem::path(path).parent_path().string(), context);
  if (!config.ok()) return config.status().WithContext("kubeconfig " + path);
  return config;
}

Result<RestConfig> InClusterConfig(const InClusterPaths& paths) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr || *host == '\0' || *port == '\0') {
    return NotFoundError("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset");
  }
  RestConfig rest;
  const std::string host_text = host;
  const bool ipv6 = host_text.find(':') != std::string::npos;
  rest.server = "https://" + (ipv6 ? "[" + host_text + "]" : host_text) + ":" + port;
  Result<std::string> token = ReadFile(paths.token);
  if (!token.ok()) return token.status().WithContext("in-cluster service-account token");
  rest.bearer_token_file = paths.token;
  Result<std::string> ca = ReadFile(paths.ca);
  if (!ca.ok()) return ca.status().WithContext("in-cluster CA");
  rest.tls.ca_pem = std::move(*ca);
  if (Result<std::string> ns = ReadFile(paths.namespace_file); ns.ok() && !ns->empty()) {
    rest.default_namespace = *ns;
  }
  return rest;
}

Result<RestConfig> LoadRestConfig(const std::string& kubeconfig_path, const std::string& context) {
  if (!kubeconfig_path.empty()) return LoadKubeconfig(kubeconfig_path, context);
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    // Only the first file of a KUBECONFIG list: merging several is not supported.
    const std::string list = env;
    return LoadKubeconfig(list.substr(0, list.find(':')), context);
  }
  Result<RestConfig> in_cluster = InClusterConfig();
  if (in_cluster.ok() || !IsNotFound(in_cluster.status())) return in_cluster;
  const char* home = std::getenv("HOME");
  const std::string default_path = std::string(home == nullptr ? "" : home) + "/.kube/config";
  if (std::filesystem::exists(default_path)) return LoadKubeconfig(default_path, context);
  return NotFoundError("no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, run in a pod, or create " +
                       default_path);
}

}  // namespace spark_operator::kube
