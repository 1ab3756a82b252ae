// How the informer's cache holds an object: packed as text and decoded on each read, every JSON value comes back
// as it was, in type and in value.
#include "common/kube/packed_object.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "common/base/json.h"

namespace spark_operator::kube {
namespace {

rapidjson::Document Parse(const std::string& text) {
  Result<rapidjson::Document> doc = ParseJson(text);
  REQUIRE(doc.ok());
  return std::move(*doc);
}

// Equal as RapidJSON compares (numbers by value) and with the same type flags (int, unsigned, 64-bit, double).
void CheckSame(const rapidjson::Value& a, const rapidjson::Value& b) {
  REQUIRE(a.GetType() == b.GetType());
  CHECK(a.IsInt() == b.IsInt());
  CHECK(a.IsUint() == b.IsUint());
  CHECK(a.IsInt64() == b.IsInt64());
  CHECK(a.IsUint64() == b.IsUint64());
  CHECK(a.IsDouble() == b.IsDouble());
  if (a.IsDouble()) {
    const double x = a.GetDouble();
    const double y = b.GetDouble();
    CHECK((std::isnan(x) ? std::isnan(y) : std::memcmp(&x, &y, sizeof x) == 0));
  } else if (a.IsString()) {
    CHECK(std::string(a.GetString(), a.GetStringLength()) == std::string(b.GetString(), b.GetStringLength()));
  } else if (a.IsArray()) {
    REQUIRE(a.Size() == b.Size());
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i) CheckSame(a[i], b[i]);
  } else if (a.IsObject()) {
    REQUIRE(a.MemberCount() == b.MemberCount());
    for (auto m = a.MemberBegin(), n = b.MemberBegin(); m != a.MemberEnd(); ++m, ++n) {
      CHECK(std::string(m->name.GetString(), m->name.GetStringLength()) ==
            std::string(n->name.GetString(), n->name.GetStringLength()));
      CheckSame(m->value, n->value);
    }
  } else {
    CHECK(a == b);
  }
}

// Packs and decodes `value` without a dictionary and with one. `json`: the value has no NaN or infinity, so its
// text is JSON, the same as ToJson's.
void RoundTrip(const rapidjson::Value& value, bool json = true) {
  const PackDictionary dictionary(R"({"metadata":{"name":"x","namespace":"y"},"null":null,"unicode":"\u00e9"})");
  for (const PackDictionary* with : {static_cast<const PackDictionary*>(nullptr), &dictionary}) {
    const PackedObject packed = PackedObject::Pack("ns/name", value, with);
    REQUIRE(packed);
    CHECK(packed.key() == "ns/name");
    if (json) CHECK(packed.Text(with) == ToJson(value));
    const ObjectPtr decoded = packed.Decode(with);
    REQUIRE(decoded != nullptr);
    CheckSame(value, *decoded);
  }
}

TEST_CASE("a packed object decodes to every JSON type as it was") {
  RoundTrip(Parse(R"({"null":null,"t":true,"f":false,"zero":0,"int":-42,"uint":42,"i64":-9007199254740993,
      "u64":18446744073709551615,"beyond":18446744073709551616,"min64":-9223372036854775808,
      "double":0.1,"third":0.3333333333333333,"tiny":5e-324,"huge":1.7976931348623157e308,"whole":3.0,"neg":-0.0,
      "exp":6.02214076e23,"s":"","arr":[],"obj":{},"nested":[[[{"a":[1,"two",3.5,null,{"b":[]}]}]]],
      "dup":1,"dup":2})"));
}

TEST_CASE("a packed object keeps unicode, escapes and NUL bytes in names and strings") {
  RoundTrip(Parse(R"({"unicode":"h\u00e9llo \u4e16\u754c \ud83d\ude00 é","quote\"d":"say \"hi\"",
      "slash":"a\\b/c\/d","controls":"\b\f\n\r\t\u0001\u001f","nul":"a\u0000b","\u0000key":"v",
      "line":"\u2028\u2029","":"empty name"})"));
}

TEST_CASE("a packed object keeps values only code can make") {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("nan", std::numeric_limits<double>::quiet_NaN(), a);
  doc.AddMember("inf", std::numeric_limits<double>::infinity(), a);
  doc.AddMember("-inf", -std::numeric_limits<double>::infinity(), a);
  doc.AddMember("i64", rapidjson::Value(int64_t{-1} << 62), a);
  doc.AddMember("u64", rapidjson::Value(uint64_t{1} << 63), a);
  doc.AddMember("max", std::numeric_limits<double>::max(), a);
  const std::string long_string(100000, 'x');
  doc.AddMember("long", rapidjson::Value(long_string.c_str(), a), a);
  rapidjson::Value array(rapidjson::kArrayType);
  for (int i = 0; i < 10000; ++i) array.PushBack(i, a);
  doc.AddMember("array", array, a);
  RoundTrip(doc, /*json=*/false);
  // Roots other than objects.
  RoundTrip(rapidjson::Value(7));
  RoundTrip(rapidjson::Value("text"));
  RoundTrip(rapidjson::Value(rapidjson::kArrayType));
}

TEST_CASE("a decoded object is a Document of its own") {
  const PackedObject packed = PackedObject::Pack("jobs/pi", Parse(R"({"metadata":{"name":"pi"}})"), nullptr);
  const ObjectPtr a = packed.Decode(nullptr);
  const ObjectPtr b = packed.Decode(nullptr);
  CHECK(a != b);
  CHECK(*a == *b);
  CHECK(NameOf(*a) == "pi");
  // Its allocator works on, for a reader that copies from it.
  rapidjson::Document copy;
  copy.CopyFrom(*a, copy.GetAllocator());
  CHECK(copy == *a);
  CHECK(packed.allocated() < 64);
  CHECK(PackedObject().Decode(nullptr) == nullptr);
  CHECK(PackedObject().key().empty());
}

TEST_CASE("a dictionary of text like the objects packs them smaller") {
  const std::string pod =
      R"({"metadata":{"name":"pi-1-exec-1","namespace":"jobs","uid":"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",)"
      R"("resourceVersion":"84467","labels":{"spark-role":"executor","spark-operator.k8s.io/submission-attempt":"1"},)"
      R"("annotations":{"spark-operator.k8s.io/app-name":"pi"}},"status":{"phase":"Running"}})";
  const PackDictionary dictionary(
      R"({"metadata":{"name":"wc-2-exec-4","namespace":"default","uid":"6f5e4d3c-2b1a-4098-8f7e-6d5c4b3a2918",)"
      R"("resourceVersion":"1234","labels":{"spark-role":"executor","spark-operator.k8s.io/submission-attempt":"2"},)"
      R"("annotations":{"spark-operator.k8s.io/app-name":"wc"}},"status":{"phase":"Pending"}})");
  const PackedObject alone = PackedObject::Pack("jobs/pi-1-exec-1", Parse(pod), nullptr);
  const PackedObject against = PackedObject::Pack("jobs/pi-1-exec-1", Parse(pod), &dictionary);
  CHECK(against.allocated() < alone.allocated() * 2 / 3);
  CHECK(against.Text(&dictionary) == pod);
  CHECK(ToJson(*against.Decode(&dictionary)) == pod);
}

}  // namespace
}  // namespace spark_operator::kube
