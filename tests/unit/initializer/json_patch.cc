#include "tests/unit/initializer/json_patch.h"

#include <vector>

#include "common/base/json.h"

namespace spark_operator::testing {
namespace {

Result<std::vector<std::string>> SplitPointer(const std::string& pointer) {
  if (pointer.empty()) return std::vector<std::string>{};
  if (pointer[0] != '/') return InvalidArgumentError("pointer must start with '/': " + pointer);
  std::vector<std::string> tokens;
  std::string token;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(token);
      token.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
        return InvalidArgumentError("bad escape in " + pointer);
      }
      token += pointer[++i] == '0' ? '~' : '/';
    } else {
      token += pointer[i];
    }
  }
  return tokens;
}

Result<size_t> Index(const rapidjson::Value& array, const std::string& token, bool allow_end) {
  if (token == "-" && allow_end) return static_cast<size_t>(array.Size());
  if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgumentError("bad array index " + token);
  }
  const size_t index = std::stoul(token);
  if (index > array.Size() || (!allow_end && index == array.Size())) return InvalidArgumentError("index out of range");
  return index;
}

}  // namespace

Status ApplyJsonPatch(rapidjson::Document& doc, const std::string& patch) {
  ASSIGN_OR_RETURN(rapidjson::Document ops, ParseJson(patch));
  if (!ops.IsArray()) return InvalidArgumentError("patch is not an array");
  auto& a = doc.GetAllocator();
  for (const rapidjson::Value& op : ops.GetArray()) {
    const std::string kind = GetString(op, {"op"});
    ASSIGN_OR_RETURN(std::vector<std::string> tokens, SplitPointer(GetString(op, {"path"})));
    if (tokens.empty()) return InvalidArgumentError("whole-document operations are not supported");
    rapidjson::Value* parent = &doc;
    for (size_t i = 0; i + 1 < tokens.size(); ++i) {
      if (parent->IsObject()) {
        auto it = parent->FindMember(tokens[i].c_str());
        if (it == parent->MemberEnd()) return NotFoundError("no member " + tokens[i]);
        parent = &it->value;
      } else if (parent->IsArray()) {
        ASSIGN_OR_RETURN(size_t index, Index(*parent, tokens[i], false));
        parent = &(*parent)[static_cast<rapidjson::SizeType>(index)];
      } else {
        return InvalidArgumentError("path goes through a scalar");
      }
    }
    const std::string& last = tokens.back();
    rapidjson::Value value;
    if (kind != "remove") {
      const rapidjson::Value* v = FindPath(op, {"value"});
      if (v == nullptr) return InvalidArgumentError(kind + " without value");
      value.CopyFrom(*v, a);
    }
    if (parent->IsObject()) {
      const auto it = parent->FindMember(last.c_str());
      if (kind == "add") {
        if (it != parent->MemberEnd()) {
          it->value = std::move(value);
        } else {
          parent->AddMember(JsonString(last, a), std::move(value), a);
        }
      } else if (it == parent->MemberEnd()) {
        return NotFoundError("no member " + last);
      } else if (kind == "replace") {
        it->value = std::move(value);
      } else if (kind == "remove") {
        parent->RemoveMember(it);
      } else {
        return InvalidArgumentError("unsupported op " + kind);
      }
    } else if (parent->IsArray()) {
      ASSIGN_OR_RETURN(size_t index, Index(*parent, last, kind == "add"));
      if (kind == "add") {
        parent->PushBack(rapidjson::Value(), a);
        for (size_t i = parent->Size() - 1; i > index; --i) {
          (*parent)[static_cast<rapidjson::SizeType>(i)] =
              std::move((*parent)[static_cast<rapidjson::SizeType>(i - 1)]);
        }
        (*parent)[static_cast<rapidjson::SizeType>(index)] = std::move(value);
      } else if (kind == "replace") {
        (*parent)[static_cast<rapidjson::SizeType>(index)] = std::move(value);
      } else if (kind == "remove") {
        parent->Erase(parent->Begin() + index);
      } else {
        return InvalidArgumentError("unsupported op " + kind);
      }
    } else {
      return InvalidArgumentError("parent is a scalar");
    }
  }
  return OkStatus();
}

}  // namespace spark_operator::testing
