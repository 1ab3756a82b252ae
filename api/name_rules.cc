#include "api/name_rules.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace spark_operator::api {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

Status Problem(std::string_view field, std::string_view value, std::string_view rule) {
  std::string message(field);
  message += ": \"";
  message += value;
  message += "\" ";
  message += rule;
  return InvalidArgumentError(std::move(message));
}

// Labels and annotation-key names: alphanumeric at both ends, '-', '_' and '.' inside.
bool IsQualifiedNamePart(std::string_view v) {
  if (v.empty() || v.size() > 63 || !IsAlnum(v.front()) || !IsAlnum(v.back())) return false;
  for (const char c : v) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

bool IsDns1123Label(std::string_view v) {
  if (v.empty() || v.size() > kDns1123LabelMaxLength || !IsLowerAlnum(v.front()) || !IsLowerAlnum(v.back())) {
    return false;
  }
  for (const char c : v) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsDns1123Subdomain(std::string_view v) {
  if (v.empty() || v.size() > kDns1123SubdomainMaxLength) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = v.find('.', start);
    const std::string_view part = v.substr(start, dot == std::string_view::npos ? v.npos : dot - start);
    // Each dot-separated part follows the label rule; only the total length is limited.
    if (part.empty() || !IsLowerAlnum(part.front()) || !IsLowerAlnum(part.back())) return false;
    for (const char c : part) {
      if (!IsLowerAlnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool IsQualifiedName(std::string_view v) {
  const size_t slash = v.find('/');
  if (slash == std::string_view::npos) return IsQualifiedNamePart(v);
  return IsDns1123Subdomain(v.substr(0, slash)) && IsQualifiedNamePart(v.substr(slash + 1));
}

bool IsLabelValue(std::string_view v) { return v.empty() || IsQualifiedNamePart(v); }

bool IsEnvVarName(std::string_view v) {
  if (v.empty() || (!IsAlpha(v.front()) && v.front() != '_' && v.front() != '-' && v.front() != '.')) return false;
  for (const char c : v) {
    if (!IsAlnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

bool IsCleanAbsolutePath(std::string_view v) {
  if (v.empty() || v.front() != '/') return false;
  size_t start = 0;
  while (start <= v.size()) {
    const size_t slash = v.find('/', start);
    const size_t end = slash == std::string_view::npos ? v.size() : slash;
    if (v.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

bool IsLogDestination(std::string_view v) {
  for (const char c : v) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  if (v.starts_with("file://")) return IsCleanAbsolutePath(v.substr(7));
  if (!v.starts_with("gs://") && !v.starts_with("s3://")) return false;
  const std::string_view rest = v.substr(5);
  const std::string_view bucket = rest.substr(0, rest.find('/'));
  const auto bucket_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  };
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (bucket.size() < 2 || !alnum(bucket.front()) || !alnum(bucket.back())) return false;
  for (const char c : bucket) {
    if (!bucket_char(c)) return false;
  }
  return bucket.size() == rest.size() || IsCleanAbsolutePath(rest.substr(bucket.size()));
}

std::string NameHash8(std::string_view text) {
  uint32_t h = 2166136261u;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

Status ValidateDns1123Subdomain(std::string_view field, std::string_view value) {
  if (IsDns1123Subdomain(value)) return OkStatus();
  return Problem(field, value,
                 "must be a DNS-1123 subdomain: at most 253 lower-case letters, digits, '-' and '.', starting and "
                 "ending with a letter or digit");
}

Status ValidateDns1123Label(std::string_view field, std::string_view value) {
  if (IsDns1123Label(value)) return OkStatus();
  return Problem(field, value,
                 "must be a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with "
                 "a letter or digit");
}

Status ValidateQualifiedName(std::string_view field, std::string_view value) {
  if (IsQualifiedName(value)) return OkStatus();
  return Problem(field, value,
                 "must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, "
                 "digits, '-', '_' and '.', starting and ending with a letter or digit");
}

Status ValidateLabelValue(std::string_view field, std::string_view value) {
  if (IsLabelValue(value)) return OkStatus();
  return Problem(field, value,
                 "must be a label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending "
                 "with a letter or digit");
}

Status ValidateEnvVarName(std::string_view field, std::string_view value) {
  if (IsEnvVarName(value)) return OkStatus();
  return Problem(field, value,
                 "must be an environment variable name: letters, digits, '_', '-' and '.', not starting with a "
                 "digit");
}

Status ValidateMountPath(std::string_view field, std::string_view value) {
  if (IsCleanAbsolutePath(value)) return OkStatus();
  return Problem(field, value, "must be an absolute path without '..' segments");
}

Status ValidateLogDestination(std::string_view field, std::string_view value) {
  if (IsLogDestination(value)) return OkStatus();
  return Problem(field, value,
                 "must be gs://bucket[/prefix], s3://bucket[/prefix] or file:///directory (lower-case bucket name, "
                 "no '..' segments)");
}

Status ValidateDecimal(std::string_view field, std::string_view value) {
  size_t digits = 0;
  size_t dots = 0;
  for (const char c : value) {
    if (c == '.') {
      ++dots;
    } else if (c >= '0' && c <= '9') {
      ++digits;
    } else {
      digits = 0;
      break;
    }
  }
  if (digits > 0 && dots <= 1 && value.size() <= 32) return OkStatus();
  return Problem(field, value, "must be a non-negative decimal number, e.g. \"0.2\"");
}

}  // namespace spark_operator::api
