#include "tools/crdgen/reference.h"

#include <string_view>

#include "api/fields.h"
#include "api/scheduled_fields.h"
#include "api/tenant_fields.h"

namespace spark_operator::api {
namespace {

template <class T>
inline constexpr bool kIsStruct = !kIsScalar<T> && !kIsOptional<T> && !kIsVector<T> && !kIsMap<T> && !kIsKube<T>;

template <class T>
std::string TypeName() {
  if constexpr (std::is_same_v<T, std::string> || std::is_enum_v<T>) {
    return "string";
  } else if constexpr (kIsKube<T>) {
    return "Kubernetes object";
  } else if constexpr (std::is_same_v<T, bool>) {
    return "boolean";
  } else if constexpr (std::is_same_v<T, double>) {
    return "number";
  } else if constexpr (std::is_integral_v<T>) {
    return sizeof(T) == 4 ? "integer (int32)" : "integer (int64)";
  } else if constexpr (kIsOptional<T>) {
    return TypeName<typename T::value_type>();
  } else if constexpr (kIsVector<T>) {
    return "list of " + TypeName<typename T::value_type>();
  } else if constexpr (kIsMap<T>) {
    return "map of string to " + TypeName<typename T::mapped_type>();
  } else {
    return "object";
  }
}

// The allowed values of an enum, also inside an optional, a list or a map.
template <class T>
std::vector<std::string> EnumValues() {
  if constexpr (std::is_enum_v<T>) {
    return {EnumNames<T>::kNames.begin(), EnumNames<T>::kNames.end()};
  } else if constexpr (kIsOptional<T> || kIsVector<T>) {
    return EnumValues<typename T::value_type>();
  } else if constexpr (kIsMap<T>) {
    return EnumValues<typename T::mapped_type>();
  } else {
    return {};
  }
}

// The same checks as ApplyCheck (api/crd.cc) and Validate(), in words.
std::string CheckWords(Check check, bool is_list) {
  const std::string each = is_list ? "each " : "";
  switch (check) {
    case Check::kDnsSubdomain:
      return each + "a DNS-1123 subdomain (lowercase object name, at most 253 characters)";
    case Check::kDnsLabel:
      return "a DNS-1123 label (lowercase, at most 63 characters)";
    case Check::kAbsolutePath:
      return "absolute path without `..` segments";
    case Check::kEnvVarName:
      return "letters, digits, `_`, `-`, `.`; not starting with a digit";
    case Check::kMemory:
      return "memory: Spark form (`512m`, `2g`) or Kubernetes form (`512Mi`, `2Gi`, `1G`)";
    case Check::kCpu:
      return "CPU quantity: cores (`2`, `0.5`) or millicores (`1200m`)";
    case Check::kLabels:
      return "keys are qualified names (`[prefix/]name`), values label values";
    case Check::kAnnotationKeys:
      return "keys are qualified names (`[prefix/]name`)";
    case Check::kDateTime:
      return "RFC 3339 time";
    case Check::kLogDestination:
      return "`gs://bucket[/prefix]`, `s3://bucket[/prefix]` or `file:///directory`";
    case Check::kDecimal:
      return "a non-negative decimal number as a string (`\"0.2\"`)";
    case Check::kNone:
      break;
  }
  return "";
}

std::string Rules(const FieldDoc& doc, bool is_list) {
  std::string rules;
  if (doc.minimum) {
    rules = (doc.exclusive_minimum ? "greater than " : "at least ") + std::to_string(*doc.minimum);
  }
  if (doc.maximum) rules += (rules.empty() ? "at most " : ", at most ") + std::to_string(*doc.maximum);
  const std::string check = CheckWords(doc.check, is_list);
  if (!check.empty()) rules += (rules.empty() ? "" : "; ") + check;
  return rules;
}

// "... Defaults to 1g." -> "1g": the descriptions carry the defaults ApplyDefaults fills in (a unit test checks
// the two agree).
std::string DefaultFrom(std::string_view description) {
  constexpr std::string_view kMarker = "Defaults to ";
  const size_t start = description.find(kMarker);
  if (start == std::string_view::npos) return "";
  std::string_view rest = description.substr(start + kMarker.size());
  size_t end = rest.find(". ");
  if (end == std::string_view::npos) end = rest.ends_with('.') ? rest.size() - 1 : rest.size();
  return std::string(rest.substr(0, end));
}

class ReferenceBuilder {
 public:
  ReferenceBuilder(std::string prefix, std::vector<FieldReference>& out) : prefix_(std::move(prefix)), out_(out) {}

  template <class T>
  void Field(const char* name, const T&, const FieldDoc& doc) {
    FieldReference row;
    row.path = JoinPath(prefix_, name);
    row.type = TypeName<T>();
    if (doc.kube_type != nullptr) {
      // "io.k8s.api.core.v1.Toleration" -> "core/v1 Toleration".
      const std::string_view type(doc.kube_type);
      row.type = (kIsVector<T> ? "list of core/v1 " : "core/v1 ") + std::string(type.substr(type.rfind('.') + 1));
    }
    if (doc.number_or_string) row.type += " or string";
    row.values = EnumValues<T>();
    row.rules = Rules(doc, kIsVector<T>);
    row.default_value = DefaultFrom(doc.description);
    row.required = doc.required;
    row.description = doc.description;
    const std::string path = row.path;
    out_.push_back(std::move(row));
    if constexpr (kIsVector<T>) {
      Nested<typename T::value_type>(path + "[]");
    } else if constexpr (kIsMap<T>) {
      Nested<typename T::mapped_type>(path + ".<key>");
    } else if constexpr (kIsOptional<T>) {
      Nested<typename T::value_type>(path);
    } else {
      Nested<T>(path);
    }
  }

 private:
  template <class T>
  void Nested(const std::string& path) {
    // A nested SparkApplicationSpec (a ScheduledSparkApplication's template) is docs/spark-application.md's.
    if constexpr (kIsStruct<T> && !std::is_same_v<T, SparkApplicationSpec>) {
      const T instance{};  // VisitFields needs an object; the builder only looks at member types.
      ReferenceBuilder nested(path, out_);
      VisitFields(instance, nested);
    }
  }

  const std::string prefix_;
  std::vector<FieldReference>& out_;
};

template <class T>
std::vector<FieldReference> Reference(const std::string& root) {
  std::vector<FieldReference> rows;
  const T instance{};
  ReferenceBuilder builder(root, rows);
  VisitFields(instance, builder);
  return rows;
}

// A table cell: no line breaks, and '|' would end the cell.
std::string Cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string Table(const std::vector<FieldReference>& rows) {
  std::string out = "| field | type | default | required | description |\n|---|---|---|---|---|\n";
  for (const FieldReference& row : rows) {
    std::string type = row.type;
    if (!row.values.empty()) {
      type += ", one of";
      for (size_t i = 0; i < row.values.size(); ++i) type += (i == 0 ? " `" : ", `") + row.values[i] + "`";
    }
    if (!row.rules.empty()) type += "; " + row.rules;
    out += "| `" + row.path + "` | " + Cell(type) + " | " +
           (row.default_value.empty() ? "" : "`" + Cell(row.default_value) + "`") + " | " +
           (row.required ? "yes" : "") + " | " + Cell(row.description) + " |\n";
  }
  return out;
}

}  // namespace

std::vector<FieldReference> SparkApplicationSpecReference() { return Reference<SparkApplicationSpec>("spec"); }

std::vector<FieldReference> SparkApplicationStatusReference() { return Reference<SparkApplicationStatus>("status"); }

std::string SparkApplicationReferenceMarkdown() {
  std::string out =
      "<!-- Generated by spark-operator-crdgen from api/fields.h. Do not edit: change api/fields.h and run "
      "`make crd`. -->\n"
      "# SparkApplication reference\n"
      "\n"
      "`apiVersion: " +
      std::string(kApiVersion) + "`, `kind: " + kKind + "`, namespaced; plural `" + kPlural + "`, short name `" +
      kShortName +
      "`.\n"
      "\n"
      "The same field descriptions produce this page, the CRD's OpenAPI schema "
      "(`deploy/crd/spark-operator.k8s.io_sparkapplications.yaml`) and the controller's parsing and validation, "
      "so `kubectl explain sparkapplication.spec.driver` says the same.\n"
      "\n"
      "- A list of objects is written `[]` in a path (`spec.driver.secrets[].name`); a map's values `.<key>`.\n"
      "- *default*: what the controller uses when the field is left out. It fills defaults in memory and never "
      "writes them back, so `kubectl get -o yaml` shows the spec as you wrote it.\n"
      "- *required*: the field must be set (in a list item: in each item). The API server rejects an object "
      "without it.\n"
      "- Unknown spec fields are rejected (`kubectl` strict field validation) or pruned by the API server; a "
      "value that breaks a rule the schema cannot express fails the application with every problem in "
      "`status.applicationState.errorMessage`.\n"
      "\n"
      "Rules across fields, checked by the controller (`api/validate.cc`):\n"
      "\n"
      "- `mainClass` is required for `Java` and `Scala` applications.\n"
      "- `image` is required unless both `driver.image` and `executor.image` are set.\n"
      "- `deps.pyFiles` only for `Python` applications.\n"
      "- `coreLimit` is at least `cores`, per pod.\n"
      "- Mount paths (`configMaps[].path`, `secrets[].path`) are distinct within a pod.\n"
      "- `restartPolicy.onFailureRetries` and `onSubmissionFailureRetries` only with type `OnFailure`; the two "
      "intervals only with `OnFailure` or `Always`.\n"
      "- A pod template of your own goes in `driver.podTemplate` or `executor.podTemplate`. `sparkConf`'s "
      "`spark.kubernetes.driver.podTemplateFile` is refused; a remote `spark.kubernetes.executor.podTemplateFile` "
      "is accepted only when no `executor` field goes into the pod template (`podTemplate`, `tolerations`, "
      "`affinity`, `sidecars`, `initContainers`, security contexts, `env[].valueFrom`, `envFrom`, `gpu`, volumes "
      "Spark does not mount itself, ...): Spark reads one template, and the controller's would replace yours. "
      "The message names the fields ([submission-policy.md](submission-policy.md)).\n"
      "- `mode: client` is accepted but not submitted (it would run the driver inside the controller): the "
      "application ends `SUBMISSION_FAILED`.\n"
      "\n"
      "## spec\n"
      "\n" +
      Table(SparkApplicationSpecReference()) +
      "\n"
      "## status\n"
      "\n"
      "Written by the controller through the status subresource.\n"
      "\n" +
      Table(SparkApplicationStatusReference());
  return out;
}

std::vector<FieldReference> SparkTenantSpecReference() { return Reference<SparkTenantSpec>("spec"); }

std::vector<FieldReference> SparkTenantStatusReference() { return Reference<SparkTenantStatus>("status"); }

std::string SparkTenantReferenceMarkdown() {
  return "<!-- Generated by spark-operator-crdgen from api/tenant_fields.h. Do not edit: change "
         "api/tenant_fields.h and run `make crd`. -->\n"
         "# SparkTenant reference\n"
         "\n"
         "`apiVersion: " +
         std::string(kApiVersion) + "`, `kind: " + kTenantKind + "`, cluster-scoped; plural `" + kTenantPlural +
         "`, short name `" + kTenantShortName +
         "`.\n"
         "\n"
         "A tenant is a namespace the controller creates and keeps in shape by server-side apply (field manager "
         "`spark-operator`): the Namespace (labelled `spark-operator.k8s.io/tenant=<tenant>`), the driver "
         "ServiceAccount, the Role and RoleBinding `spark-driver`, the RoleBinding `spark-tenant-members` of "
         "`members` to the ClusterRole `spark-operator-tenant-member` (`deploy/rbac/tenant_member_role.yaml`), "
         "the ResourceQuota `spark-tenant-quota` and the LimitRange `spark-tenant-defaults`. A hand edit or "
         "deletion of any of them is undone within seconds. The same field descriptions produce this page and "
         "the CRD (`deploy/crd/spark-operator.k8s.io_sparktenants.yaml`).\n"
         "\n"
         "- A namespace that exists and does not carry the tenant's label is someone else's: the controller "
         "leaves it alone and the tenant is not Ready (reason `NamespaceNotOwned`).\n"
         "- Deleting the tenant: `deletionPolicy: Delete` deletes the namespace and everything in it (the "
         "tenant is gone once the namespace is); `Retain` keeps both.\n"
         "- Applications in namespaces that belong to no tenant keep `--prepare-tenant`.\n"
         "- An operator started with `--namespaces` manages only the tenants whose namespace is in the list (and "
         "watches only those namespaces); another tenant gets no finalizer, status or namespace from it.\n"
         "- The operator may bind only the two roles it ships (`bind` with `resourceNames` in "
         "`deploy/rbac/role.yaml`); a binding to any other role, `edit` or `cluster-admin` included, is refused "
         "by the API server.\n"
         "- Applications in the namespace are admitted by quota: see the README's Tenants section.\n"
         "\n"
         "## spec\n"
         "\n" +
         Table(SparkTenantSpecReference()) +
         "\n"
         "## status\n"
         "\n"
         "Written by the controller through the status subresource.\n"
         "\n" +
         Table(SparkTenantStatusReference());
}

std::vector<FieldReference> ScheduledSparkApplicationSpecReference() {
  return Reference<ScheduledSparkApplicationSpec>("spec");
}

std::vector<FieldReference> ScheduledSparkApplicationStatusReference() {
  return Reference<ScheduledSparkApplicationStatus>("status");
}

std::string ScheduledSparkApplicationReferenceMarkdown() {
  return "<!-- Generated by spark-operator-crdgen from api/scheduled_fields.h. Do not edit: change "
         "api/scheduled_fields.h and run `make crd`. -->\n"
         "# ScheduledSparkApplication reference\n"
         "\n"
         "`apiVersion: " +
         std::string(kApiVersion) + "`, `kind: " + kScheduledKind + "`, namespaced; plural `" + kScheduledPlural +
         "`, short name `" + kScheduledShortName +
         "`. The field names are those of kubeflow's `sparkoperator.k8s.io/v1beta2` ScheduledSparkApplication.\n"
         "\n"
         "Each run is a SparkApplication named `<name>-<unix seconds of the scheduled time>`, whose spec is "
         "`spec.template` (every field of [the SparkApplication spec](spark-application.md)), owned by the "
         "ScheduledSparkApplication (deleting it deletes its runs) and labelled "
         "`spark-operator.k8s.io/scheduled-app-name=<name>`: "
         "`kubectl get sparkapplications -l spark-operator.k8s.io/scheduled-app-name=<name>`. The name is "
         "fixed by the scheduled time, so a controller restart never starts a run twice.\n"
         "\n"
         "- Runs missed while the controller was down: only the most recent one is started, when it comes back.\n"
         "- A run is finished when its state is `COMPLETED`, `FAILED` or `SUBMISSION_FAILED`; "
         "`concurrencyPolicy` looks at the runs not finished.\n"
         "- Changing the spec (the schedule, the time zone, `suspend`, ...) recomputes `status.nextRun` from the "
         "new spec: a new schedule applies from its next time, and no run missed meanwhile is started.\n"
         "- An invalid spec (a schedule or time zone that does not parse, a template the SparkApplication "
         "rules refuse) sets `scheduleState: FailedValidation` with the problems in `reason` and a Warning "
         "Event `FailedValidation`; no run starts until the spec is fixed, and then scheduling resumes by itself.\n"
         "\n"
         "## spec\n"
         "\n" +
         Table(ScheduledSparkApplicationSpecReference()) +
         "\n"
         "## status\n"
         "\n"
         "Written by the controller through the status subresource.\n"
         "\n" +
         Table(ScheduledSparkApplicationStatusReference());
}

}  // namespace spark_operator::api
