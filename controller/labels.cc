#include "controller/labels.h"

#include "api/name_rules.h"

namespace spark_operator::controller {
namespace {

constexpr size_t kMaxLength = 63;

// `name` with `suffix`, cutting `name` (and adding a hash of it) when the whole would exceed 63 characters.
std::string Fit(std::string_view name, std::string_view suffix) {
  if (name.size() + suffix.size() <= kMaxLength) return std::string(name) + std::string(suffix);
  const std::string hash = api::NameHash8(name);
  std::string prefix(name.substr(0, kMaxLength - suffix.size() - hash.size() - 1));
  // Names must end alphanumeric; a cut may leave '-' or '.' at the end.
  while (!prefix.empty() && (prefix.back() == '-' || prefix.back() == '.')) prefix.pop_back();
  return prefix + "-" + hash + std::string(suffix);
}

}  // namespace

std::string LabelValueFor(std::string_view name) { return Fit(name, ""); }

std::string DriverPodName(std::string_view app_name, int attempt) {
  return Fit(app_name, "-" + std::to_string(attempt) + "-driver");
}

std::string UiServiceName(std::string_view app_name) { return Fit(app_name, "-ui-svc"); }

std::string UiIngressName(std::string_view app_name) { return Fit(app_name, "-ui-ingress"); }

}  // namespace spark_operator::controller
