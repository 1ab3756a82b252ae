#include "api/metrics_properties.h"

namespace spark_operator::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> ParseMetricsProperties(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  int number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = Trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;
    const auto problem = [&](const std::string& why) {
      return InvalidArgumentError("line " + std::to_string(number) + " (\"" + std::string(line) + "\"): " + why);
    };
    if (line.back() == '\\') return problem("line continuations are not supported");
    const size_t sep = line.find_first_of("=:");
    if (sep == std::string_view::npos) return problem("expected key=value");
    const std::string_view key = Trim(line.substr(0, sep));
    if (key.empty()) return problem("the key is empty");
    if (key.find_first_of(" \t") != std::string_view::npos) return problem("the key has a space");
    out.emplace_back(std::string(key), std::string(Trim(line.substr(sep + 1))));
  }
  return out;
}

}  // namespace spark_operator::api
