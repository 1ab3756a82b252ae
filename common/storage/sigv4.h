// AWS Signature Version 4 for requests signed in the Authorization header
// (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html): the canonical request,
// the string to sign, the derived signing key and the header. Pure functions of their inputs, so that AWS's
// published examples are unit tests.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/base/sha256.h"

namespace spark_operator::storage {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // Sent (and signed) as x-amz-security-token when set.
};

struct SigV4Request {
  std::string method;
  std::string canonical_uri;  // The path as sent, already URI-encoded ("/bucket/a%20b"); S3 does not encode twice.
  std::vector<std::pair<std::string, std::string>> query;    // Decoded names and values; "uploads" has value "".
  std::vector<std::pair<std::string, std::string>> headers;  // Every header to sign, host and x-amz-date included.
  std::string payload_sha256;                                // Lowercase hex.
};

// "20130524T000000Z": the x-amz-date header's form.
std::string AmzDate(std::chrono::system_clock::time_point time);

// The query as the canonical request has it, sorted and encoded: also a valid query string to send.
std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query);

std::string CanonicalRequest(const SigV4Request& request);

// The Authorization header's value. `amz_date` is the x-amz-date header's value in `request.headers`.
std::string SignV4(const SigV4Request& request, const AwsCredentials& credentials, std::string_view region,
                   std::string_view service, std::string_view amz_date);

}  // namespace spark_operator::storage
