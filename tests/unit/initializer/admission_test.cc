#include "initializer/admission.h"

#include <catch2/catch.hpp>

#include "common/base/base64.h"
#include "common/base/json.h"

namespace spark_operator::initializer {
namespace {

std::string Review(const std::string& request) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)" + request + "}";
}

const std::string kPodCreate = R"({"uid":"u-1","kind":{"group":"","version":"v1","kind":"Pod"},
  "resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"spark",
  "object":{"metadata":{"name":"driver","annotations":{"spark-operator.k8s.io/secret.s":"/s"}},
    "spec":{"containers":[{"name":"spark-kubernetes-driver"}]}}})";

rapidjson::Document Body(const AdmissionResult& r) {
  Result<rapidjson::Document> doc = ParseJson(r.body);
  REQUIRE(doc.ok());
  return std::move(doc).value();
}

// The patch as the API server reads it: common's decoder (RFC 4648, padded).
std::string DecodePatch(const std::string& in) {
  Result<std::string> decoded = Base64Decode(in);
  REQUIRE(decoded.ok());
  return *decoded;
}

TEST_CASE("a pod CREATE with annotations gets a base64 JSONPatch and its uid echoed") {
  const Mutator mutator({});
  const AdmissionResult r = AdmissionHandler(&mutator).Handle(Review(kPodCreate));
  CHECK(r.http_status == 200);
  CHECK(r.outcome == "patched");
  CHECK(r.object_key == "spark/driver");
  const auto body = Body(r);
  CHECK(GetString(body, {"apiVersion"}) == "admission.k8s.io/v1");
  CHECK(GetString(body, {"kind"}) == "AdmissionReview");
  CHECK(GetString(body, {"response", "uid"}) == "u-1");
  CHECK(GetBool(body, {"response", "allowed"}));
  CHECK(GetString(body, {"response", "patchType"}) == "JSONPatch");
  const std::string patch = DecodePatch(GetString(body, {"response", "patch"}));
  CHECK_THAT(patch, Catch::StartsWith(R"([{"op":"add","path":"/spec/volumes","value":[{"name":"s-secret-vol")"));
  CHECK(FindPath(body, {"response", "warnings"}) == nullptr);
}

TEST_CASE("a denied pod gets status code 403 and the message") {
  const Mutator mutator({});
  std::string request = kPodCreate;
  request.replace(request.find("\"/s\""), 4, "\"s\"");
  const AdmissionResult r = AdmissionHandler(&mutator).Handle(Review(request));
  CHECK(r.http_status == 200);
  CHECK(r.outcome == "denied");
  const auto body = Body(r);
  CHECK_FALSE(GetBool(body, {"response", "allowed"}, true));
  CHECK(GetInt(body, {"response", "status", "code"}) == 403);
  CHECK(GetString(body, {"response", "status", "message"}) ==
        R"(spark-operator.k8s.io/secret.s: mount path "s" must be absolute)");
  CHECK(FindPath(body, {"response", "patch"}) == nullptr);
}

TEST_CASE("warnings are returned in the response") {
  const Mutator mutator({InvalidAnnotationPolicy::kWarn});
  std::string request = kPodCreate;
  request.replace(request.find("\"/s\""), 4, "\"s\"");
  const auto body = Body(AdmissionHandler(&mutator).Handle(Review(request)));
  CHECK(GetBool(body, {"response", "allowed"}));
  const rapidjson::Value* warnings = FindPath(body, {"response", "warnings"});
  REQUIRE(warnings != nullptr);
  REQUIRE(warnings->Size() == 1);
  CHECK_THAT((*warnings)[0].GetString(), Catch::Contains("must be absolute"));
}

TEST_CASE("other resources and operations are allowed untouched") {
  const Mutator mutator({});
  for (const std::string& from : {std::string("\"operation\":\"CREATE\""), std::string("\"resource\":\"pods\"")}) {
    std::string request = kPodCreate;
    request.replace(request.find(from), from.size(),
                    from[1] == 'o' ? "\"operation\":\"UPDATE\"" : "\"resource\":\"configmaps\"");
    const AdmissionResult r = AdmissionHandler(&mutator).Handle(Review(request));
    CHECK(r.outcome == "skipped");
    const auto body = Body(r);
    CHECK(GetBool(body, {"response", "allowed"}));
    CHECK(GetString(body, {"response", "uid"}) == "u-1");
    CHECK(FindPath(body, {"response", "patch"}) == nullptr);
  }
}

TEST_CASE("undecodable AdmissionReviews get HTTP 400 with a clear message") {
  const Mutator mutator({});
  const AdmissionHandler handler(&mutator);
  struct Case {
    std::string body, message;
  };
  for (const Case& c : std::vector<Case>{
           {"{not json", "AdmissionReview: malformed JSON at offset 1"},
           {"[]", "AdmissionReview: body is not a JSON object"},
           {R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"x"}})",
            R"(kind is "Pod", want "AdmissionReview")"},
           {R"({"apiVersion":"v1","kind":"AdmissionReview","request":{"uid":"x"}})", R"(apiVersion is "v1")"},
           {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", "AdmissionReview: no request"},
           {Review(R"({"operation":"CREATE"})"), "request.uid is missing"},
       }) {
    INFO(c.body);
    const AdmissionResult r = handler.Handle(c.body);
    CHECK(r.http_status == 400);
    CHECK(r.outcome == "error");
    CHECK_THAT(r.body, Catch::Contains(c.message));
  }
}

TEST_CASE("a pod CREATE without an object is denied with code 400") {
  const Mutator mutator({});
  const AdmissionResult r =
      AdmissionHandler(&mutator).Handle(Review(R"({"uid":"u","resource":{"resource":"pods"},"operation":"CREATE"})"));
  CHECK(r.http_status == 200);
  const auto body = Body(r);
  CHECK(GetInt(body, {"response", "status", "code"}) == 400);
  CHECK_THAT(GetString(body, {"response", "status", "message"}), Catch::Contains("request.object"));
}

TEST_CASE("the patch is base64 with padding, as the API server decodes it") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
}

}  // namespace
}  // namespace spark_operator::initializer
