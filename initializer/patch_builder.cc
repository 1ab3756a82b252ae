#include "initializer/patch_builder.h"

#include <string_view>
#include <utility>

#include "common/base/json.h"

namespace spark_operator::initializer {

using rapidjson::Value;

void PatchBuilder::Append(const std::string& array_path, bool array_exists, Value item) {
  auto& a = doc_.GetAllocator();
  if (!array_exists) {
    for (Value& op : doc_.GetArray()) {
      const Value& path = op["path"];
      if (std::string_view(path.GetString(), path.GetStringLength()) == array_path) {
        op["value"].PushBack(std::move(item), a);
        return;
      }
    }
    Value array(rapidjson::kArrayType);
    array.PushBack(std::move(item), a);
    AddOp("add", array_path, std::move(array));
    return;
  }
  AddOp("add", array_path + "/-", std::move(item));
}

std::string PatchBuilder::ToString() const { return ToJson(doc_); }

void PatchBuilder::AddOp(const char* kind, const std::string& path, Value value) {
  auto& a = doc_.GetAllocator();
  Value op(rapidjson::kObjectType);
  op.AddMember("op", rapidjson::StringRef(kind), a);
  op.AddMember("path", JsonString(path, a), a);
  op.AddMember("value", std::move(value), a);
  doc_.PushBack(std::move(op), a);
}

}  // namespace spark_operator::initializer
