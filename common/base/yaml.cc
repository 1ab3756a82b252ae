#include "common/base/yaml.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <regex>
#include <string>
#include <string_view>

namespace spark_operator {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

rapidjson::Value ScalarToJson(const YAML::Node& node, Allocator& allocator) {
  const std::string& text = node.Scalar();
  if (node.Tag() != "!") {  // "!" marks a quoted scalar, which is always a string.
    static const std::regex kInt("[-+]?[0-9]+");
    static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
    if (text == "null" || text == "Null" || text == "NULL" || text == "~" || text.empty()) {
      return rapidjson::Value(rapidjson::kNullType);
    }
    if (text == "true" || text == "True" || text == "TRUE") return rapidjson::Value(true);
    if (text == "false" || text == "False" || text == "FALSE") return rapidjson::Value(false);
    if (std::regex_match(text, kInt)) {
      errno = 0;
      const long long v = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == 0) return rapidjson::Value(static_cast<int64_t>(v));
    }
    if (std::regex_match(text, kFloat)) return rapidjson::Value(std::strtod(text.c_str(), nullptr));
  }
  return rapidjson::Value(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), allocator);
}

// Values left to produce for a whole stream: aliases let a few bytes of YAML stand for exponentially many values.
struct Budget {
  size_t left = kMaxYamlValues;
  bool exceeded = false;
};

rapidjson::Value NodeToJson(const YAML::Node& node, Allocator& allocator, Budget& budget) {
  if (budget.left == 0) {
    budget.exceeded = true;
    return rapidjson::Value(rapidjson::kNullType);
  }
  --budget.left;
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      rapidjson::Value object(rapidjson::kObjectType);
      for (const auto& entry : node) {
        if (budget.exceeded) break;
        const std::string key = entry.first.as<std::string>();
        rapidjson::Value name(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), allocator);
        object.AddMember(name, NodeToJson(entry.second, allocator, budget), allocator);
      }
      return object;
    }
    case YAML::NodeType::Sequence: {
      rapidjson::Value array(rapidjson::kArrayType);
      for (const auto& item : node) {
        if (budget.exceeded) break;
        array.PushBack(NodeToJson(item, allocator, budget), allocator);
      }
      return array;
    }
    case YAML::NodeType::Scalar:
      return ScalarToJson(node, allocator);
    default:
      return rapidjson::Value(rapidjson::kNullType);
  }
}

// Strings YAML 1.1 readers (kubectl's among them) take for booleans, null or numbers unless quoted; yaml-cpp
// quotes only some spellings. A Kubernetes condition status is "True" or "False"; a sparkConf value is "2".
bool ReadsAsNonString(std::string_view s) {
  static constexpr std::string_view kWords[] = {"true", "True", "TRUE", "false", "False", "FALSE", "yes",  "Yes", "YES",
                                                "no",   "No",   "NO",   "on",    "On",    "ON",    "off",  "Off", "OFF",
                                                "y",    "Y",    "n",    "N",     "null",  "Null",  "NULL", "~"};
  for (const std::string_view w : kWords) {
    if (s == w) return true;
  }
  // Numbers, in YAML 1.2's forms and 1.1's (0x1F, 0o7, 1_000, 1:20, .inf): yaml-cpp writes "1000" plain, which
  // every reader takes for an integer. Anything that starts like a number is quoted; a quote too many is harmless.
  static const std::regex kNumberLike(R"([-+]?(\.?[0-9].*|\.(inf|Inf|INF|nan|NaN|NAN)))");
  return std::regex_match(s.begin(), s.end(), kNumberLike);
}

void EmitJson(const rapidjson::Value& value, YAML::Emitter& out) {
  if (value.IsObject()) {
    out << YAML::BeginMap;
    for (const auto& m : value.GetObject()) {
      out << YAML::Key << m.name.GetString() << YAML::Value;
      EmitJson(m.value, out);
    }
    out << YAML::EndMap;
  } else if (value.IsArray()) {
    out << YAML::BeginSeq;
    for (const auto& item : value.GetArray()) EmitJson(item, out);
    out << YAML::EndSeq;
  } else if (value.IsString()) {
    const std::string text(value.GetString(), value.GetStringLength());
    if (ReadsAsNonString(text)) out << YAML::DoubleQuoted;
    out << text;
  } else if (value.IsBool()) {
    out << value.GetBool();
  } else if (value.IsInt64()) {
    out << value.GetInt64();
  } else if (value.IsNumber()) {
    out << value.GetDouble();
  } else {
    out << YAML::Null;
  }
}

}  // namespace

Result<rapidjson::Document> YamlToJson(std::string_view yaml) {
  ASSIGN_OR_RETURN(std::vector<rapidjson::Document> docs, YamlStreamToJson(yaml));
  if (docs.empty()) return InvalidArgumentError("empty YAML document");
  if (docs.size() > 1) return InvalidArgumentError("expected one YAML document, found " + std::to_string(docs.size()));
  return std::move(docs.front());
}

Result<std::vector<rapidjson::Document>> YamlStreamToJson(std::string_view yaml) {
  try {
    std::vector<rapidjson::Document> result;
    Budget budget;
    for (const YAML::Node& node : YAML::LoadAll(std::string(yaml))) {
      if (node.IsNull()) continue;
      rapidjson::Document doc;
      rapidjson::Value value = NodeToJson(node, doc.GetAllocator(), budget);
      if (budget.exceeded) {
        return InvalidArgumentError("YAML with more than " + std::to_string(kMaxYamlValues) +
                                    " values (aliases expanded)");
      }
      static_cast<rapidjson::Value&>(doc) = std::move(value);
      result.push_back(std::move(doc));
    }
    return result;
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string("malformed YAML: ") + e.what());
  }
}

std::string JsonToYaml(const rapidjson::Value& value) {
  YAML::Emitter out;
  EmitJson(value, out);
  return out.c_str();
}

}  // namespace spark_operator
