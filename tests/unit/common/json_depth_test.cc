// ParseJson on hostile input: nesting is bounded and never recurses, errors say where and why.
#include <catch2/catch.hpp>
#include <string>

#include "common/base/json.h"

namespace spark_operator {
namespace {

std::string NestedArrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string NestedObjects(size_t depth) {
  std::string text;
  for (size_t i = 0; i < depth; ++i) text += "{\"a\":";
  text += "1";
  text += std::string(depth, '}');
  return text;
}

TEST_CASE("ParseJson rejects 1 MiB of nested arrays with a clear error instead of overflowing the stack") {
  const std::string text(1 << 20, '[');  // Unterminated, like the body that crashed the webhook.
  const Result<rapidjson::Document> doc = ParseJson(text);
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.status().code() == StatusCode::kInvalidArgument);
  CHECK(doc.status().message() == "JSON nested deeper than 256 levels at offset 256");
}

TEST_CASE("ParseJson rejects deeply nested objects and closed arrays alike") {
  CHECK_FALSE(ParseJson(NestedObjects(100'000)).ok());
  const Result<rapidjson::Document> arrays = ParseJson(NestedArrays(200'000));
  REQUIRE_FALSE(arrays.ok());
  CHECK(arrays.status().message().find("nested deeper than 256") != std::string::npos);
}

TEST_CASE("ParseJson takes nesting up to the limit and round-trips it") {
  const std::string arrays = NestedArrays(kMaxJsonDepth);
  const Result<rapidjson::Document> doc = ParseJson(arrays);
  REQUIRE(doc.ok());
  CHECK(ToJson(*doc) == arrays);
  CHECK(ParseJson(NestedObjects(kMaxJsonDepth)).ok());
  CHECK_FALSE(ParseJson(NestedArrays(kMaxJsonDepth + 1)).ok());
  CHECK_FALSE(ParseJson(NestedObjects(kMaxJsonDepth + 1)).ok());
}

TEST_CASE("ParseJson still reports malformed JSON with its offset, and parses ordinary documents") {
  const Result<rapidjson::Document> bad = ParseJson(R"({"a": [1, 2,]})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().rfind("malformed JSON at offset 12: ", 0) == 0);
  CHECK_FALSE(ParseJson("[1] x").ok());
  CHECK_FALSE(ParseJson("").ok());
  const Result<rapidjson::Document> good =
      ParseJson(R"({"metadata":{"name":"x","labels":{"a":"b"}},"n":[1,2.5,null,true]})");
  REQUIRE(good.ok());
  CHECK(GetString(*good, {"metadata", "name"}) == "x");
  CHECK(ToJson(*good) == R"({"metadata":{"name":"x","labels":{"a":"b"}},"n":[1,2.5,null,true]})");
}

}  // namespace
}  // namespace spark_operator
