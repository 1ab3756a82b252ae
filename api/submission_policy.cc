#include "api/submission_policy.h"

#include <array>

#include "api/template_fields.h"

namespace spark_operator::api {
namespace {

// Spark 4.2's settings (core and resource-managers/kubernetes Config.scala) that spark-submit itself acts on
// in cluster mode. Settings read only inside the driver or executor pods are not here: there they read the
// image's files with the application's own service account.
constexpr std::array kRefused = {
    RefusedConf{"spark.master", PolicyMatch::kKey,
                "the operator passes --master: the API server spark-submit connects to with the operator's "
                "credentials"},
    RefusedConf{"spark.submit.deployMode", PolicyMatch::kKey,
                "the operator always submits in cluster mode; client mode would run the driver inside the "
                "operator"},
    RefusedConf{"spark.kubernetes.namespace", PolicyMatch::kKey,
                "the operator sets it to the application's namespace; spark-submit creates the driver there "
                "with the operator's rights"},
    RefusedConf{"spark.kubernetes.context", PolicyMatch::kKey,
                "selects a kubeconfig context on the operator's machine, that is other credentials"},
    RefusedConf{"spark.kubernetes.trust.certificates", PolicyMatch::kKey,
                "turns off the check of the API server's certificate on the connection that carries the "
                "operator's credentials"},
    RefusedConf{"spark.kubernetes.authenticate.submission.", PolicyMatch::kPrefix,
                "spark-submit's own credentials: files on the operator's machine (caCertFile, clientKeyFile, "
                "clientCertFile, oauthTokenFile), or a token or token provider instead of the operator's"},
    RefusedConf{"spark.kubernetes.authenticate.driver.caCertFile", PolicyMatch::kKey,
                "spark-submit reads this file on the operator's machine and copies it into a Secret the "
                "driver mounts; use spark.kubernetes.authenticate.driver.mounted.caCertFile for a file in "
                "the driver pod"},
    RefusedConf{"spark.kubernetes.authenticate.driver.clientCertFile", PolicyMatch::kKey,
                "spark-submit reads this file on the operator's machine and copies it into a Secret the "
                "driver mounts; use spark.kubernetes.authenticate.driver.mounted.clientCertFile"},
    RefusedConf{"spark.kubernetes.authenticate.driver.clientKeyFile", PolicyMatch::kKey,
                "spark-submit reads this file on the operator's machine and copies it into a Secret the "
                "driver mounts; use spark.kubernetes.authenticate.driver.mounted.clientKeyFile"},
    RefusedConf{"spark.kubernetes.authenticate.driver.oauthTokenFile", PolicyMatch::kKey,
                "spark-submit reads this file on the operator's machine and copies it into a Secret the "
                "driver mounts; use spark.kubernetes.authenticate.driver.mounted.oauthTokenFile"},
    RefusedConf{"spark.kubernetes.driver.podTemplateFile", PolicyMatch::kKey,
                "the controller gives the driver a pod template of its own, which makes the application the "
                "pod's owner from its creation, and Spark reads one template: put yours in spec.driver.podTemplate"},
    RefusedConf{"spark.kubernetes.executor.podTemplateFile", PolicyMatch::kPodTemplateFile,
                "spark-submit reads the template and copies it into a ConfigMap: a local path is a file on "
                "the operator's machine; a remote URI is allowed, but not beside spec.executor fields that go into "
                "the controller's own template (podTemplate, tolerations, affinity, sidecars, ...): Spark reads "
                "one template, and the controller cannot merge a file it does not fetch"},
    RefusedConf{"spark.kubernetes.file.upload.path", PolicyMatch::kKey,
                "spark-submit uploads local dependencies there, that is files of the operator's machine, to "
                "a place the user can read"},
    RefusedConf{"spark.kubernetes.kerberos.krb5.path", PolicyMatch::kKey,
                "spark-submit reads this file on the operator's machine and copies it into a ConfigMap; use "
                "spark.kubernetes.kerberos.krb5.configMapName"},
    RefusedConf{"spark.kerberos.", PolicyMatch::kPrefix,
                "spark-submit's own Kerberos login: a keytab on the operator's machine (copied into a Secret) "
                "or the operator's ticket cache; use spark.kubernetes.kerberos.tokenSecret.*"},
    RefusedConf{"spark.yarn.keytab", PolicyMatch::kKey, "old name of spark.kerberos.keytab"},
    RefusedConf{"spark.yarn.principal", PolicyMatch::kKey, "old name of spark.kerberos.principal"},
    RefusedConf{"spark.kubernetes.driver.pod.featureSteps", PolicyMatch::kKey,
                "classes spark-submit loads and runs while it builds the driver pod, inside the operator's "
                "process and with its credentials"},
    RefusedConf{"spark.jars.ivySettings", PolicyMatch::kKey,
                "an Ivy settings file that spark-submit reads on the operator's machine"},
    RefusedConf{"spark.jars.ivy", PolicyMatch::kKey,
                "a directory on the operator's machine that spark-submit reads and writes"},
    RefusedConf{"spark.jars", PolicyMatch::kLocalUris,
                "local entries are files on the operator's machine; use local:// (in the image) or a remote URI"},
    RefusedConf{"spark.files", PolicyMatch::kLocalUris,
                "local entries are files on the operator's machine; use local:// (in the image) or a remote URI"},
    RefusedConf{"spark.archives", PolicyMatch::kLocalUris,
                "local entries are files on the operator's machine; use local:// (in the image) or a remote URI"},
    RefusedConf{"spark.submit.pyFiles", PolicyMatch::kLocalUris,
                "local entries are files on the operator's machine; use local:// (in the image) or a remote URI"},
};

constexpr std::string_view kLocalDependencyWhy =
    "is a file on the operator's machine, where spark-submit runs; use local:// for a file in the image or a "
    "remote URI (https://, s3a://, ...)";

std::string_view SchemeOf(std::string_view uri) {
  const size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  for (size_t i = 0; i < colon; ++i) {
    const char c = uri[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!alpha && !(i > 0 && other)) return "";
  }
  return uri.substr(0, colon);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::vector<std::string_view> SplitList(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

void CheckDependency(const std::string& field, const std::string& uri, std::vector<std::string>& problems) {
  if (!uri.empty() && IsSubmitterLocalUri(uri)) {
    problems.push_back(field + ": " + Quoted(uri) + " " + std::string(kLocalDependencyWhy));
  }
}

void CheckConf(const std::string& key, const std::string& value, std::vector<std::string>& problems) {
  const std::string field = "spec.sparkConf[" + key + "]";
  for (const RefusedConf& rule : kRefused) {
    switch (rule.match) {
      case PolicyMatch::kKey:
        if (key == rule.key) problems.push_back(field + ": refused: " + std::string(rule.why));
        break;
      case PolicyMatch::kPrefix:
        if (key.starts_with(rule.key)) problems.push_back(field + ": refused: " + std::string(rule.why));
        break;
      case PolicyMatch::kLocalFile:
      case PolicyMatch::kPodTemplateFile:
        if (key == rule.key && (IsSubmitterLocalUri(value) || EqualsIgnoreCase(SchemeOf(value), "local"))) {
          problems.push_back(field + ": " + Quoted(value) + " refused: " + std::string(rule.why));
        }
        break;
      case PolicyMatch::kLocalUris:
        if (key != rule.key) break;
        for (std::string_view uri : SplitList(value)) {
          if (IsSubmitterLocalUri(uri)) {
            problems.push_back(field + ": " + Quoted(uri) + " refused: " + std::string(rule.why));
          }
        }
        break;
    }
  }
}

// A remote executor template beside spec.executor fields that make the controller write one: the controller's
// would replace the user's. Only the remote case: a local one is refused by CheckConf already.
void CheckExecutorTemplateFile(const SparkApplicationSpec& spec, std::vector<std::string>& problems) {
  constexpr std::string_view kKey = "spark.kubernetes.executor.podTemplateFile";
  const auto conf = spec.spark_conf.find(std::string(kKey));
  if (conf == spec.spark_conf.end() || IsSubmitterLocalUri(conf->second) ||
      EqualsIgnoreCase(SchemeOf(conf->second), "local")) {
    return;
  }
  const std::vector<std::string> fields = PodTemplateFields(spec, spec.executor, "spec.executor");
  if (fields.empty()) return;
  std::string names;
  for (const std::string& f : fields) names += (names.empty() ? "" : ", ") + f;
  problems.push_back("spec.sparkConf[" + std::string(kKey) + "]: " + Quoted(conf->second) + " cannot be used with " +
                     names +
                     ": the controller gives executors a pod template of its own for those fields, which would "
                     "replace this file; put the file's content in spec.executor.podTemplate instead");
}

}  // namespace

std::span<const RefusedConf> RefusedSparkConfs() { return kRefused; }

bool IsSubmitterLocalUri(std::string_view uri) {
  const std::string_view scheme = SchemeOf(uri);
  return scheme.empty() || EqualsIgnoreCase(scheme, "file");
}

std::vector<std::string> SubmissionPolicyProblems(const SparkApplicationSpec& spec) {
  std::vector<std::string> problems;
  CheckDependency("spec.mainApplicationFile", spec.main_application_file, problems);
  const auto list = [&](const char* field, const std::vector<std::string>& uris) {
    for (size_t i = 0; i < uris.size(); ++i) {
      CheckDependency(std::string(field) + "[" + std::to_string(i) + "]", uris[i], problems);
    }
  };
  list("spec.deps.jars", spec.deps.jars);
  list("spec.deps.files", spec.deps.files);
  list("spec.deps.pyFiles", spec.deps.py_files);
  for (const auto& [key, value] : spec.spark_conf) CheckConf(key, value, problems);
  CheckExecutorTemplateFile(spec, problems);
  return problems;
}

std::string SubmissionPolicyMarkdown() {
  std::string out =
      "<!-- Generated from api/submission_policy.cc by `make crd`; do not edit. -->\n"
      "# What a SparkApplication may not ask of spark-submit\n\n"
      "The controller runs spark-submit with the operator's credentials, on the operator's file system. A\n"
      "SparkApplication is therefore refused, with a message naming the field and key, when it would make\n"
      "spark-submit read one of the operator's files (and copy it where the user can read it) or change how\n"
      "and where spark-submit authenticates.\n\n"
      "## Main file and dependencies\n\n"
      "`spec.mainApplicationFile`, `spec.deps.jars`, `spec.deps.files` and `spec.deps.pyFiles` must not be a\n"
      "path without a scheme or a `file:` URI, which " +
      std::string(kLocalDependencyWhy) + ".\n\n## sparkConf\n\n| Key | Refused | Why |\n|---|---|---|\n";
  for (const RefusedConf& rule : kRefused) {
    const char* when = rule.match == PolicyMatch::kKey         ? "always"
                       : rule.match == PolicyMatch::kPrefix    ? "every key under it"
                       : rule.match == PolicyMatch::kLocalFile ? "a local path (no scheme, `file:`, `local:`)"
                       : rule.match == PolicyMatch::kPodTemplateFile
                           ? "a local path (no scheme, `file:`, `local:`); any path beside `spec.executor` fields "
                             "that go into the pod template"
                           : "an entry without a scheme or with `file:`";
    out += "| `" + std::string(rule.key) + (rule.match == PolicyMatch::kPrefix ? "*" : "") + "` | " + when + " | " +
           std::string(rule.why) + " |\n";
  }
  out +=
      "\nNot refused, because only the driver and executor pods read them, from their own image and with the\n"
      "application's service account: `spark.kubernetes.authenticate.driver.mounted.*`,\n"
      "`spark.kubernetes.authenticate.driver.oauthToken`, `spark.kubernetes.driver.secrets.*`,\n"
      "`spark.kubernetes.driver.master`, `spark.kubernetes.hadoop.configMapName`,\n"
      "`spark.kubernetes.kerberos.krb5.configMapName`, `spark.kubernetes.kerberos.tokenSecret.*` and `spark.ssl.*`.\n"
      "`spec.hadoopConf` is not checked.\n";
  return out;
}

}  // namespace spark_operator::api
