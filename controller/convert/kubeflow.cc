#include "controller/convert/kubeflow.h"

#include <algorithm>
#include <utility>

#include "api/scheduled_application.h"
#include "api/spark_application.h"
#include "api/types.h"
#include "common/base/json.h"
#include "common/base/yaml.h"
#include "controller/convert/prune.h"

namespace spark_operator::controller::convert {
namespace {

using Allocator = rapidjson::Document::AllocatorType;
using rapidjson::Value;

constexpr char kScheduledKind[] = "ScheduledSparkApplication";
// Rounds of "parse, remove what the parser refuses": one normally; removing a list element never exposes new
// problems, so a second round finding some means something is wrong, and the loop must end regardless.
constexpr int kMaxPruneRounds = 4;

// The findings of one document.
class Report {
 public:
  Report(std::string object, std::vector<Finding>& findings) : object_(std::move(object)), findings_(findings) {}
  void Dropped(std::string path, std::string why) { Add(Finding::Severity::kDropped, std::move(path), std::move(why)); }
  void Note(std::string path, std::string why) { Add(Finding::Severity::kNote, std::move(path), std::move(why)); }
  void Warning(std::string path, std::string why) { Add(Finding::Severity::kWarning, std::move(path), std::move(why)); }

 private:
  void Add(Finding::Severity severity, std::string path, std::string why) {
    findings_.push_back({.severity = severity, .object = object_, .path = std::move(path), .why = std::move(why)});
  }
  std::string object_;
  std::vector<Finding>& findings_;
};

std::string Str(const Value& v) { return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : ""; }

// ---------------------------------------------------------------- the known differences
// Each runs on a copy of a kubeflow spec (a SparkApplication's, or a ScheduledSparkApplication's template) before
// the strict parser sees it. `at` is where the spec is ("spec", "spec.template"), for messages.
using ReshapeFn = void (*)(Value& spec, const std::string& at, Allocator& a, Report& report);

Value* Member(Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

bool EnvHasName(const Value& env, std::string_view name) {
  for (const Value& e : env.GetArray()) {
    if (e.IsObject() && GetString(e, {"name"}) == name) return true;
  }
  return false;
}

// Appends `entry` to pod.env unless an entry of that name is there (kubeflow's `env` then wins, and the loser
// is reported).
void AppendEnv(Value& pod, Value entry, const std::string& from, Allocator& a, Report& report) {
  if (Member(pod, "env") == nullptr || !Member(pod, "env")->IsArray()) {
    if (Member(pod, "env") != nullptr) return;  // A malformed env: the parser reports it.
    pod.AddMember("env", Value(rapidjson::kArrayType), a);
  }
  Value& env = *Member(pod, "env");
  const std::string name = GetString(entry, {"name"});
  if (EnvHasName(env, name)) return report.Dropped(from, "also set in env, whose entry is kept");
  env.PushBack(entry, a);
}

template <class Fn>
void ForEachPod(Value& spec, const std::string& at, Fn fn) {
  for (const char* role : {"driver", "executor"}) {
    if (Value* pod = Member(spec, role); pod != nullptr && pod->IsObject()) fn(*pod, at + "." + role);
  }
}

void RenamePodTemplate(Value& spec, const std::string& at, Allocator& a, Report& report) {
  ForEachPod(spec, at, [&](Value& pod, const std::string& pod_at) {
    const auto it = pod.FindMember("template");
    if (it == pod.MemberEnd()) return;
    if (Member(pod, "podTemplate") != nullptr) {
      report.Dropped(pod_at + ".template", "podTemplate is set too, and kept");
      EraseMember(pod, "template");
    } else {
      it->name.SetString("podTemplate", a);  // In place, so the member keeps its position.
    }
  });
}

void EnvVarsToEnv(Value& spec, const std::string& at, Allocator& a, Report& report) {
  ForEachPod(spec, at, [&](Value& pod, const std::string& pod_at) {
    Value* vars = Member(pod, "envVars");
    if (vars == nullptr || !vars->IsObject()) return;  // Anything else: the parser reports envVars unknown.
    Value moved(std::move(*vars));
    EraseMember(pod, "envVars");
    for (auto& m : moved.GetObject()) {
      Value entry(rapidjson::kObjectType);
      entry.AddMember("name", Value(m.name, a), a);
      entry.AddMember("value", Value(m.value, a), a);
      AppendEnv(pod, std::move(entry), pod_at + ".envVars[" + Str(m.name) + "]", a, report);
    }
  });
}

void EnvSecretKeyRefsToEnv(Value& spec, const std::string& at, Allocator& a, Report& report) {
  ForEachPod(spec, at, [&](Value& pod, const std::string& pod_at) {
    Value* refs = Member(pod, "envSecretKeyRefs");
    if (refs == nullptr || !refs->IsObject()) return;
    Value moved(std::move(*refs));
    EraseMember(pod, "envSecretKeyRefs");
    for (auto& m : moved.GetObject()) {
      Value entry(rapidjson::kObjectType);
      entry.AddMember("name", Value(m.name, a), a);
      Value value_from(rapidjson::kObjectType);
      value_from.AddMember("secretKeyRef", Value(m.value, a), a);
      entry.AddMember("valueFrom", value_from, a);
      AppendEnv(pod, std::move(entry), pod_at + ".envSecretKeyRefs[" + Str(m.name) + "]", a, report);
    }
  });
}

void DropJmxExporterJar(Value& spec, const std::string& at, Allocator&, Report& report) {
  Value* prometheus = Member(spec, "monitoring") ? Member(*Member(spec, "monitoring"), "prometheus") : nullptr;
  if (prometheus == nullptr || Member(*prometheus, "jmxExporterJar") == nullptr) return;
  EraseMember(*prometheus, "jmxExporterJar");
  // Nothing left but an empty object: it only named the jar, so it goes too rather than be reported.
  if (prometheus->IsObject() && prometheus->MemberCount() == 0) EraseMember(*Member(spec, "monitoring"), "prometheus");
  report.Note(at + ".monitoring.prometheus.jmxExporterJar",
              "this operator exposes metrics through Spark's built-in Prometheus servlet, which needs no agent jar");
}

void DropPythonVersion(Value& spec, const std::string& at, Allocator&, Report& report) {
  const Value* version = Member(spec, "pythonVersion");
  if (version == nullptr) return;
  if (Str(*version) == "3") {
    report.Note(at + ".pythonVersion", "Spark 4 runs Python 3 only, so \"3\" says nothing more");
  } else {
    report.Dropped(at + ".pythonVersion", "Spark 4 runs Python 3 only; a Python 2 application must be ported");
  }
  EraseMember(spec, "pythonVersion");
}

void DropBatchScheduler(Value& spec, const std::string& at, Allocator&, Report& report) {
  for (const char* field : {"batchScheduler", "batchSchedulerOptions"}) {
    if (Member(spec, field) == nullptr) continue;
    report.Dropped(at + "." + field,
                   "this operator does not hand pods to a batch scheduler (Volcano, YuniKorn); a queue such as Kueue "
                   "can hold the application through spec.suspend, and driver/executor schedulerName picks a "
                   "scheduler");
    EraseMember(spec, field);
  }
}

// In the order they run; README.md's migration section lists the same, with the same reasons.
constexpr ReshapeFn kKnownReshapes[] = {
    RenamePodTemplate,      // driver/executor.template -> podTemplate: the name issue 14 gave it here.
    EnvVarsToEnv,           // envVars (kubeflow's deprecated map) -> env entries: env is the one list here.
    EnvSecretKeyRefsToEnv,  // envSecretKeyRefs (deprecated) -> env entries with valueFrom.secretKeyRef.
    DropJmxExporterJar,     // Spark's own Prometheus servlet replaces the JMX exporter agent.
    DropPythonVersion,      // Spark 4 has Python 3 only.
    DropBatchScheduler,     // No Volcano/YuniKorn integration here.
};

// Why a kubeflow field the parser refused has no place here, beyond "unknown field", where there is more to say.
// Paths are relative to the spec, without list indices.
struct KnownGap {
  std::string_view path;
  std::string_view why;
};
constexpr KnownGap kKnownGaps[] = {
    {"failureRetries", "kubeflow's legacy retry count; restartPolicy says it here"},
    {"retryInterval", "kubeflow's legacy retry interval; restartPolicy says it here"},
    {"driver.podName", "kubeflow's in-cluster-client mode only; the operator names driver pods <app>-<run>-driver"},
    {"driver.kubernetesMaster", "the driver reaches the API server through its in-cluster address"},
    {"mode", "the operator submits in cluster mode"},
};

std::string KnownGapReason(std::string_view relative) {
  std::string plain;
  for (size_t i = 0; i < relative.size(); ++i) {
    if (relative[i] == '[') {
      i = relative.find(']', i);
      if (i == std::string_view::npos) break;
    } else {
      plain += relative[i];
    }
  }
  for (const KnownGap& gap : kKnownGaps) {
    if (gap.path == plain) return " (" + std::string(gap.why) + ")";
  }
  return "";
}

// Leaves out of `spec` each field this project's parser refuses, and reports it.
Status PruneUnknown(Value& spec, const std::string& at, Report& report) {
  for (int round = 0; round < kMaxPruneRounds; ++round) {
    const std::vector<api::FieldError> errors = api::SpecFieldErrors(spec, at.c_str());
    if (errors.empty()) return OkStatus();
    std::vector<StepPath> targets;
    for (const api::FieldError& e : errors) {
      if (e.path.rfind(at + ".", 0) != 0) return InvalidArgumentError(e.path + ": " + e.message);
      const std::string_view relative = std::string_view(e.path).substr(at.size() + 1);
      const std::optional<StepPath> steps = ResolvePath(spec, relative);
      if (!steps) return InternalError("the converter cannot find " + e.path + " (" + e.message + ")");
      StepPath target = RemovalTarget(*steps);
      std::string why = e.message + KnownGapReason(relative);
      if (target.size() < steps->size()) why += "; so " + at + "." + FormatPath(target) + " is left out whole";
      report.Dropped(e.path, std::move(why));
      targets.push_back(std::move(target));
    }
    RemoveAll(spec, std::move(targets));
  }
  return InternalError(at + ": the parser still refuses fields after " + std::to_string(kMaxPruneRounds) + " rounds");
}

Status ConvertSpec(Value& spec, const std::string& at, Allocator& a, Report& report) {
  if (!spec.IsObject()) return InvalidArgumentError(at + ": expected an object");
  for (const ReshapeFn reshape : kKnownReshapes) reshape(spec, at, a, report);
  return PruneUnknown(spec, at, report);
}

// The kind's own fields, carried by name; WarnIfInvalidScheduled then has the kind's parser and validation judge
// their values. TODO(issue 14): an api::SpecFieldErrors for the kind would let a wrong value be left out and
// reported as a template field is, rather than warned about.
constexpr std::string_view kScheduledSpecFields[] = {"schedule",
                                                     "timeZone",
                                                     "template",
                                                     "concurrencyPolicy",
                                                     "suspend",
                                                     "successfulRunHistoryLimit",
                                                     "failedRunHistoryLimit"};

Status ConvertScheduledSpec(Value& spec, Allocator& a, Report& report) {
  if (!spec.IsObject()) return InvalidArgumentError("spec: expected an object");
  std::vector<std::string> unknown;
  for (const auto& m : spec.GetObject()) {
    const std::string name = Str(m.name);
    if (std::find(std::begin(kScheduledSpecFields), std::end(kScheduledSpecFields), name) ==
        std::end(kScheduledSpecFields)) {
      unknown.push_back(name);
    }
  }
  for (const std::string& name : unknown) {
    report.Dropped("spec." + name, "unknown field");
    EraseMember(spec, name);
  }
  Value* tmpl = Member(spec, "template");
  if (tmpl == nullptr || tmpl->IsNull()) return InvalidArgumentError("spec.template: required");
  return ConvertSpec(*tmpl, "spec.template", a, report);
}

constexpr std::string_view kKeptMetadata[] = {"name", "namespace", "labels", "annotations"};
constexpr std::string_view kServerMetadata[] = {
    "uid",           "resourceVersion", "generation",        "creationTimestamp",
    "managedFields", "selfLink",        "deletionTimestamp", "deletionGracePeriodSeconds"};
constexpr char kLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";

template <size_t N>
bool OneOf(std::string_view name, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

Status ConvertMetadata(const Value* in, Value& out, Allocator& a, Report& report) {
  out.SetObject();
  if (in == nullptr || in->IsNull()) return OkStatus();
  if (!in->IsObject()) return InvalidArgumentError("metadata: expected an object");
  std::string server_set;  // One note for all of them: `kubectl get -o yaml` output has them on every object.
  for (const auto& m : in->GetObject()) {
    const std::string name = Str(m.name);
    if (OneOf(name, kServerMetadata)) {
      server_set += (server_set.empty() ? "" : ", ") + name;
    } else if (!OneOf(name, kKeptMetadata)) {
      report.Dropped("metadata." + name, "only name, namespace, labels and annotations are carried");
    } else if (name == "annotations" && m.value.IsObject() && m.value.HasMember(kLastApplied)) {
      // kubectl's record of the kubeflow object would make the next `kubectl apply` diff against the wrong thing.
      report.Note("metadata.annotations[" + std::string(kLastApplied) + "]", "kubectl's copy of the kubeflow object");
      Value annotations(m.value, a);
      EraseMember(annotations, kLastApplied);
      if (annotations.MemberCount() > 0) out.AddMember("annotations", annotations, a);
    } else {
      out.AddMember(Value(m.name, a), Value(m.value, a), a);
    }
  }
  if (!server_set.empty()) report.Note("metadata", server_set + ": set by the API server");
  return OkStatus();
}

// The converted SparkApplication (or the template of a ScheduledSparkApplication, as one) against this project's
// defaults and validation: a field both operators accept may still be one this one needs (an image, mainClass).
void WarnIfInvalid(const Value& metadata, const Value& spec, const std::string& at, Report& report) {
  rapidjson::Document app(rapidjson::kObjectType);
  Allocator& a = app.GetAllocator();
  app.AddMember("apiVersion", rapidjson::StringRef(api::kApiVersion), a);
  app.AddMember("kind", rapidjson::StringRef(api::kKind), a);
  app.AddMember("metadata", Value(metadata, a), a);
  app.AddMember("spec", Value(spec, a), a);
  Result<api::SparkApplication> parsed = api::ParseSparkApplication(app);
  Status valid = parsed.status();
  if (parsed.ok()) {
    api::ApplyDefaults(*parsed);
    valid = api::Validate(*parsed);
  }
  if (!valid.ok()) report.Warning(at, "this operator will refuse it: " + valid.message());
}

// The converted ScheduledSparkApplication, whole, against the kind's parser and validation.
void WarnIfInvalidScheduled(const Value& converted, Report& report) {
  Result<api::ScheduledSparkApplication> parsed = api::ParseScheduledSparkApplication(converted);
  Status valid = parsed.status();
  if (parsed.ok()) {
    api::ApplyDefaults(*parsed);
    valid = api::Validate(*parsed);
  }
  if (!valid.ok()) report.Warning("spec", "this operator will refuse it: " + valid.message());
}

}  // namespace

bool Conversion::Dropped() const {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Finding::Severity::kDropped; });
}

Result<rapidjson::Document> ConvertKubeflowObject(const Value& object, std::vector<Finding>& findings) {
  if (!object.IsObject()) return InvalidArgumentError("expected a Kubernetes object (a YAML mapping)");
  const std::string api_version = GetString(object, {"apiVersion"});
  const std::string kind = GetString(object, {"kind"});
  if (api_version == api::kApiVersion) {
    return InvalidArgumentError("already " + api_version + "; there is nothing to convert");
  }
  if (api_version != kKubeflowApiVersion) {
    return InvalidArgumentError("apiVersion \"" + api_version + "\": expected " + kKubeflowApiVersion +
                                " (kubeflow's spark-operator)");
  }
  if (kind != api::kKind && kind != kScheduledKind) {
    return InvalidArgumentError("kind \"" + kind + "\" is not one the converter knows: expected " + api::kKind +
                                " or " + kScheduledKind);
  }
  const std::string ns = GetString(object, {"metadata", "namespace"});
  Report report(kind + " " + (ns.empty() ? "" : ns + "/") + GetString(object, {"metadata", "name"}), findings);

  rapidjson::Document out(rapidjson::kObjectType);
  Allocator& a = out.GetAllocator();
  out.AddMember("apiVersion", rapidjson::StringRef(api::kApiVersion), a);
  out.AddMember("kind", JsonString(kind, a), a);
  Value metadata;
  RETURN_IF_ERROR(ConvertMetadata(FindPath(object, {"metadata"}), metadata, a, report));
  const Value* in_spec = FindPath(object, {"spec"});
  if (in_spec == nullptr || !in_spec->IsObject()) return InvalidArgumentError("spec: expected an object");
  Value spec(*in_spec, a);
  if (kind == api::kKind) {
    RETURN_IF_ERROR(ConvertSpec(spec, "spec", a, report));
    WarnIfInvalid(metadata, spec, "spec", report);
  } else {
    RETURN_IF_ERROR(ConvertScheduledSpec(spec, a, report));
  }
  for (const auto& m : object.GetObject()) {
    const std::string name = Str(m.name);
    if (name == "status") {
      report.Note("status", "the operator writes its own status");
    } else if (name != "apiVersion" && name != "kind" && name != "metadata" && name != "spec") {
      report.Dropped(name, "not part of a " + kind);
    }
  }
  out.AddMember("metadata", metadata, a);
  out.AddMember("spec", spec, a);
  if (kind == kScheduledKind) WarnIfInvalidScheduled(out, report);
  return out;
}

Result<Conversion> ConvertKubeflowYaml(std::string_view yaml) {
  if (yaml.size() > kMaxInputBytes) {
    return InvalidArgumentError("the input is " + std::to_string(yaml.size()) + " bytes; the converter reads at most " +
                                std::to_string(kMaxInputBytes));
  }
  ASSIGN_OR_RETURN(std::vector<rapidjson::Document> docs, YamlStreamToJson(yaml));
  if (docs.empty()) return InvalidArgumentError("the input holds no YAML document");
  Conversion conversion;
  // `kubectl get sparkapplications -o yaml` writes one List; its items are converted as separate documents.
  std::vector<std::pair<std::string, const Value*>> objects;
  for (size_t i = 0; i < docs.size(); ++i) {
    const std::string where = "document " + std::to_string(i + 1);  // Nesting is bounded by the YAML reader.
    const Value* items = FindPath(docs[i], {"items"});
    if (GetString(docs[i], {"kind"}) == "List" && items != nullptr && items->IsArray()) {
      for (rapidjson::SizeType j = 0; j < items->Size(); ++j) {
        objects.emplace_back(where + ", item " + std::to_string(j + 1), &(*items)[j]);
      }
    } else {
      objects.emplace_back(where, &docs[i]);
    }
  }
  for (const auto& [where, object] : objects) {
    Result<rapidjson::Document> converted = ConvertKubeflowObject(*object, conversion.findings);
    if (!converted.ok()) return Status(converted.status().code(), where + ": " + converted.status().message());
    if (!conversion.yaml.empty()) conversion.yaml += "---\n";
    conversion.yaml += JsonToYaml(*converted) + "\n";
  }
  return conversion;
}

std::string FormatFindings(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    const char* severity = f.severity == Finding::Severity::kDropped ? "dropped"
                           : f.severity == Finding::Severity::kNote  ? "note"
                                                                     : "warning";
    out += std::string(severity) + ": " + f.object + ": " + f.path + ": " + f.why + "\n";
  }
  return out;
}

}  // namespace spark_operator::controller::convert
