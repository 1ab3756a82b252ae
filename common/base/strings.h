// String helpers the standard library lacks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spark_operator {

// "a,,b" -> {"a", "b"}: the form of list-valued flags.
inline std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// `text` without leading and trailing ASCII whitespace.
inline std::string Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(" \t\n\r\f\v");
  if (begin == std::string_view::npos) return "";
  return std::string(text.substr(begin, text.find_last_not_of(" \t\n\r\f\v") - begin + 1));
}

// `text` with every byte that is not part of a well-formed UTF-8 sequence replaced by U+FFFD, so that a message
// quoting untrusted input can go into JSON (which must be UTF-8) as it is.
std::string ToValidUtf8(std::string_view text);

}  // namespace spark_operator
