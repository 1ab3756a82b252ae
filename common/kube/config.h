// Where the API server is and how to authenticate to it: from a kubeconfig file, or from the service account
// mounted into a pod. The result feeds kube::Client.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/base/file.h"
#include "common/base/status.h"
#include "common/http/client.h"

namespace spark_operator::kube {

struct RestConfig {
  std::string server;  // https://host:port
  http::TlsOptions tls;
  std::string bearer_token;
  // A token file is read again whenever it changes, because projected service-account tokens rotate.
  std::string bearer_token_file;
  std::string username;  // HTTP basic authentication, for old kubeconfigs.
  std::string password;
  std::string default_namespace = "default";
  double qps = 50;  // Client-side rate limit, as client-go's QPS and Burst.
  int burst = 100;
  std::chrono::milliseconds timeout{30'000};
};

// `context` empty means the kubeconfig's current-context. Relative file paths in the kubeconfig are relative
// to the kubeconfig's own folder, as kubectl reads them.
Result<RestConfig> LoadKubeconfig(const std::string& path, const std::string& context = "");
Result<RestConfig> ParseKubeconfig(std::string_view yaml, const std::string& base_dir, const std::string& context = "");

struct InClusterPaths {
  std::string token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};
// Uses KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT, as client-go's rest.InClusterConfig.
Result<RestConfig> InClusterConfig(const InClusterPaths& paths = {});

// The order kubectl and controller-runtime use: an explicit kubeconfig, then $KUBECONFIG, then the in-cluster
// service account, then ~/.kube/config.
Result<RestConfig> LoadRestConfig(const std::string& kubeconfig_path, const std::string& context = "");

}  // namespace spark_operator::kube
