#include "common/base/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace spark_operator {

Result<rapidjson::Document> ParseJson(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    return InvalidArgumentError(std::string("malformed JSON at offset ") + std::to_string(doc.GetErrorOffset()) +
                                ": " + rapidjson::GetParseError_En(doc.GetParseError()));
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
  doc.CopyFrom(value, doc.GetAllocator());
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
