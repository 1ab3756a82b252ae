// Validate: the per-field rules come from api/fields.h through FieldChecker; the rules that relate several
// fields are written out below it.
#include <set>
#include <string>
#include <vector>

#include "api/field_visitors.h"
#include "api/fields.h"
#include "api/ingress_url.h"
#include "api/metrics_properties.h"
#include "api/name_rules.h"
#include "api/quantity.h"
#include "api/scheduled_fields.h"
#include "api/spark_application.h"
#include "api/submission_policy.h"
#include "api/tenant_fields.h"
#include "common/base/json.h"

namespace spark_operator::api {
namespace {

using Problems = std::vector<std::string>;

void Add(Problems& problems, const Status& status) {
  if (!status.ok()) problems.push_back(status.message());
}

template <class T>
bool IsUnset(const T& value) {
  if constexpr (kIsOptional<T>) {
    return !value.has_value();
  } else if constexpr (std::is_same_v<T, std::string> || kIsVector<T> || kIsMap<T>) {
    return value.empty();
  } else {
    return false;
  }
}

// The check named in a field's description, applied to one string.
void CheckString(const std::string& path, const std::string& value, Check check, Problems& problems) {
  switch (check) {
    case Check::kDnsSubdomain:
      return Add(problems, ValidateDns1123Subdomain(path, value));
    case Check::kDnsLabel:
      return Add(problems, ValidateDns1123Label(path, value));
    case Check::kAbsolutePath:
      return Add(problems, ValidateMountPath(path, value));
    case Check::kLogDestination:
      return Add(problems, ValidateLogDestination(path, value));
    case Check::kDecimal:
      return Add(problems, ValidateDecimal(path, value));
    case Check::kEnvVarName:
      return Add(problems, ValidateEnvVarName(path, value));
    case Check::kMemory: {
      const Result<int64_t> bytes = ParseMemoryBytes(value);
      if (!bytes.ok()) return problems.push_back(path + ": " + bytes.status().message());
      if (*bytes == 0) problems.push_back(path + ": must be more than zero");
      return;
    }
    case Check::kCpu: {
      const Result<int64_t> millis = ParseCpuMillis(value);
      if (!millis.ok()) return problems.push_back(path + ": " + millis.status().message());
      if (*millis == 0) problems.push_back(path + ": must be more than zero");
      return;
    }
    default:
      return;
  }
}

// The bounds of durations (api/fields.h): no value may make the controller's time arithmetic overflow.
void CheckMaximum(const std::string& path, double value, const FieldDoc& doc, Problems& problems) {
  if (doc.maximum && value > static_cast<double>(*doc.maximum)) {
    problems.push_back(path + ": must be at most " + std::to_string(*doc.maximum));
  }
}

class FieldChecker {
 public:
  FieldChecker(std::string path, Problems& problems) : path_(std::move(path)), problems_(problems) {}

  template <class T>
  void Field(const char* name, const T& value, const FieldDoc& doc) {
    const std::string path = JoinPath(path_, name);
    if (doc.required && IsUnset(value)) problems_.push_back(path + ": required");
    CheckValue(path, value, doc);
  }

 private:
  template <class T>
  void CheckValue(const std::string& path, const T& value, const FieldDoc& doc) {
    if constexpr (kIsOptional<T>) {
      if (value) CheckValue(path, *value, doc);
    } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
      CheckMaximum(path, static_cast<double>(value), doc, problems_);
      if (!doc.minimum) return;
      const auto min = static_cast<double>(*doc.minimum);
      const double v = static_cast<double>(value);
      if (doc.exclusive_minimum && v <= min)
        problems_.push_back(path + ": must be more than " + std::to_string(*doc.minimum));
      if (!doc.exclusive_minimum && v < min)
        problems_.push_back(path + ": must be at least " + std::to_string(*doc.minimum));
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!value.empty()) CheckString(path, value, doc.check, problems_);
    } else if constexpr (kIsVector<T>) {
      for (size_t i = 0; i < value.size(); ++i) CheckValue(path + "[" + std::to_string(i) + "]", value[i], doc);
    } else if constexpr (kIsMap<T>) {
      if constexpr (std::is_same_v<typename T::mapped_type, std::string>) {
        for (const auto& [key, item] : value) {
          const std::string item_path = path + "[" + key + "]";
          if (doc.check == Check::kLabels || doc.check == Check::kAnnotationKeys) {
            Add(problems_, ValidateQualifiedName(path, key));
          }
          if (doc.check == Check::kLabels) Add(problems_, ValidateLabelValue(item_path, item));
          if (key.empty() && doc.check == Check::kNone) problems_.push_back(path + ": keys must not be empty");
        }
      }
    } else if constexpr (kIsKube<T>) {
      // The API server checks these against the core schema the CRD embeds.
    } else if constexpr (!kIsScalar<T>) {
      FieldChecker nested(path, problems_);
      VisitFields(value, nested);
    }
  }

  std::string path_;
  Problems& problems_;
};

void CheckPod(const std::string& path, const PodSpec& pod, Problems& problems) {
  if (pod.cores && !pod.core_limit.empty()) {
    const Result<int64_t> limit = ParseCpuMillis(pod.core_limit);
    if (limit.ok() && static_cast<double>(*limit) < *pod.cores * 1000 - 1e-6) {
      problems.push_back(path + ".coreLimit: \"" + pod.core_limit + "\" is less than cores (" +
                         CpuQuantity(*pod.cores) + "); Kubernetes rejects a limit below the request");
    }
  }
  // Two volumes on one mount path make the pod invalid.
  std::map<std::string, std::string> used;
  const auto claim = [&](const std::string& where, const std::string& mount) {
    if (mount.empty()) return;
    const auto [it, inserted] = used.emplace(mount, where);
    if (!inserted) problems.push_back(where + ": \"" + mount + "\" is already used by " + it->second);
  };
  for (size_t i = 0; i < pod.config_maps.size(); ++i) {
    claim(path + ".configMaps[" + std::to_string(i) + "].path", pod.config_maps[i].path);
  }
  for (size_t i = 0; i < pod.secrets.size(); ++i) {
    claim(path + ".secrets[" + std::to_string(i) + "].path", pod.secrets[i].path);
  }
}

// The name of a KubeValue object; "" when it has none or does not parse (the API server has checked its shape).
std::string KubeName(const KubeValue& value) {
  const Result<rapidjson::Document> parsed = ParseJson(value.json);
  return parsed.ok() && parsed->IsObject() ? GetString(*parsed, {"name"}) : "";
}

void CheckVolumes(const SparkApplicationSpec& spec, Problems& problems) {
  std::set<std::string> names;
  for (size_t i = 0; i < spec.volumes.size(); ++i) {
    const std::string name = KubeName(spec.volumes[i]);
    if (!names.insert(name).second) {
      problems.push_back("spec.volumes[" + std::to_string(i) + "]: a second volume named \"" + name + "\"");
    }
  }
  for (const auto& [path, pod] : {std::pair<std::string, const PodSpec*>{"spec.driver", &spec.driver},
                                  std::pair<std::string, const PodSpec*>{"spec.executor", &spec.executor}}) {
    for (size_t i = 0; i < pod->volume_mounts.size(); ++i) {
      const std::string name = KubeName(pod->volume_mounts[i]);
      if (names.count(name) == 0) {
        problems.push_back(path + ".volumeMounts[" + std::to_string(i) + "]: no volume named \"" + name +
                           "\" in spec.volumes");
      }
    }
  }
}

void CheckDynamicAllocation(const DynamicAllocation& d, Problems& problems) {
  const std::string path = "spec.dynamicAllocation";
  if (d.min_executors && d.max_executors && *d.min_executors > *d.max_executors) {
    problems.push_back(path + ".minExecutors: more than maxExecutors");
  }
  if (d.initial_executors && d.min_executors && *d.initial_executors < *d.min_executors) {
    problems.push_back(path + ".initialExecutors: less than minExecutors");
  }
  if (d.initial_executors && d.max_executors && *d.initial_executors > *d.max_executors) {
    problems.push_back(path + ".initialExecutors: more than maxExecutors");
  }
}

void CheckAcrossFields(const SparkApplicationSpec& spec, Problems& problems) {
  CheckVolumes(spec, problems);
  CheckDynamicAllocation(spec.dynamic_allocation, problems);
  for (const auto& [path, pod] : {std::pair<std::string, const PodSpec*>{"spec.driver", &spec.driver},
                                  std::pair<std::string, const PodSpec*>{"spec.executor", &spec.executor}}) {
    if (pod->gpu) Add(problems, ValidateQualifiedName(path + ".gpu.name", pod->gpu->name));
  }
  if ((spec.type == AppType::kJava || spec.type == AppType::kScala) && spec.main_class.empty()) {
    problems.push_back("spec.mainClass: required for " + std::string(EnumName(*spec.type)) + " applications");
  }
  if (spec.image.empty() && (spec.driver.image.empty() || spec.executor.image.empty())) {
    problems.push_back("spec.image: required unless both spec.driver.image and spec.executor.image are set");
  }
  if (!spec.deps.py_files.empty() && spec.type && spec.type != AppType::kPython) {
    problems.push_back("spec.deps.pyFiles: only used by Python applications");
  }
  if (spec.suspend && spec.submission_by_user) {
    problems.push_back(
        "spec.suspend: the operator does not submit an application with submissionByUser, so it "
        "cannot hold it");
  }
  CheckPod("spec.driver", spec.driver, problems);
  CheckPod("spec.executor", spec.executor, problems);
  for (std::string& p : SubmissionPolicyProblems(spec)) problems.push_back(std::move(p));

  const RestartPolicy& restart = spec.restart_policy;
  const RestartPolicyType type = restart.type.value_or(RestartPolicyType::kNever);
  const auto unused = [&](const char* field, bool set, const char* when) {
    if (set) {
      problems.push_back(std::string("spec.restartPolicy.") + field + ": has no effect when type is " +
                         std::string(EnumName(type)) + "; it is only used " + when);
    }
  };
  if (type != RestartPolicyType::kOnFailure) {
    unused("onFailureRetries", restart.on_failure_retries.has_value(), "with OnFailure");
    unused("onSubmissionFailureRetries", restart.on_submission_failure_retries.has_value(), "with OnFailure");
  }
  if (type == RestartPolicyType::kNever) {
    unused("onFailureRetryInterval", restart.on_failure_retry_interval.has_value(), "with OnFailure or Always");
    unused("onSubmissionFailureRetryInterval", restart.on_submission_failure_retry_interval.has_value(),
           "with OnFailure or Always");
  }
}

// The UI's Ingress address and the metrics configuration, which need the app's name to be judged.
void CheckUiAndMonitoring(const SparkApplication& app, Problems& problems) {
  const SparkUIOptions& ui = app.spec.spark_ui_options;
  if (!ui.ingress_url_format.empty()) {
    const std::string ns = app.metadata.namespace_.empty() ? "default" : app.metadata.namespace_;
    const Result<IngressUrl> url = ExpandIngressUrl(ui.ingress_url_format, app.metadata.name, ns);
    if (!url.ok()) problems.push_back("spec.sparkUIOptions.ingressURLFormat: " + url.status().message());
  }
  for (size_t i = 0; i < ui.ingress_tls.size(); ++i) {
    for (const std::string& host : ui.ingress_tls[i].hosts) {
      // A wildcard is allowed as the first label, as in an Ingress.
      const std::string_view name = host.rfind("*.", 0) == 0 ? std::string_view(host).substr(2) : host;
      if (!IsDns1123Subdomain(name)) {
        problems.push_back("spec.sparkUIOptions.ingressTLS[" + std::to_string(i) + "].hosts: \"" + host +
                           "\" must be a lowercase DNS name");
      }
    }
  }
  if (const auto parsed = ParseMetricsProperties(app.spec.monitoring.metrics_properties); !parsed.ok()) {
    problems.push_back("spec.monitoring.metricsProperties: " + parsed.status().message());
  }
}

}  // namespace

namespace internal {

template <class T>
void CheckFields(const std::string& path, const T& value, std::vector<std::string>& problems) {
  FieldChecker checker(path, problems);
  VisitFields(value, checker);
}

template void CheckFields(const std::string&, const SparkTenantSpec&, std::vector<std::string>&);
template void CheckFields(const std::string&, const ScheduledSparkApplicationSpec&, std::vector<std::string>&);

}  // namespace internal

Status Validate(const SparkApplication& app) {
  Problems problems;
  FieldChecker checker("spec", problems);
  VisitFields(app.spec, checker);
  CheckAcrossFields(app.spec, problems);
  CheckUiAndMonitoring(app, problems);
  if (problems.empty()) return OkStatus();
  std::string message;
  for (const std::string& p : problems) message += (message.empty() ? "" : "; ") + p;
  return InvalidArgumentError(std::move(message));
}

}  // namespace spark_operator::api
