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

}  // namespace spark_operator
