#include "common/base/json.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace spark_operator {

namespace {

// Passes SAX events on to the Document and stops the parse when objects and arrays nest too deep. With
// `copy_strings` the Document copies every string, also those its source would lend it (see CopyJson).
class DepthLimitedHandler {
 public:
  explicit DepthLimitedHandler(rapidjson::Document& doc, bool copy_strings = false)
      : doc_(doc), copy_strings_(copy_strings) {}
  bool too_deep() const { return too_deep_; }

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned i) { return doc_.Uint(i); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t i) { return doc_.Uint64(i); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return doc_.RawNumber(s, n, copy || copy_strings_);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy || copy_strings_); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy || copy_strings_); }
  bool StartObject() { return Enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) { return Leave() && doc_.EndObject(members); }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) { return Leave() && doc_.EndArray(elements); }

 private:
  bool Enter() {
    if (++depth_ <= kMaxJsonDepth) return true;
    too_deep_ = true;
    return false;
  }
  bool Leave() {
    --depth_;
    return true;
  }

  rapidjson::Document& doc_;
  const bool copy_strings_;
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

Result<rapidjson::Document> ParseJson(std::string_view text) {
  rapidjson::Document doc;
  rapidjson::Reader reader;
  bool too_deep = false;
  // Populate hands the Document's own SAX handler to the generator and takes the root value when it succeeds.
  auto generate = [&](rapidjson::Document& handler) {
    rapidjson::MemoryStream memory(text.data(), text.size());
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(memory);
    DepthLimitedHandler limited(handler);
    reader.Parse<rapidjson::kParseIterativeFlag>(input, limited);
    too_deep = limited.too_deep();
    return !reader.HasParseError();
  };
  doc.Populate(generate);
  if (too_deep) {
    return InvalidArgumentError("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels at offset " +
                                std::to_string(reader.GetErrorOffset()));
  }
  if (reader.HasParseError()) {
    return InvalidArgumentError(std::string("malformed JSON at offset ") + std::to_string(reader.GetErrorOffset()) +
                                ": " + rapidjson::GetParseError_En(reader.GetParseErrorCode()));
  }
  return doc;
}

std::string ToJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string ToPrettyJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

rapidjson::Document CopyJson(const rapidjson::Value& value) {
  rapidjson::Document doc;
  auto generate = [&value](rapidjson::Document& target) {
    DepthLimitedHandler handler(target, /*copy_strings=*/true);
    return value.Accept(handler);
  };
  doc.Populate(generate);
  return doc;
}

const rapidjson::Value* FindPath(const rapidjson::Value& root, JsonPath path) {
  const rapidjson::Value* current = &root;
  for (const std::string_view step : path) {
    if (!current->IsObject()) return nullptr;
    const auto it = current->FindMember(rapidjson::StringRef(step.data(), step.size()));
    if (it == current->MemberEnd()) return nullptr;
    current = &it->value;
  }
  return current;
}

std::string GetString(const rapidjson::Value& root, JsonPath path, std::string_view fallback) {
  const rapidjson::Value* v = FindPath(root, path);
  if (v == nullptr || !v->IsString()) return std::string(fallback);
  return std::string(v->GetString(), v->GetStringLength());
}

int64_t GetInt(const rapidjson::Value& root, JsonPath path, int64_t fallback) {
  const rapidjson::Value* v = FindPath(root, path);
  if (v == nullptr || !v->IsInt64()) return fallback;
  return v->GetInt64();
}

bool GetBool(const rapidjson::Value& root, JsonPath path, bool fallback) {
  const rapidjson::Value* v = FindPath(root, path);
  if (v == nullptr || !v->IsBool()) return fallback;
  return v->GetBool();
}

void SetPath(rapidjson::Document& doc, JsonPath path, rapidjson::Value value) {
  auto& allocator = doc.GetAllocator();
  if (!doc.IsObject()) doc.SetObject();
  rapidjson::Value* current = &doc;
  size_t index = 0;
  for (const std::string_view step : path) {
    const bool last = ++index == path.size();
    const auto key = rapidjson::StringRef(step.data(), step.size());
    auto it = current->FindMember(key);
    if (last) {
      if (it != current->MemberEnd()) {
        it->value = std::move(value);
      } else {
        current->AddMember(JsonString(step, allocator), std::move(value), allocator);
      }
      return;
    }
    if (it == current->MemberEnd()) {
      current->AddMember(JsonString(step, allocator), rapidjson::Value(rapidjson::kObjectType), allocator);
      it = current->FindMember(key);
    } else if (!it->value.IsObject()) {
      it->value.SetObject();
    }
    current = &it->value;
  }
}

void SetString(rapidjson::Document& doc, JsonPath path, std::string_view value) {
  SetPath(doc, path, JsonString(value, doc.GetAllocator()));
}

void RemovePath(rapidjson::Value& root, JsonPath path) {
  rapidjson::Value* current = &root;
  size_t index = 0;
  for (const std::string_view step : path) {
    if (!current->IsObject()) return;
    const auto key = rapidjson::StringRef(step.data(), step.size());
    if (++index == path.size()) {
      current->RemoveMember(key);
      return;
    }
    const auto it = current->FindMember(key);
    if (it == current->MemberEnd()) return;
    current = &it->value;
  }
}

std::string ObjectKey(const rapidjson::Value& object) {
  const std::string ns = NamespaceOf(object);
  return ns.empty() ? NameOf(object) : ns + "/" + NameOf(object);
}

}  // namespace spark_operator
