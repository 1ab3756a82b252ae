#include "tools/crdgen/crd.h"

#include "api/fields.h"
#include "api/name_rules.h"
#include "api/quantity.h"
#include "api/scheduled_fields.h"
#include "api/tenant_fields.h"
#include "common/base/json.h"
#include "common/base/yaml.h"
#include "tools/crdgen/kube_schema.h"

namespace spark_operator::api {
namespace {

using Allocator = rapidjson::Document::AllocatorType;
using rapidjson::StringRef;
using rapidjson::Value;

// Adds the members describing a value of type T (type, format, items, ...) to `schema`.
template <class T>
void TypeSchema(Value& schema, Allocator& a);

// The parts of a FieldDoc the schema can express; the rest (map keys, "..", cross-field rules) is Validate()'s.
void ApplyCheck(Value& schema, Check check, Allocator& a) {
  // A check on a list of names applies to each element.
  if (schema.HasMember("items") && schema["items"].IsObject()) return ApplyCheck(schema["items"], check, a);
  if (!schema.HasMember("type") || schema["type"] != "string") return;
  switch (check) {
    case Check::kDnsSubdomain:
      schema.AddMember("maxLength", static_cast<int64_t>(kDns1123SubdomainMaxLength), a);
      schema.AddMember("pattern", StringRef(kDns1123SubdomainPattern), a);
      break;
    case Check::kDnsLabel:
      schema.AddMember("maxLength", static_cast<int64_t>(kDns1123LabelMaxLength), a);
      schema.AddMember("pattern", StringRef(kDns1123LabelPattern), a);
      break;
    case Check::kAbsolutePath:
      schema.AddMember("pattern", "^/", a);
      break;
    case Check::kEnvVarName:
      schema.AddMember("pattern", StringRef(kEnvVarNamePattern), a);
      break;
    case Check::kMemory:
      schema.AddMember("pattern", StringRef(kMemoryPattern), a);
      break;
    case Check::kCpu:
      schema.AddMember("pattern", StringRef(kCpuPattern), a);
      break;
    case Check::kLogDestination:
      schema.AddMember("pattern", StringRef(kLogDestinationPattern), a);
      break;
    case Check::kDecimal:
      schema.AddMember("pattern", StringRef(kDecimalPattern), a);
      break;
    case Check::kDateTime:
      schema.AddMember("format", "date-time", a);
      break;
    default:
      break;
  }
}

class SchemaBuilder {
 public:
  explicit SchemaBuilder(Allocator& a) : a_(a) {}

  template <class T>
  void Field(const char* name, const T&, const FieldDoc& doc) {
    Value schema(rapidjson::kObjectType);
    if (*doc.description != '\0') schema.AddMember("description", StringRef(doc.description), a_);
    if constexpr (kHoldsKube<T>) {
      AddKubeSchema<T>(schema, doc.kube_type);
    } else if (doc.number_or_string) {
      AddNumberOrString(schema);
    } else {
      AddTypeSchema<T>(schema, doc);
    }
    properties_.AddMember(StringRef(name), schema, a_);
    if (doc.required) required_.PushBack(StringRef(name), a_);
  }

  void Finish(Value& schema) {
    schema.AddMember("type", "object", a_);
    schema.AddMember("properties", properties_, a_);
    if (!required_.Empty()) schema.AddMember("required", required_, a_);
  }

 private:
  template <class T>
  void AddKubeSchema(Value& schema, const char* kube_type) {
    Value type_schema = KubeTypeSchema(kube_type, a_);
    if constexpr (kIsVector<T>) {
      schema.AddMember("type", "array", a_);
      schema.AddMember("items", type_schema, a_);
    } else {
      for (auto& member : type_schema.GetObject()) schema.AddMember(member.name, member.value, a_);
    }
  }

  // A structural schema gives every field one type; int-or-string would refuse 0.5, and the API server cannot
  // compile a CEL rule over an untyped field. So a number that may be a string is untyped here, and the
  // controller's parser refuses anything else with the field's path (the app fails validation, with an Event).
  void AddNumberOrString(Value& schema) { schema.AddMember("x-kubernetes-preserve-unknown-fields", true, a_); }

  template <class T>
  void AddTypeSchema(Value& schema, const FieldDoc& doc) {
    TypeSchema<T>(schema, a_);
    if (doc.minimum) {
      schema.AddMember("minimum", *doc.minimum, a_);
      if (doc.exclusive_minimum) schema.AddMember("exclusiveMinimum", true, a_);
    }
    if (doc.maximum) schema.AddMember("maximum", *doc.maximum, a_);
    ApplyCheck(schema, doc.check, a_);
  }

  Allocator& a_;
  Value properties_{rapidjson::kObjectType};
  Value required_{rapidjson::kArrayType};
};

template <class T>
void TypeSchema(Value& schema, Allocator& a) {
  if constexpr (std::is_same_v<T, std::string>) {
    schema.AddMember("type", "string", a);
  } else if constexpr (std::is_same_v<T, bool>) {
    schema.AddMember("type", "boolean", a);
  } else if constexpr (std::is_same_v<T, double>) {
    schema.AddMember("type", "number", a);
  } else if constexpr (std::is_integral_v<T>) {
    schema.AddMember("type", "integer", a);
    schema.AddMember("format", sizeof(T) == 4 ? "int32" : "int64", a);
  } else if constexpr (std::is_enum_v<T>) {
    schema.AddMember("type", "string", a);
    Value values(rapidjson::kArrayType);
    for (const std::string_view n : EnumNames<T>::kNames) values.PushBack(JsonString(n, a), a);
    schema.AddMember("enum", values, a);
  } else if constexpr (kIsOptional<T>) {
    TypeSchema<typename T::value_type>(schema, a);
  } else if constexpr (kIsVector<T>) {
    schema.AddMember("type", "array", a);
    Value items(rapidjson::kObjectType);
    TypeSchema<typename T::value_type>(items, a);
    schema.AddMember("items", items, a);
  } else if constexpr (kIsMap<T>) {
    schema.AddMember("type", "object", a);
    Value values(rapidjson::kObjectType);
    TypeSchema<typename T::mapped_type>(values, a);
    schema.AddMember("additionalProperties", values, a);
  } else {
    const T instance{};  // VisitFields needs an object; the builder only looks at member types.
    SchemaBuilder builder(a);
    VisitFields(instance, builder);
    builder.Finish(schema);
  }
}

template <class T>
Value ObjectSchema(const char* description, Allocator& a) {
  Value schema(rapidjson::kObjectType);
  schema.AddMember("description", StringRef(description), a);
  TypeSchema<T>(schema, a);
  return schema;
}

Value PrinterColumn(const char* name, const char* type, const char* path, const char* description, Allocator& a) {
  Value column(rapidjson::kObjectType);
  column.AddMember("name", StringRef(name), a);
  column.AddMember("type", StringRef(type), a);
  column.AddMember("jsonPath", StringRef(path), a);
  column.AddMember("description", StringRef(description), a);
  return column;
}

// What differs between the operator's CRDs.
struct CrdNames {
  const char* kind;
  const char* list_kind;
  const char* plural;
  const char* singular;
  const char* short_name;
  const char* scope;
  const char* description;
};

// Fills `crd`, whose allocator the values come from.
void FillCrd(const CrdNames& n, rapidjson::Document& crd, Value spec_schema, Value status_schema, Value columns) {
  Allocator& a = crd.GetAllocator();
  Value properties(rapidjson::kObjectType);
  Value api_version(rapidjson::kObjectType);
  api_version.AddMember("description", "Versioned schema of this representation of an object.", a);
  api_version.AddMember("type", "string", a);
  properties.AddMember("apiVersion", api_version, a);
  Value kind(rapidjson::kObjectType);
  kind.AddMember("description", "REST resource this object represents.", a);
  kind.AddMember("type", "string", a);
  properties.AddMember("kind", kind, a);
  Value metadata(rapidjson::kObjectType);
  metadata.AddMember("type", "object", a);
  properties.AddMember("metadata", metadata, a);
  properties.AddMember("spec", spec_schema, a);
  properties.AddMember("status", status_schema, a);

  Value root(rapidjson::kObjectType);
  root.AddMember("description", StringRef(n.description), a);
  root.AddMember("type", "object", a);
  root.AddMember("properties", properties, a);
  Value required(rapidjson::kArrayType);
  required.PushBack("spec", a);
  root.AddMember("required", required, a);

  Value schema(rapidjson::kObjectType);
  schema.AddMember("openAPIV3Schema", root, a);
  Value subresources(rapidjson::kObjectType);
  subresources.AddMember("status", Value(rapidjson::kObjectType), a);

  Value version(rapidjson::kObjectType);
  version.AddMember("name", StringRef(kVersion), a);
  version.AddMember("served", true, a);
  version.AddMember("storage", true, a);
  version.AddMember("subresources", subresources, a);
  version.AddMember("additionalPrinterColumns", columns, a);
  version.AddMember("schema", schema, a);
  Value versions(rapidjson::kArrayType);
  versions.PushBack(version, a);

  Value names(rapidjson::kObjectType);
  names.AddMember("kind", StringRef(n.kind), a);
  names.AddMember("listKind", StringRef(n.list_kind), a);
  names.AddMember("plural", StringRef(n.plural), a);
  names.AddMember("singular", StringRef(n.singular), a);
  Value short_names(rapidjson::kArrayType);
  short_names.PushBack(StringRef(n.short_name), a);
  names.AddMember("shortNames", short_names, a);

  Value spec(rapidjson::kObjectType);
  spec.AddMember("group", StringRef(kGroup), a);
  spec.AddMember("names", names, a);
  spec.AddMember("scope", StringRef(n.scope), a);
  spec.AddMember("versions", versions, a);

  Value meta(rapidjson::kObjectType);
  meta.AddMember("name", JsonString(std::string(n.plural) + "." + kGroup, a), a);
  // *.k8s.io is a protected API group (KEP-1111): the API server refuses a CRD in it without this annotation.
  // A value starting with "unapproved" is accepted and says the API was not reviewed by Kubernetes' reviewers.
  Value annotations(rapidjson::kObjectType);
  annotations.AddMember("api-approved.kubernetes.io",
                        "unapproved, experimental-only: the spark-operator.k8s.io API has not been reviewed by "
                        "Kubernetes API reviewers",
                        a);
  meta.AddMember("annotations", annotations, a);
  crd.AddMember("apiVersion", "apiextensions.k8s.io/v1", a);
  crd.AddMember("kind", "CustomResourceDefinition", a);
  crd.AddMember("metadata", meta, a);
  crd.AddMember("spec", spec, a);
}

std::string WithHeader(const rapidjson::Document& crd, const char* source) {
  return std::string("# Generated by spark-operator-crdgen from ") + source + ". Do not edit: change " + source +
         " and run\n# `make crd`.\n" + JsonToYaml(crd) + "\n";
}

}  // namespace

rapidjson::Document SparkApplicationCrd() {
  rapidjson::Document crd(rapidjson::kObjectType);
  Allocator& a = crd.GetAllocator();
  Value columns(rapidjson::kArrayType);
  columns.PushBack(PrinterColumn("State", "string", ".status.applicationState.state", "Application state", a), a);
  columns.PushBack(PrinterColumn("Attempts", "integer", ".status.executionAttempts", "Runs so far", a), a);
  columns.PushBack(PrinterColumn("Driver", "string", ".status.driverInfo.podName", "Driver pod", a), a);
  columns.PushBack(PrinterColumn("Age", "date", ".metadata.creationTimestamp", "Time since creation", a), a);
  FillCrd({.kind = kKind,
           .list_kind = "SparkApplicationList",
           .plural = kPlural,
           .singular = kSingular,
           .short_name = kShortName,
           .scope = "Namespaced",
           .description = "A Spark application the operator submits and tracks."},
          crd, ObjectSchema<SparkApplicationSpec>("What to run and how.", a),
          ObjectSchema<SparkApplicationStatus>("Written by the operator.", a), std::move(columns));
  return crd;
}

rapidjson::Document SparkTenantCrd() {
  rapidjson::Document crd(rapidjson::kObjectType);
  Allocator& a = crd.GetAllocator();
  Value columns(rapidjson::kArrayType);
  columns.PushBack(PrinterColumn("Namespace", "string", ".status.namespace", "The tenant's namespace", a), a);
  columns.PushBack(
      PrinterColumn("Ready", "string", R"(.status.conditions[?(@.type=="Ready")].status)", "Ready condition", a), a);
  columns.PushBack(
      PrinterColumn("Reason", "string", R"(.status.conditions[?(@.type=="Ready")].reason)", "Why (not) ready", a), a);
  columns.PushBack(PrinterColumn("CPU", "string", ".status.quota.used.cpu", "requests.cpu used", a), a);
  columns.PushBack(PrinterColumn("CPU-Hard", "string", ".status.quota.hard.cpu", "requests.cpu limit", a), a);
  columns.PushBack(PrinterColumn("Memory", "string", ".status.quota.used.memory", "requests.memory used", a), a);
  columns.PushBack(PrinterColumn("Memory-Hard", "string", ".status.quota.hard.memory", "requests.memory limit", a), a);
  columns.PushBack(PrinterColumn("Running", "integer", ".status.applications.running", "Applications running", a), a);
  columns.PushBack(PrinterColumn("Queued", "integer", ".status.applications.queued", "Applications queued", a), a);
  columns.PushBack(PrinterColumn("Age", "date", ".metadata.creationTimestamp", "Time since creation", a), a);
  FillCrd({.kind = kTenantKind,
           .list_kind = "SparkTenantList",
           .plural = kTenantPlural,
           .singular = kTenantSingular,
           .short_name = kTenantShortName,
           .scope = "Cluster",
           .description = "A namespace for Spark applications, with its members, quota and defaults, that the "
                          "operator creates and keeps in shape."},
          crd, ObjectSchema<SparkTenantSpec>("The namespace, its members, quota and defaults.", a),
          ObjectSchema<SparkTenantStatus>("Written by the operator.", a), std::move(columns));
  return crd;
}

rapidjson::Document ScheduledSparkApplicationCrd() {
  rapidjson::Document crd(rapidjson::kObjectType);
  Allocator& a = crd.GetAllocator();
  Value columns(rapidjson::kArrayType);
  columns.PushBack(PrinterColumn("Schedule", "string", ".spec.schedule", "When runs start", a), a);
  columns.PushBack(PrinterColumn("Suspend", "boolean", ".spec.suspend", "No new runs", a), a);
  columns.PushBack(PrinterColumn("State", "string", ".status.scheduleState", "Schedule state", a), a);
  columns.PushBack(PrinterColumn("Last-Run", "date", ".status.lastRun", "Scheduled time of the last run", a), a);
  columns.PushBack(PrinterColumn("Next-Run", "string", ".status.nextRun", "When the next run is due", a), a);
  columns.PushBack(PrinterColumn("Last-Run-Name", "string", ".status.lastRunName", "The last run", a), a);
  columns.PushBack(PrinterColumn("Age", "date", ".metadata.creationTimestamp", "Time since creation", a), a);
  FillCrd({.kind = kScheduledKind,
           .list_kind = "ScheduledSparkApplicationList",
           .plural = kScheduledPlural,
           .singular = kScheduledSingular,
           .short_name = kScheduledShortName,
           .scope = "Namespaced",
           .description = "A SparkApplication run on a cron schedule: each run is a SparkApplication owned by "
                          "this object."},
          crd, ObjectSchema<ScheduledSparkApplicationSpec>("The schedule, the runs' spec and their policies.", a),
          ObjectSchema<ScheduledSparkApplicationStatus>("Written by the operator.", a), std::move(columns));
  return crd;
}

std::string SparkApplicationCrdYaml() { return WithHeader(SparkApplicationCrd(), "api/fields.h"); }

std::string SparkTenantCrdYaml() { return WithHeader(SparkTenantCrd(), "api/tenant_fields.h"); }

std::string ScheduledSparkApplicationCrdYaml() {
  return WithHeader(ScheduledSparkApplicationCrd(), "api/scheduled_fields.h");
}

}  // namespace spark_operator::api
