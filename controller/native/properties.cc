#include "controller/native/properties.h"

#include <ctime>

namespace spark_operator::controller::native {
namespace {

std::string Escape(const std::string& text, bool escape_every_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\f':
        out += "\\f";
        break;
      case '=':
      case ':':
      case '#':
      case '!':
        out += '\\';
        out += c;
        break;
      case ' ':
        if (i == 0 || escape_every_space) out += '\\';
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string ToJavaProperties(const std::map<std::string, std::string>& entries, const std::string& comment,
                             const std::string& date) {
  std::string out = "#" + comment + "\n#" + date + "\n";
  for (const auto& [key, value] : entries) out += Escape(key, true) + "=" + Escape(value, false) + "\n";
  return out;
}

std::string JavaDateUtc(int64_t epoch_millis) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return buf;
}

}  // namespace spark_operator::controller::native
