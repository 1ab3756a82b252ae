// The little XML the S3 client reads and writes: an element's text out of a small response (an upload id, an
// error's Code and Message), escaping for the CompleteMultipartUpload body, and S3 error responses as a Status.
// Not an XML parser: S3's answers are flat, and anything unexpected reads as "no such element", never a crash.
#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"

namespace spark_operator::storage {

// The text of the first <tag>...</tag> in `xml`, entities decoded; "" when there is none.
std::string XmlElementText(std::string_view xml, std::string_view tag);

std::string XmlEscape(std::string_view text);

// An S3 error answer as the Status callers act on (object_store.h), "<what>: <Code>: <Message>". Some S3 errors
// come with 200 (CompleteMultipartUpload): pass http_status 500 for those, as AWS asks clients to retry them.
Status S3ErrorStatus(int http_status, std::string_view body, const std::string& what);

}  // namespace spark_operator::storage
