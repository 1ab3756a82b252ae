#include "tools/crdgen/kube_schema.h"

#include <glog/logging.h>

#include <string>

#include "common/base/json.h"

namespace spark_operator::api {
namespace internal {
extern const char kCoreOpenApi[];
}  // namespace internal
namespace {

using Allocator = rapidjson::Document::AllocatorType;
using rapidjson::Value;

constexpr std::string_view kRefPrefix = "#/components/schemas/";

// Kubernetes' own descriptions, whole, take the SparkApplication CRD from 0.6 MB of YAML (0.19 MB as the JSON the
// API server stores) to 1.44 MB (0.91 MB), near etcd's 1.5 MiB request limit once managedFields are added: each
// pod carries a PodSpec and four Containers. The first sentence of each, on every field at every depth, makes
// about 1.0 MB of YAML and under 0.5 MB stored, so `kubectl explain` describes every field of an embedded core
// object (podTemplate.spec.containers[].livenessProbe.httpGet.port) the way `kubectl explain pod` starts to.

// The first sentence of a published description: up to a '.' followed by a space or the end, other than the one
// of an abbreviation such as "e.g.".
std::string FirstSentence(std::string_view text) {
  for (size_t at = text.find('.'); at != std::string_view::npos; at = text.find('.', at + 1)) {
    if (at + 1 < text.size() && text[at + 1] != ' ' && text[at + 1] != '\n') continue;
    const std::string_view before = text.substr(0, at);
    if (before.ends_with("e.g") || before.ends_with("i.e") || before.ends_with("etc") || before.ends_with(" vs")) {
      continue;
    }
    return std::string(text.substr(0, at + 1));
  }
  return std::string(text);
}

const rapidjson::Value& Schemas() {
  static const rapidjson::Document* const kDocument = [] {
    Result<rapidjson::Document> parsed = ParseJson(internal::kCoreOpenApi);
    CHECK(parsed.ok()) << "api/openapi/core_v1.json: " << parsed.status().message();
    return new rapidjson::Document(std::move(*parsed));
  }();
  return (*kDocument)["schemas"];
}

// Keys of the published schemas a CRD schema keeps; the rest are documentation, defaults (which the API server
// would write into users' objects) and list/patch hints whose rules (list-map keys must be required or
// defaulted) do not hold once defaults are gone.
bool Kept(std::string_view key) {
  return key == "type" || key == "properties" || key == "items" || key == "additionalProperties" || key == "required" ||
         key == "enum" || key == "format";
}

Value Convert(const Value& schema, Allocator& a, int depth);
Value Property(const Value& schema, Allocator& a, int depth);

Value Named(std::string_view type, Allocator& a, int depth) {
  if (type == "io.k8s.apimachinery.pkg.api.resource.Quantity" ||
      type == "io.k8s.apimachinery.pkg.util.intstr.IntOrString") {
    // How CRDs spell "an integer or a string" (controller-gen writes Quantity the same way).
    Value out(rapidjson::kObjectType);
    Value any_of(rapidjson::kArrayType);
    for (const char* t : {"integer", "string"}) {
      Value alternative(rapidjson::kObjectType);
      alternative.AddMember("type", rapidjson::StringRef(t), a);
      any_of.PushBack(alternative, a);
    }
    out.AddMember("anyOf", any_of, a);
    out.AddMember("x-kubernetes-int-or-string", true, a);
    return out;
  }
  if (type == "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta") {
    // Spark takes only the labels and annotations of a template's metadata.
    const Value& published = Schemas()["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"];
    Value out(rapidjson::kObjectType);
    out.AddMember("type", "object", a);
    Value properties(rapidjson::kObjectType);
    for (const char* field : {"labels", "annotations"}) {
      properties.AddMember(rapidjson::StringRef(field), Property(published[field], a, depth + 1), a);
    }
    out.AddMember("properties", properties, a);
    return out;
  }
  const auto it = Schemas().FindMember(Value(rapidjson::StringRef(type.data(), type.size())));
  CHECK(it != Schemas().MemberEnd()) << "api/openapi/core_v1.json has no schema " << type;
  Value out = Convert(it->value, a, depth + 1);
  if (type == "io.k8s.api.core.v1.PodSpec") {
    // A pod template need not list containers: Spark builds its own and adds the template's others.
    out.RemoveMember("required");
  }
  return out;
}

std::string_view RefName(const Value& ref) {
  std::string_view name(ref.GetString(), ref.GetStringLength());
  if (name.starts_with(kRefPrefix)) name.remove_prefix(kRefPrefix.size());
  return name;
}

// A property's schema with the first sentence of its published description (a reference's is beside it).
Value Property(const Value& schema, Allocator& a, int depth) {
  Value out = Convert(schema, a, depth);
  const auto description = schema.FindMember("description");
  if (description == schema.MemberEnd() || !description->value.IsString()) return out;
  const std::string sentence =
      FirstSentence(std::string_view(description->value.GetString(), description->value.GetStringLength()));
  out.RemoveMember("description");
  out.AddMember("description", Value(sentence.c_str(), static_cast<rapidjson::SizeType>(sentence.size()), a), a);
  return out;
}

Value Convert(const Value& schema, Allocator& a, int depth) {
  // The core types do not nest themselves; a cycle would be a new Kubernetes type this generator must learn.
  CHECK(depth < 64) << "core schema nests too deeply";
  if (const auto ref = schema.FindMember("$ref"); ref != schema.MemberEnd())
    return Named(RefName(ref->value), a, depth);
  if (const auto all_of = schema.FindMember("allOf");
      all_of != schema.MemberEnd() && all_of->value.Size() == 1 && all_of->value[0].HasMember("$ref")) {
    return Named(RefName(all_of->value[0]["$ref"]), a, depth);
  }
  Value out(rapidjson::kObjectType);
  for (const auto& member : schema.GetObject()) {
    const std::string_view key(member.name.GetString(), member.name.GetStringLength());
    if (!Kept(key)) continue;
    if (key == "format" && member.value != "int32" && member.value != "int64" && member.value != "byte" &&
        member.value != "date-time" && member.value != "double") {
      continue;
    }
    Value value;
    if (key == "properties") {
      value.SetObject();
      for (const auto& property : member.value.GetObject()) {
        // Ephemeral containers cannot be set when a pod is created, so a template cannot hold them.
        if (property.name == "ephemeralContainers") continue;
        value.AddMember(Value(property.name, a), Property(property.value, a, depth + 1), a);
      }
    } else if (key == "items" || key == "additionalProperties") {
      value = member.value.IsObject() ? Convert(member.value, a, depth + 1) : Value(member.value, a);
    } else {
      value.CopyFrom(member.value, a);
    }
    out.AddMember(Value(member.name, a), value, a);
  }
  return out;
}

}  // namespace

Value KubeTypeSchema(std::string_view type, Allocator& a) { return Named(type, a, 0); }

}  // namespace spark_operator::api
