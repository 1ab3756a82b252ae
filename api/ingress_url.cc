#include "api/ingress_url.h"

#include "api/name_rules.h"

namespace spark_operator::api {
namespace {

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// Characters an Ingress path may hold here: the path is also put into a regular expression (for nginx's
// rewrite) and into spark.ui.proxyBase, so nothing that means something to either.
bool IsPathChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
         c == '_' || c == '~' || c == '.';
}

}  // namespace

std::string IngressUrl::Address(std::string_view default_scheme) const {
  return (scheme.empty() ? std::string(default_scheme) : scheme) + "://" + host + (path.empty() ? "/" : path);
}

Result<IngressUrl> ExpandIngressUrl(std::string_view format, std::string_view app_name,
                                    std::string_view app_namespace) {
  std::string url(format);
  ReplaceAll(url, "{{$appName}}", app_name);
  ReplaceAll(url, "{{$appNamespace}}", app_namespace);
  const auto invalid = [&](const std::string& why) {
    return InvalidArgumentError("ingress URL \"" + url + "\": " + why);
  };
  IngressUrl out;
  std::string_view rest(url);
  if (const size_t sep = rest.find("://"); sep != std::string_view::npos) {
    out.scheme = std::string(rest.substr(0, sep));
    if (out.scheme != "http" && out.scheme != "https") return invalid("the scheme must be http or https");
    rest.remove_prefix(sep + 3);
  }
  const size_t slash = rest.find('/');
  out.host = std::string(rest.substr(0, slash));
  if (out.host.find(':') != std::string::npos) return invalid("an Ingress host has no port");
  if (!IsDns1123Subdomain(out.host)) {
    return invalid("the host \"" + out.host + "\" must be a lowercase DNS name (RFC 1123 subdomain)");
  }
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    for (const char c : path) {
      if (!IsPathChar(c)) return invalid("the path may hold letters, digits, '/', '-', '_', '.' and '~' only");
    }
    if (path.find("//") != std::string_view::npos) return invalid("the path has an empty segment");
    out.path = std::string(path);
  }
  return out;
}

}  // namespace spark_operator::api
