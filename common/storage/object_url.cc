// Store URLs and object keys. Both are checked here once, so that no store has to guess what a key such as
// "a/../../etc" means: it is refused before any request or file name is built from it.
#include <algorithm>
#include <cctype>
#include <string>

#include "common/storage/object_store.h"

namespace spark_operator::storage {
namespace {

constexpr size_t kMaxKeyBytes = 1024;

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// "gs://x/a//b": the message points at the problem without repeating a possibly long URL twice.
Status BadUrl(std::string_view url, const std::string& what) {
  return InvalidArgumentError("object store URL \"" + std::string(url) + "\": " + what);
}

// Empty, ".", ".." and control characters are refused in every segment of a prefix or key.
std::string PathProblem(std::string_view path) {
  if (std::any_of(path.begin(), path.end(), IsControl)) return "contains a control character";
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty()) return "has an empty path segment (\"//\", or a leading or trailing '/')";
    if (segment == "." || segment == "..") return "has a \"" + std::string(segment) + "\" path segment";
    start = end + 1;
  }
  return "";
}

// The rules GCS and S3 share (lowercase letters, digits, '-', '_' and '.', starting and ending with a letter or
// digit); each store's own finer rules are its business and show as its error.
std::string BucketProblem(std::string_view bucket, size_t max_length) {
  if (bucket.size() < 3 || bucket.size() > max_length) {
    return "bucket \"" + std::string(bucket) + "\" must be 3 to " + std::to_string(max_length) + " characters";
  }
  const auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  };
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!std::all_of(bucket.begin(), bucket.end(), allowed) || !alnum(bucket.front()) || !alnum(bucket.back())) {
    return "bucket \"" + std::string(bucket) +
           "\" may hold only lowercase letters, digits, '-', '_' and '.', and must start and end with a letter or "
           "digit";
  }
  return "";
}

}  // namespace

std::string ObjectUrl::ToString() const {
  switch (scheme) {
    case Scheme::kFile:
      return "file://" + prefix;
    case Scheme::kGcs:
      return "gs://" + bucket + (prefix.empty() ? "" : "/" + prefix);
    case Scheme::kS3:
      return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
  }
  return "";
}

Result<ObjectUrl> ParseObjectUrl(std::string_view url) {
  if (url.empty()) return InvalidArgumentError("object store URL is empty (gs://bucket, s3://bucket or file:///dir)");
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0) {
    return BadUrl(url, "missing scheme (gs://bucket/prefix, s3://bucket/prefix or file:///absolute/dir)");
  }
  std::string scheme(url.substr(0, colon));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view rest = url.substr(colon + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return BadUrl(url, "a query or fragment ('?', '#') is not supported");
  }

  ObjectUrl parsed;
  if (scheme == "file") {
    parsed.scheme = ObjectUrl::Scheme::kFile;
    if (rest.empty() || rest.front() != '/') {
      return BadUrl(url, "a file URL names an absolute directory, file:///path (no host, no relative path)");
    }
    while (rest.size() > 1 && rest.back() == '/') rest.remove_suffix(1);
    if (rest != "/") {
      if (const std::string problem = PathProblem(rest.substr(1)); !problem.empty()) return BadUrl(url, problem);
    }
    parsed.prefix = std::string(rest);
    return parsed;
  }
  size_t max_bucket = 0;
  if (scheme == "gs") {
    parsed.scheme = ObjectUrl::Scheme::kGcs;
    max_bucket = 222;  // GCS allows dotted names up to 222 characters.
  } else if (scheme == "s3") {
    parsed.scheme = ObjectUrl::Scheme::kS3;
    max_bucket = 63;
  } else {
    return BadUrl(url, "unsupported scheme \"" + scheme + "\" (gs, s3 or file)");
  }
  const size_t slash = rest.find('/');
  const std::string_view bucket = rest.substr(0, slash);
  if (bucket.empty()) return BadUrl(url, "missing bucket");
  if (const std::string problem = BucketProblem(bucket, max_bucket); !problem.empty()) return BadUrl(url, problem);
  parsed.bucket = std::string(bucket);
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    if (!prefix.empty()) {
      if (const std::string problem = PathProblem(prefix); !problem.empty()) return BadUrl(url, "prefix " + problem);
      if (prefix.size() > kMaxKeyBytes) return BadUrl(url, "prefix longer than 1024 bytes");
    }
    parsed.prefix = std::string(prefix);
  }
  return parsed;
}

Status ValidateObjectKey(std::string_view key) {
  if (key.empty()) return InvalidArgumentError("object key is empty");
  if (key.size() > kMaxKeyBytes) {
    return InvalidArgumentError("object key is " + std::to_string(key.size()) + " bytes, over the limit of 1024");
  }
  if (key.front() == '/') {
    return InvalidArgumentError("object key \"" + std::string(key) + "\" is absolute; keys are relative to the store");
  }
  if (const std::string problem = PathProblem(key); !problem.empty()) {
    return InvalidArgumentError("object key \"" + std::string(key) + "\" " + problem);
  }
  return OkStatus();
}

}  // namespace spark_operator::storage
