// JSON reading and writing of SparkApplication, both driven by the field descriptions in api/fields.h.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "api/field_visitors.h"
#include "api/fields.h"
#include "api/name_rules.h"
#include "api/object_codec.h"
#include "api/scheduled_fields.h"
#include "api/spark_application.h"
#include "api/tenant_fields.h"
#include "common/base/json.h"

namespace spark_operator::api {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

struct ParseContext {
  bool strict = false;  // Unknown fields are errors (spec) or ignored (metadata, status).
  std::vector<FieldError> errors;
  void Error(const std::string& path, std::string message) { errors.push_back({path, std::move(message)}); }
};

const char* JsonTypeName(const rapidjson::Value& v) {
  if (v.IsString()) return "a string";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsArray()) return "a list";
  if (v.IsObject()) return "an object";
  return "null";
}

void WrongType(const rapidjson::Value& json, const std::string& path, const char* expected, ParseContext& ctx) {
  std::string message = std::string("expected ") + expected + ", got " + JsonTypeName(json);
  // YAML turns an unquoted 2 or true into a number or boolean; say how to keep it a string.
  if (std::string_view(expected) == "a string" && (json.IsNumber() || json.IsBool())) {
    message += " (quote it in YAML)";
  }
  ctx.Error(path, std::move(message));
}

template <class T>
void Read(const rapidjson::Value& json, const std::string& path, T& out, ParseContext& ctx);

// Reads the members a struct's VisitFields names and, when strict, reports the ones it does not.
class FieldReader {
 public:
  FieldReader(const rapidjson::Value& object, const std::string& path, ParseContext& ctx)
      : object_(object), path_(path), ctx_(ctx) {}

  template <class T>
  void Field(const char* name, T& member, const FieldDoc& doc) {
    known_.emplace_back(name);
    const auto it = object_.FindMember(name);
    // null is what `field:` with no value in YAML becomes; treat it as absent, as Kubernetes does.
    if (it == object_.MemberEnd() || it->value.IsNull()) return;
    if constexpr (std::is_same_v<T, std::optional<double>>) {
      if (doc.number_or_string && it->value.IsString())
        return ReadNumberString(it->value, JoinPath(path_, name), member);
    }
    Read(it->value, JoinPath(path_, name), member, ctx_);
  }

  void ReportUnknown() const {
    for (const auto& m : object_.GetObject()) {
      const std::string_view name(m.name.GetString(), m.name.GetStringLength());
      bool found = false;
      std::string hint;
      for (const std::string_view k : known_) {
        if (k == name) found = true;
        if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
              return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            })) {
          hint = " (did you mean " + std::string(k) + "?)";
        }
      }
      if (!found) ctx_.Error(JoinPath(path_, name), "unknown field" + hint);
    }
  }

 private:
  // "0.5" for 0.5: a decimal number, the same strings the CRD's rule lets through.
  void ReadNumberString(const rapidjson::Value& json, const std::string& path, std::optional<double>& out) {
    const std::string text(json.GetString(), json.GetStringLength());
    if (!ValidateDecimal(path, text).ok()) return ctx_.Error(path, "\"" + text + "\" is not a number");
    out = std::strtod(text.c_str(), nullptr);
  }

  const rapidjson::Value& object_;
  const std::string& path_;
  ParseContext& ctx_;
  std::vector<std::string_view> known_;
};

template <class T>
void ReadInteger(const rapidjson::Value& json, const std::string& path, T& out, ParseContext& ctx) {
  if (!json.IsInt64()) return WrongType(json, path, "an integer", ctx);
  const int64_t v = json.GetInt64();
  if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
    return ctx.Error(path, std::to_string(v) + " is out of range");
  }
  out = static_cast<T>(v);
}

template <class E>
void ReadEnum(const rapidjson::Value& json, const std::string& path, E& out, ParseContext& ctx) {
  if (!json.IsString()) return WrongType(json, path, "a string", ctx);
  const std::string_view name(json.GetString(), json.GetStringLength());
  if (const std::optional<E> value = EnumFromName<E>(name)) {
    out = *value;
    return;
  }
  std::string allowed;
  for (const std::string_view n : EnumNames<E>::kNames) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
  ctx.Error(path, "unknown value \"" + std::string(name) + "\"; expected one of " + allowed);
}

template <class T>
void Read(const rapidjson::Value& json, const std::string& path, T& out, ParseContext& ctx) {
  if constexpr (kIsKube<T>) {
    // Kept as written; the API server has checked it against the core schema (api/fields.h kube_type).
    if (!json.IsObject()) return WrongType(json, path, "an object", ctx);
    out.json = ToJson(json);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!json.IsString()) return WrongType(json, path, "a string", ctx);
    out.assign(json.GetString(), json.GetStringLength());
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!json.IsBool()) return WrongType(json, path, "a boolean", ctx);
    out = json.GetBool();
  } else if constexpr (std::is_same_v<T, double>) {
    if (!json.IsNumber()) return WrongType(json, path, "a number", ctx);
    out = json.GetDouble();
  } else if constexpr (std::is_integral_v<T>) {
    ReadInteger(json, path, out, ctx);
  } else if constexpr (std::is_enum_v<T>) {
    ReadEnum(json, path, out, ctx);
  } else if constexpr (kIsOptional<T>) {
    typename T::value_type value{};
    const size_t errors = ctx.errors.size();
    Read(json, path, value, ctx);
    if (ctx.errors.size() == errors) out = std::move(value);
  } else if constexpr (kIsVector<T>) {
    if (!json.IsArray()) return WrongType(json, path, "a list", ctx);
    out.clear();
    out.resize(json.Size());
    for (rapidjson::SizeType i = 0; i < json.Size(); ++i) {
      Read(json[i], path + "[" + std::to_string(i) + "]", out[i], ctx);
    }
  } else if constexpr (kIsMap<T>) {
    if (!json.IsObject()) return WrongType(json, path, "an object", ctx);
    out.clear();
    for (const auto& m : json.GetObject()) {
      const std::string key(m.name.GetString(), m.name.GetStringLength());
      Read(m.value, path + "[" + key + "]", out[key], ctx);
    }
  } else {
    if (!json.IsObject()) return WrongType(json, path, "an object", ctx);
    FieldReader reader(json, path, ctx);
    VisitFields(out, reader);
    if (ctx.strict) reader.ReportUnknown();
  }
}

template <class T>
Status ReadTop(const rapidjson::Value& json, const char* path, bool strict, T& out) {
  ParseContext ctx{.strict = strict, .errors = {}};
  Read(json, path, out, ctx);
  if (ctx.errors.empty()) return OkStatus();
  std::string message;
  for (const FieldError& e : ctx.errors) message += (message.empty() ? "" : "; ") + e.path + ": " + e.message;
  return InvalidArgumentError(std::move(message));
}

// Writing. Null means "leave the member out".
template <class T>
rapidjson::Value Write(const T& value, Allocator& a);

class FieldWriter {
 public:
  FieldWriter(rapidjson::Value& object, Allocator& a) : object_(object), a_(a) {}

  template <class T>
  void Field(const char* name, const T& member, const FieldDoc&) {
    rapidjson::Value json = Write(member, a_);
    if (!json.IsNull()) object_.AddMember(rapidjson::StringRef(name), json, a_);
  }

 private:
  rapidjson::Value& object_;
  Allocator& a_;
};

template <class T>
rapidjson::Value Write(const T& value, Allocator& a) {
  if constexpr (kIsKube<T>) {
    if (value.empty()) return rapidjson::Value();
    Result<rapidjson::Document> parsed = ParseJson(value.json);
    if (!parsed.ok()) return rapidjson::Value();  // Never: the text was written by Read from a parsed object.
    return rapidjson::Value(*parsed, a);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return value.empty() ? rapidjson::Value() : JsonString(value, a);
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? rapidjson::Value(true) : rapidjson::Value();
  } else if constexpr (std::is_same_v<T, double>) {
    // Whole numbers print as integers, so `cores: 1` survives a round trip unchanged.
    if (std::trunc(value) == value && std::fabs(value) < 1e15) return rapidjson::Value(static_cast<int64_t>(value));
    return rapidjson::Value(value);
  } else if constexpr (std::is_integral_v<T>) {
    return rapidjson::Value(static_cast<int64_t>(value));
  } else if constexpr (std::is_enum_v<T>) {
    return JsonString(EnumName(value), a);
  } else if constexpr (kIsOptional<T>) {
    if constexpr (std::is_same_v<T, std::optional<bool>>) {
      if (value) return rapidjson::Value(*value);  // A set false (logs.executors) means something.
    }
    return value ? Write(*value, a) : rapidjson::Value();
  } else if constexpr (kIsVector<T>) {
    if (value.empty()) return rapidjson::Value();
    rapidjson::Value array(rapidjson::kArrayType);
    for (const auto& item : value) {
      rapidjson::Value json = Write(item, a);
      // An empty element (e.g. a list entry with no fields) must still hold its place.
      if (json.IsNull()) json.SetObject();
      array.PushBack(json, a);
    }
    return array;
  } else if constexpr (kIsMap<T>) {
    if (value.empty()) return rapidjson::Value();
    rapidjson::Value object(rapidjson::kObjectType);
    for (const auto& [key, item] : value) {
      rapidjson::Value json = Write(item, a);
      if (json.IsNull()) json = JsonString("", a);  // Map entries are kept even when their value is "".
      object.AddMember(JsonString(key, a), json, a);
    }
    return object;
  } else {
    rapidjson::Value object(rapidjson::kObjectType);
    FieldWriter writer(object, a);
    VisitFields(value, writer);
    return object.MemberCount() == 0 ? rapidjson::Value() : std::move(object);
  }
}

}  // namespace

namespace internal {

template <class T>
Status ReadFields(const rapidjson::Value& json, const char* path, bool strict, T& out) {
  return ReadTop(json, path, strict, out);
}

template <class T>
rapidjson::Value WriteFields(const T& value, Allocator& a) {
  return Write(value, a);
}

template Status ReadFields(const rapidjson::Value&, const char*, bool, ObjectMeta&);
template Status ReadFields(const rapidjson::Value&, const char*, bool, SparkApplicationSpec&);
template Status ReadFields(const rapidjson::Value&, const char*, bool, SparkApplicationStatus&);
template rapidjson::Value WriteFields(const SparkApplicationSpec&, Allocator&);
template rapidjson::Value WriteFields(const SparkApplicationStatus&, Allocator&);
template Status ReadFields(const rapidjson::Value&, const char*, bool, SparkTenantSpec&);
template Status ReadFields(const rapidjson::Value&, const char*, bool, SparkTenantStatus&);
template rapidjson::Value WriteFields(const ObjectMeta&, Allocator&);
template rapidjson::Value WriteFields(const SparkTenantSpec&, Allocator&);
template rapidjson::Value WriteFields(const SparkTenantStatus&, Allocator&);
template Status ReadFields(const rapidjson::Value&, const char*, bool, ScheduledSparkApplicationSpec&);
template Status ReadFields(const rapidjson::Value&, const char*, bool, ScheduledSparkApplicationStatus&);
template rapidjson::Value WriteFields(const ScheduledSparkApplicationSpec&, Allocator&);
template rapidjson::Value WriteFields(const ScheduledSparkApplicationStatus&, Allocator&);

}  // namespace internal

Result<SparkApplication> ParseSparkApplication(const rapidjson::Value& object) {
  return internal::ParseObject<SparkApplication>(object, kKind);
}

std::vector<FieldError> SpecFieldErrors(const rapidjson::Value& spec, const char* path) {
  ParseContext ctx{.strict = true, .errors = {}};
  SparkApplicationSpec ignored;
  Read(spec, path, ignored, ctx);
  return std::move(ctx.errors);
}

Result<SparkApplicationStatus> ParseSparkApplicationStatus(const rapidjson::Value& status) {
  SparkApplicationStatus result;
  RETURN_IF_ERROR(ReadTop(status, "status", /*strict=*/false, result));
  return result;
}

rapidjson::Document ToJson(const SparkApplication& app) { return internal::ObjectToJson(app, kKind); }

rapidjson::Document StatusToJson(const SparkApplicationStatus& status) { return internal::StatusDocument(status); }

}  // namespace spark_operator::api
