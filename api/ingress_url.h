// The address of a Spark UI Ingress: kubeflow's --ingress-url-format, e.g. "{{$appName}}.{{$appNamespace}}.example.com"
// or "example.com/{{$appNamespace}}/{{$appName}}", with the app's name and namespace put in. Shared by Validate(),
// the submission (spark.ui.proxyBase for a path) and the Ingress the controller makes.
#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"

namespace spark_operator::api {

struct IngressUrl {
  std::string scheme;  // "http" or "https"; empty when the format names none.
  std::string host;    // A DNS-1123 subdomain: an Ingress host has no port.
  std::string path;    // "" or "/a/b": no trailing '/'.

  // scheme://host/path, with `default_scheme` when the format named none.
  std::string Address(std::string_view default_scheme) const;
};

// InvalidArgument naming the expanded URL and what is wrong with it.
Result<IngressUrl> ExpandIngressUrl(std::string_view format, std::string_view app_name, std::string_view app_namespace);

}  // namespace spark_operator::api
