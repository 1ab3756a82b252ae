#include <catch2/catch.hpp>

#include "common/kube/errors.h"
#include "common/kube/resource.h"

namespace spark_operator::kube {
namespace {

std::string StatusBody(const std::string& reason, const std::string& message, int code) {
  return R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":")" + message + R"(","reason":")" + reason +
         R"(","code":)" + std::to_string(code) + "}";
}

TEST_CASE("API errors become typed errors carrying the server's message") {
  struct Case {
    int http;
    std::string reason;
    StatusCode code;
  };
  const Case cases[] = {
      {404, "NotFound", StatusCode::kNotFound},
      {409, "AlreadyExists", StatusCode::kAlreadyExists},
      {409, "Conflict", StatusCode::kConflict},
      {410, "Expired", StatusCode::kGone},
      {403, "Forbidden", StatusCode::kForbidden},
      {422, "Invalid", StatusCode::kInvalid},
      {401, "Unauthorized", StatusCode::kUnauthenticated},
      {400, "BadRequest", StatusCode::kInvalidArgument},
      {429, "TooManyRequests", StatusCode::kTooManyRequests},
      {500, "Timeout", StatusCode::kDeadlineExceeded},
      {500, "InternalError", StatusCode::kInternal},
      {503, "ServiceUnavailable", StatusCode::kUnavailable},
  };
  for (const Case& c : cases) {
    const Status status = StatusFromResponse(c.http, StatusBody(c.reason, "the server says " + c.reason, c.http));
    INFO(c.http << " " << c.reason);
    CHECK(status.code() == c.code);
    CHECK(status.message() == "the server says " + c.reason);
    CHECK(status.http_status() == c.http);
  }
}

TEST_CASE("an error response that is not a Status keeps its body as the message") {
  const Status status = StatusFromResponse(502, "Bad Gateway");
  CHECK(status.code() == StatusCode::kInternal);
  CHECK(status.message() == "Bad Gateway");
  CHECK(StatusFromResponse(404, "").message() == "HTTP 404");
}

TEST_CASE("resource paths for core, grouped, namespaced and cluster-scoped resources") {
  CHECK(resources::kPods.ObjectPath("jobs", "driver", "status") == "/api/v1/namespaces/jobs/pods/driver/status");
  CHECK(resources::kPods.CollectionPath("") == "/api/v1/pods");
  CHECK(resources::kNamespaces.ObjectPath("ignored", "jobs") == "/api/v1/namespaces/jobs");
  CHECK(resources::kSparkApplications.CollectionPath("jobs") ==
        "/apis/spark-operator.k8s.io/v1alpha1/namespaces/jobs/sparkapplications");
  CHECK(UrlEncode("app in (a,b),!x") == "app%20in%20%28a%2Cb%29%2C%21x");
}

}  // namespace
}  // namespace spark_operator::kube
