#include "common/base/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/json.h"

namespace spark_operator {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

rapidjson::Value ScalarToJson(const std::string& tag, const std::string& text, Allocator& allocator) {
  if (tag != "!") {  // "!" marks a quoted scalar, which is always a string.
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

// Builds JSON straight from the parser's events, with no yaml-cpp node tree in between and no recursion of ours:
// the limits are checked as each value arrives. What a stream may produce is bounded as a whole: aliases let a
// few bytes of YAML stand for exponentially many values, so each copy an alias makes counts in full.
class JsonBuilder : public YAML::EventHandler {
 public:
  // Starts a document; its root goes into `doc`.
  void Begin(rapidjson::Document& doc) {
    doc_ = &doc;
    has_root_ = false;
    stack_.clear();
    anchors_.clear();  // Anchors do not reach across documents.
  }
  bool has_root() const { return has_root_; }
  const std::string& error() const { return error_; }
  // The start of the last document, to tell a parser that is going round in circles (yaml-cpp 0.7 returns an
  // empty document without end for a stream that is just ",": jbeder/yaml-cpp#1040).
  int last_start() const { return last_start_; }

  void OnDocumentStart(const YAML::Mark& mark) override { last_start_ = mark.pos; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override {
    if (!Admit(1)) return;
    if (KeyExpected()) return Key("null");
    Add(rapidjson::Value(rapidjson::kNullType), 1, anchor);
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    if (!error_.empty()) return;
    const auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return Fail("YAML alias inside the node it names");
    if (KeyExpected()) {
      if (!it->second.value.IsString()) return Fail("YAML mapping key that is not a scalar");
      return Key(it->second.value.GetString());
    }
    if (!Admit(it->second.values)) return;
    Add(rapidjson::Value(it->second.value, doc_->GetAllocator()), it->second.values, YAML::NullAnchor);
  }
  void OnScalar(const YAML::Mark&, const std::string& tag, YAML::anchor_t anchor, const std::string& text) override {
    if (!Admit(1)) return;
    if (KeyExpected()) {
      Key(text);
      if (anchor != YAML::NullAnchor) Remember(anchor, rapidjson::Value(text.c_str(), doc_->GetAllocator()), 1);
      return;
    }
    Add(ScalarToJson(tag, text, doc_->GetAllocator()), 1, anchor);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(rapidjson::kArrayType, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    Open(rapidjson::kObjectType, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Frame {  // A sequence or mapping being read.
    rapidjson::Value value;
    YAML::anchor_t anchor;
    size_t values = 1;               // In it so far, itself included.
    std::optional<std::string> key;  // In a mapping: the key whose value comes next.
  };
  struct Anchored {
    rapidjson::Value value;
    size_t values;
  };

  void Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }
  // Takes `values` from the stream's budget; false (and the error set) when the budget or the depth is exceeded.
  bool Admit(size_t values) {
    if (!error_.empty()) return false;
    if (stack_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
      Fail("YAML nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
      return false;
    }
    if (values > budget_left_) {
      Fail("YAML with more than " + std::to_string(kMaxYamlValues) + " values (aliases expanded)");
      return false;
    }
    budget_left_ -= values;
    return true;
  }
  bool KeyExpected() const {
    return !stack_.empty() && stack_.back().value.IsObject() && !stack_.back().key.has_value();
  }
  void Key(std::string key) { stack_.back().key = std::move(key); }
  void Open(rapidjson::Type type, YAML::anchor_t anchor) {
    if (!Admit(1)) return;
    if (KeyExpected()) return Fail("YAML mapping key that is not a scalar");
    stack_.push_back(Frame{rapidjson::Value(type), anchor, 1, std::nullopt});
  }
  void Close() {
    if (!error_.empty()) return;
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Add(std::move(frame.value), frame.values, frame.anchor);
  }
  void Remember(YAML::anchor_t anchor, rapidjson::Value copy, size_t values) {
    anchors_.insert_or_assign(anchor, Anchored{std::move(copy), values});
  }
  void Add(rapidjson::Value value, size_t values, YAML::anchor_t anchor) {
    Allocator& allocator = doc_->GetAllocator();
    if (anchor != YAML::NullAnchor) {
      if (!Admit(values)) return;  // The copy kept for its aliases is made now.
      Remember(anchor, rapidjson::Value(value, allocator), values);
    }
    if (stack_.empty()) {
      static_cast<rapidjson::Value&>(*doc_) = std::move(value);
      has_root_ = true;
      return;
    }
    Frame& parent = stack_.back();
    parent.values += values;
    if (parent.value.IsArray()) {
      parent.value.PushBack(std::move(value), allocator);
      return;
    }
    const std::string key = std::move(*parent.key);
    parent.key.reset();
    parent.value.AddMember(rapidjson::Value(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), allocator),
                           std::move(value), allocator);
  }

  rapidjson::Document* doc_ = nullptr;
  bool has_root_ = false;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  size_t budget_left_ = kMaxYamlValues;
  std::string error_;
  int last_start_ = -1;
};

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
    std::istringstream stream{std::string(yaml)};
    YAML::Parser parser(stream);
    JsonBuilder builder;
    std::vector<rapidjson::Document> result;
    int previous_start = -1;
    while (true) {
      rapidjson::Document doc;
      builder.Begin(doc);
      if (!parser.HandleNextDocument(builder)) break;
      if (!builder.error().empty()) return InvalidArgumentError(builder.error());
      if (builder.last_start() == previous_start) {
        return InvalidArgumentError("malformed YAML: no document can be read at offset " +
                                    std::to_string(previous_start));
      }
      previous_start = builder.last_start();
      if (builder.has_root() && !doc.IsNull()) result.push_back(std::move(doc));
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
