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
    Value out(rapidjson::kObjectType);
    out.AddMember("type", "object", a);
    Value properties(rapidjson::kObjectType);
    for (const char* field : {"labels", "annotations"}) {
      Value map(rapidjson::kObjectType);
      map.AddMember("type", "object", a);
      Value values(rapidjson::kObjectType);
      values.AddMember("type", "string", a);
      map.AddMember("additionalProperties", values, a);
      properties.AddMember(rapidjson::StringRef(field), map, a);
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
        value.AddMember(Value(property.name, a), Convert(property.value, a, depth + 1), a);
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
