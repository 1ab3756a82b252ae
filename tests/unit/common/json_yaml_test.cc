#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "common/base/base64.h"
#include "common/base/json.h"
#include "common/base/yaml.h"

namespace spark_operator {
namespace {

TEST_CASE("YAML scalars keep their types, and quoted ones stay strings") {
  const Result<rapidjson::Document> doc =
      YamlToJson("a: 1\nb: \"1\"\nc: true\nd: 0.5\ne: ~\nf: 512m\ng: [x, 2]\nh: {i: j}\n");
  REQUIRE(doc.ok());
  CHECK(ToJson(*doc) == R"({"a":1,"b":"1","c":true,"d":0.5,"e":null,"f":"512m","g":["x",2],"h":{"i":"j"}})");
}

TEST_CASE("YAML streams and malformed YAML") {
  const Result<std::vector<rapidjson::Document>> docs = YamlStreamToJson("a: 1\n---\n---\nb: 2\n");
  REQUIRE(docs.ok());
  CHECK(docs->size() == 2);
  const Result<rapidjson::Document> bad = YamlToJson("a: [1, 2");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(bad.status().message(), Catch::StartsWith("malformed YAML"));
}

TEST_CASE("JSON paths read, create and remove nested members") {
  Result<rapidjson::Document> doc = ParseJson(R"({"metadata":{"name":"x","namespace":"ns"}})");
  REQUIRE(doc.ok());
  CHECK(ObjectKey(*doc) == "ns/x");
  SetString(*doc, {"metadata", "labels", "app"}, "pi");
  CHECK(GetString(*doc, {"metadata", "labels", "app"}) == "pi");
  RemovePath(*doc, {"metadata", "namespace"});
  CHECK(ObjectKey(*doc) == "x");
  CHECK(GetInt(*doc, {"metadata", "missing"}, 7) == 7);
  const Result<rapidjson::Document> bad = ParseJson("{\"a\":");
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::StartsWith("malformed JSON"));
}

TEST_CASE("a copy keeps its strings when the text a Document was parsed in place from is overwritten") {
  // The packed caches decode objects this way: the strings stay in the decoded text.
  std::string text = R"({"metadata":{"name":"a-name-longer-than-a-short-string"},"items":["another long string"]})";
  rapidjson::Document parsed;
  parsed.ParseInsitu(text.data());
  REQUIRE_FALSE(parsed.HasParseError());
  const rapidjson::Document copy = CopyJson(parsed);
  std::fill(text.begin(), text.end(), 'x');
  CHECK(ToJson(copy) == R"({"metadata":{"name":"a-name-longer-than-a-short-string"},"items":["another long string"]})");
}

TEST_CASE("base64 round trips and rejects garbage") {
  for (const std::string s : {"", "a", "ab", "abc", "abcd", "\x01\x02\xff"}) {
    const Result<std::string> back = Base64Decode(Base64Encode(s));
    REQUIRE(back.ok());
    CHECK(*back == s);
  }
  CHECK(Base64Encode("hello") == "aGVsbG8=");
  CHECK_FALSE(Base64Decode("abc").ok());
  CHECK_FALSE(Base64Decode("a$c=").ok());
}

TEST_CASE("strings YAML 1.1 readers take for booleans or null are quoted, so kubectl reads them back as strings") {
  const Result<rapidjson::Document> json = ParseJson(R"({"enum":["True","False","yes","Null","Truth"]})");
  REQUIRE(json.ok());
  const std::string yaml = JsonToYaml(*json);
  CHECK(yaml.find("\"True\"") != std::string::npos);
  CHECK(yaml.find("\"False\"") != std::string::npos);
  CHECK(yaml.find("\"yes\"") != std::string::npos);
  CHECK(yaml.find("\"Null\"") != std::string::npos);
  CHECK(yaml.find("- Truth") != std::string::npos);
  const Result<rapidjson::Document> back = YamlToJson(yaml);
  REQUIRE(back.ok());
  CHECK(*back == *json);
}

TEST_CASE("strings that read as numbers are quoted, so a sparkConf value or an argument stays a string") {
  const Result<rapidjson::Document> json =
      ParseJson(R"({"a":["1000","3.5","1e3","0x1F","-1",".5","0o7","1_000",".inf","3.5.0","1200m"],"b":"v1","n":2})");
  REQUIRE(json.ok());
  const std::string yaml = JsonToYaml(*json);
  CHECK(yaml.find("- \"1000\"") != std::string::npos);
  CHECK(yaml.find("- \"0x1F\"") != std::string::npos);
  CHECK(yaml.find("b: v1") != std::string::npos);
  CHECK(yaml.find("n: 2") != std::string::npos);
  const Result<rapidjson::Document> back = YamlToJson(yaml);
  REQUIRE(back.ok());
  CHECK(*back == *json);
}

TEST_CASE("YAML whose aliases expand past the value limit is refused rather than expanded") {
  // Each level doubles: 2^30 values from a few hundred bytes.
  std::string yaml = "a0: &a0 [x, x]\n";
  for (int i = 1; i <= 30; ++i) {
    yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + ", *a" +
            std::to_string(i - 1) + "]\n";
  }
  const Result<std::vector<rapidjson::Document>> docs = YamlStreamToJson(yaml);
  REQUIRE_FALSE(docs.ok());
  CHECK(docs.status().message() == "YAML with more than 1048576 values (aliases expanded)");
  CHECK(YamlToJson("a: &a [1, 2]\nb: *a\n").ok());  // Aliases themselves are fine.
}

TEST_CASE("YAML nested past the JSON depth limit, or an alias inside its own anchor, is refused") {
  // A kubeconfig or a manifest is read from outside the process: neither may recurse without bound.
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']') + "\n"; };
  CHECK(YamlToJson(nested(kMaxJsonDepth)).ok());
  const Result<rapidjson::Document> deep = YamlToJson(nested(kMaxJsonDepth + 1));
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.status().message() == "YAML nested deeper than 256 levels");
  // Past yaml-cpp's own guard (2,000 levels) its parser refuses first.
  const Result<rapidjson::Document> deeper = YamlToJson(nested(100000));
  REQUIRE_FALSE(deeper.ok());
  CHECK(deeper.status().message().rfind("malformed YAML: ", 0) == 0);
  // yaml-cpp 0.7 knows an anchor before its content is read, so an alias can name the node that holds it.
  const Result<rapidjson::Document> cyclic = YamlToJson("a: &a [*a]\n");
  REQUIRE_FALSE(cyclic.ok());
  CHECK(cyclic.status().message() == "YAML alias inside the node it names");
}

TEST_CASE("YAML on which yaml-cpp 0.7 goes round in circles is refused at once") {
  // A stream that is just "," gave LoadAll an empty document without end (jbeder/yaml-cpp#1040), found by
  // fuzz/spark_application_fuzzer: a kubeconfig or a file given to `convert` would hang the process.
  for (const char* yaml : {",", ",,,, d: e\n", ", a: b"}) {
    INFO(yaml);
    const Result<std::vector<rapidjson::Document>> docs = YamlStreamToJson(yaml);
    REQUIRE_FALSE(docs.ok());
    CHECK(docs.status().message() == "malformed YAML: no document can be read at offset 0");
  }
  // Empty documents in a stream are not that: they are skipped.
  const Result<std::vector<rapidjson::Document>> docs = YamlStreamToJson("---\n---\na: 1\n---\n");
  REQUIRE(docs.ok());
  REQUIRE(docs->size() == 1);
  CHECK(GetInt((*docs)[0], {"a"}) == 1);
}

TEST_CASE("YAML aliases copy what their anchor names, and keys stay text") {
  const Result<rapidjson::Document> doc = YamlToJson("a: &x {b: [1, '2', ~]}\nc: *x\n1: &k key\n*k : v\n");
  REQUIRE(doc.ok());
  CHECK(ToJson(*doc) == R"({"a":{"b":[1,"2",null]},"c":{"b":[1,"2",null]},"1":"key","key":"v"})");
  const Result<rapidjson::Document> complex_key = YamlToJson("? [a]\n: b\n");
  REQUIRE_FALSE(complex_key.ok());
  CHECK(complex_key.status().message() == "YAML mapping key that is not a scalar");
}

}  // namespace
}  // namespace spark_operator
