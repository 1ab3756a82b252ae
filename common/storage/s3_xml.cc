#include "common/storage/s3_xml.h"

#include <charconv>

#include "common/storage/store_http.h"

namespace spark_operator::storage {
namespace {

// The entities S3 uses, and numeric ones; an unknown entity is kept as it is.
std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const size_t amp = text.find('&');
    out.append(text.substr(0, amp));
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp);
    const size_t semi = text.find(';');
    const std::string_view entity = text.substr(0, semi == std::string_view::npos ? 0 : semi + 1);
    if (entity == "&amp;") {
      out += '&';
    } else if (entity == "&lt;") {
      out += '<';
    } else if (entity == "&gt;") {
      out += '>';
    } else if (entity == "&quot;") {
      out += '"';
    } else if (entity == "&apos;") {
      out += '\'';
    } else if (entity.size() > 3 && entity[1] == '#') {
      const bool hex = entity[2] == 'x' || entity[2] == 'X';
      const std::string_view digits = entity.substr(hex ? 3 : 2, entity.size() - (hex ? 4 : 3));
      unsigned code = 0;
      const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
      // Only ASCII: the texts read here (ids, codes, messages) are ASCII, and a message needs no more.
      if (parsed.ec == std::errc() && parsed.ptr == digits.data() + digits.size() && code < 0x80) {
        out += static_cast<char>(code);
      } else {
        out.append(entity);
      }
    } else {
      out += '&';
      text.remove_prefix(1);
      continue;
    }
    text.remove_prefix(entity.size());
  }
  return out;
}

StatusCode CodeForS3Error(int http_status, const std::string& code) {
  if (code == "RequestTimeout" || code == "SlowDown" || code == "InternalError" || code == "ServiceUnavailable") {
    return StatusCode::kUnavailable;
  }
  if (code == "ExpiredToken" || code == "InvalidToken" || code == "TokenRefreshRequired") {
    return StatusCode::kUnauthenticated;
  }
  // An unknown access key (XAdminUserNotFound is versitygw's name for it, sent with 404) is the credentials'
  // problem, not a missing bucket.
  if (code == "InvalidAccessKeyId" || code == "XAdminUserNotFound") return StatusCode::kForbidden;
  if (code == "NoSuchBucket" || code == "NoSuchKey" || code == "NoSuchUpload") return StatusCode::kNotFound;
  // The wrong region or endpoint for the bucket: configuration, whatever the status.
  if (code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" || http_status / 100 == 3) {
    return StatusCode::kInvalidArgument;
  }
  return CodeForHttpStatus(http_status);
}

}  // namespace

std::string XmlElementText(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const size_t start = xml.find(open);
  if (start == std::string_view::npos) return "";
  const size_t end = xml.find(close, start + open.size());
  if (end == std::string_view::npos) return "";
  return XmlUnescape(xml.substr(start + open.size(), end - start - open.size()));
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Status S3ErrorStatus(int http_status, std::string_view body, const std::string& what) {
  // Only Code and Message: the rest of an error (StringToSign, CanonicalRequest, AWSAccessKeyId) is for
  // debugging signatures and has no place in a Status that ends up in Events.
  const std::string code = Snippet(XmlElementText(body, "Code"));
  std::string message = Snippet(XmlElementText(body, "Message"));
  if (code.empty() && message.empty()) message = body.empty() ? "no details" : Snippet(body);
  std::string text = what + ": HTTP " + std::to_string(http_status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + message;
  return Status(CodeForS3Error(http_status, code), text, http_status);
}

}  // namespace spark_operator::storage
