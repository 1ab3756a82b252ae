#include "common/kube/errors.h"

#include "common/base/json.h"

namespace spark_operator::kube {

Status StatusFromResponse(int http_status, std::string_view body) {
  std::string reason;
  std::string message;
  if (Result<rapidjson::Document> doc = ParseJson(body); doc.ok() && doc->IsObject()) {
    reason = GetString(*doc, {"reason"});
    message = GetString(*doc, {"message"});
  }
  if (message.empty()) message = body.empty() ? "HTTP " + std::to_string(http_status) : std::string(body);

  StatusCode code = StatusCode::kInternal;
  switch (http_status) {
    case 400:
      code = StatusCode::kInvalidArgument;
      break;
    case 401:
      code = StatusCode::kUnauthenticated;
      break;
    case 403:
      code = StatusCode::kForbidden;
      break;
    case 404:
      code = StatusCode::kNotFound;
      break;
    case 409:
      code = reason == "AlreadyExists" ? StatusCode::kAlreadyExists : StatusCode::kConflict;
      break;
    case 410:
      code = StatusCode::kGone;
      break;
    case 422:
      code = StatusCode::kInvalid;
      break;
    case 429:
      code = StatusCode::kTooManyRequests;
      break;
    case 503:
      code = StatusCode::kUnavailable;
      break;
    case 504:
      code = StatusCode::kDeadlineExceeded;
      break;
    default:
      break;
  }
  // A 500 whose reason names a timeout is one (the server gave up waiting on etcd or a webhook).
  if (reason == "Timeout" || reason == "ServerTimeout") code = StatusCode::kDeadlineExceeded;
  return Status(code, message, http_status);
}

}  // namespace spark_operator::kube
