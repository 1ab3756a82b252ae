// What a SparkApplication may not ask of spark-submit, as a table: each refused spec with the message a user
// reads, and specs that look alike but are allowed.
#include "api/submission_policy.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "api/spark_application.h"
#include "fixtures.h"

namespace spark_operator::api {
namespace {

SparkApplication Valid() {
  SparkApplication app = testing::PiApp();
  ApplyDefaults(app);
  return app;
}

struct Case {
  const char* what;
  void (*change)(SparkApplicationSpec&);
  const char* message;  // Part of Validate()'s message; empty: the spec is allowed.
};

// A sparkConf change, as a lambda without captures.
#define CONF(key, value) [](SparkApplicationSpec& s) { s.spark_conf[key] = value; }

const Case kCases[] = {
    // Main file and dependencies: files on the operator's machine.
    {"plain-path main file", [](SparkApplicationSpec& s) { s.main_application_file = "/etc/passwd"; },
     "spec.mainApplicationFile: \"/etc/passwd\" is a file on the operator's machine"},
    {"file: main file", [](SparkApplicationSpec& s) { s.main_application_file = "file:///var/run/secrets/token"; },
     "spec.mainApplicationFile: \"file:///var/run/secrets/token\" is a file on the operator's machine"},
    {"relative main file", [](SparkApplicationSpec& s) { s.main_application_file = "app.jar"; },
     "spec.mainApplicationFile: \"app.jar\" is a file on the operator's machine"},
    {"FILE: in capitals", [](SparkApplicationSpec& s) { s.main_application_file = "FILE:/etc/shadow"; },
     "spec.mainApplicationFile: \"FILE:/etc/shadow\" is a file"},
    {"local jar dependency",
     [](SparkApplicationSpec& s) {
       s.deps.jars = {"local:///a.jar", "/home/op/.kube/config"};
     },
     "spec.deps.jars[1]: \"/home/op/.kube/config\" is a file on the operator's machine"},
    {"file: files dependency", [](SparkApplicationSpec& s) { s.deps.files = {"file:/etc/hosts"}; },
     "spec.deps.files[0]: \"file:/etc/hosts\" is a file"},
    {"plain pyFiles dependency",
     [](SparkApplicationSpec& s) {
       s.type = AppType::kPython;
       s.deps.py_files = {"/tmp/x.py"};
     },
     "spec.deps.pyFiles[0]: \"/tmp/x.py\" is a file"},
    {"spark.jars with a local entry", CONF("spark.jars", "s3a://b/a.jar, /etc/passwd"),
     "spec.sparkConf[spark.jars]: \"/etc/passwd\" refused: local entries are files on the operator's machine"},
    {"spark.files with file:", CONF("spark.files", "file:///etc/hosts"),
     "spec.sparkConf[spark.files]: \"file:///etc/hosts\""},
    {"spark.archives local", CONF("spark.archives", "/x.tgz#x"), "spec.sparkConf[spark.archives]: \"/x.tgz#x\""},
    {"spark.submit.pyFiles local", CONF("spark.submit.pyFiles", "a.py"),
     "spec.sparkConf[spark.submit.pyFiles]: \"a.py\""},
    // How spark-submit authenticates, and where.
    {"submission token file", CONF("spark.kubernetes.authenticate.submission.oauthTokenFile", "/var/run/secrets/t"),
     "spec.sparkConf[spark.kubernetes.authenticate.submission.oauthTokenFile]: refused: spark-submit's own "
     "credentials"},
    {"submission CA file", CONF("spark.kubernetes.authenticate.submission.caCertFile", "/ca.crt"),
     "spec.sparkConf[spark.kubernetes.authenticate.submission.caCertFile]: refused"},
    {"submission client key", CONF("spark.kubernetes.authenticate.submission.clientKeyFile", "/k"),
     "spec.sparkConf[spark.kubernetes.authenticate.submission.clientKeyFile]: refused"},
    {"submission token", CONF("spark.kubernetes.authenticate.submission.oauthToken", "abc"),
     "spec.sparkConf[spark.kubernetes.authenticate.submission.oauthToken]: refused"},
    {"submission token provider", CONF("spark.kubernetes.authenticate.submission.oauthTokenProvider", "x.Y"),
     "spec.sparkConf[spark.kubernetes.authenticate.submission.oauthTokenProvider]: refused"},
    {"driver CA file copied into a Secret", CONF("spark.kubernetes.authenticate.driver.caCertFile", "/ca.crt"),
     "spec.sparkConf[spark.kubernetes.authenticate.driver.caCertFile]: refused: spark-submit reads this file"},
    {"driver token file copied into a Secret", CONF("spark.kubernetes.authenticate.driver.oauthTokenFile", "/t"),
     "spec.sparkConf[spark.kubernetes.authenticate.driver.oauthTokenFile]: refused"},
    {"driver client key", CONF("spark.kubernetes.authenticate.driver.clientKeyFile", "/k"),
     "spec.sparkConf[spark.kubernetes.authenticate.driver.clientKeyFile]: refused"},
    {"driver client cert", CONF("spark.kubernetes.authenticate.driver.clientCertFile", "/c"),
     "spec.sparkConf[spark.kubernetes.authenticate.driver.clientCertFile]: refused"},
    {"kubeconfig context", CONF("spark.kubernetes.context", "admin"),
     "spec.sparkConf[spark.kubernetes.context]: refused: selects a kubeconfig context"},
    {"trust all certificates", CONF("spark.kubernetes.trust.certificates", "true"),
     "spec.sparkConf[spark.kubernetes.trust.certificates]: refused"},
    {"another master", CONF("spark.master", "k8s://https://evil:443"), "spec.sparkConf[spark.master]: refused"},
    {"client deploy mode", CONF("spark.submit.deployMode", "client"),
     "spec.sparkConf[spark.submit.deployMode]: refused"},
    {"another namespace", CONF("spark.kubernetes.namespace", "kube-system"),
     "spec.sparkConf[spark.kubernetes.namespace]: refused"},
    // Local files spark-submit copies where the user can read them.
    {"upload path", CONF("spark.kubernetes.file.upload.path", "s3a://bucket/up"),
     "spec.sparkConf[spark.kubernetes.file.upload.path]: refused: spark-submit uploads local dependencies"},
    {"driver template on the operator", CONF("spark.kubernetes.driver.podTemplateFile", "/etc/operator/t.yaml"),
     "spec.sparkConf[spark.kubernetes.driver.podTemplateFile]: refused"},
    {"remote driver template", CONF("spark.kubernetes.driver.podTemplateFile", "https://templates/t.yaml"),
     "spec.sparkConf[spark.kubernetes.driver.podTemplateFile]: refused"},
    {"executor template as file:", CONF("spark.kubernetes.executor.podTemplateFile", "file:///etc/t.yaml"),
     "spec.sparkConf[spark.kubernetes.executor.podTemplateFile]: \"file:///etc/t.yaml\" refused"},
    {"template as local:", CONF("spark.kubernetes.executor.podTemplateFile", "local:///etc/t.yaml"),
     "spec.sparkConf[spark.kubernetes.executor.podTemplateFile]: \"local:///etc/t.yaml\" refused"},
    {"remote executor template beside executor tolerations",
     [](SparkApplicationSpec& s) {
       s.spark_conf["spark.kubernetes.executor.podTemplateFile"] = "https://templates/t.yaml";
       s.executor.tolerations.push_back({R"({"key":"spot","operator":"Exists"})"});
     },
     "spec.sparkConf[spark.kubernetes.executor.podTemplateFile]: \"https://templates/t.yaml\" cannot be used with "
     "spec.executor.tolerations"},
    {"remote executor template beside an executor podTemplate",
     [](SparkApplicationSpec& s) {
       s.spark_conf["spark.kubernetes.executor.podTemplateFile"] = "s3a://b/t.yaml";
       s.executor.pod_template = {R"({"spec":{"priorityClassName":"x"}})"};
     },
     "cannot be used with spec.executor.podTemplate"},
    {"remote executor template beside a configMap volume the template mounts",
     [](SparkApplicationSpec& s) {
       s.spark_conf["spark.kubernetes.executor.podTemplateFile"] = "https://templates/t.yaml";
       s.volumes.push_back({R"({"name":"cfg","configMap":{"name":"cfg"}})"});
       s.executor.volume_mounts.push_back({R"({"name":"cfg","mountPath":"/cfg"})"});
     },
     "cannot be used with spec.executor.volumeMounts"},
    {"krb5 path", CONF("spark.kubernetes.kerberos.krb5.path", "/etc/krb5.conf"),
     "spec.sparkConf[spark.kubernetes.kerberos.krb5.path]: refused"},
    {"keytab", CONF("spark.kerberos.keytab", "/etc/op.keytab"), "spec.sparkConf[spark.kerberos.keytab]: refused"},
    {"principal", CONF("spark.kerberos.principal", "op@REALM"), "spec.sparkConf[spark.kerberos.principal]: refused"},
    {"old keytab name", CONF("spark.yarn.keytab", "/k"), "spec.sparkConf[spark.yarn.keytab]: refused"},
    {"feature steps", CONF("spark.kubernetes.driver.pod.featureSteps", "a.B"),
     "spec.sparkConf[spark.kubernetes.driver.pod.featureSteps]: refused"},
    {"ivy settings", CONF("spark.jars.ivySettings", "/etc/ivy.xml"), "spec.sparkConf[spark.jars.ivySettings]: refused"},
    {"ivy home", CONF("spark.jars.ivy", "/root"), "spec.sparkConf[spark.jars.ivy]: refused"},

    // Allowed: in the image, remote, or read only inside the application's pods.
    {"local: main file", [](SparkApplicationSpec& s) { s.main_application_file = "local:///opt/app.jar"; }, ""},
    {"https main file", [](SparkApplicationSpec& s) { s.main_application_file = "https://repo/app.jar"; }, ""},
    {"s3a jars",
     [](SparkApplicationSpec& s) {
       s.deps.jars = {"s3a://bucket/a.jar", "local:///b.jar"};
     },
     ""},
    {"remote spark.jars", CONF("spark.jars", "hdfs://nn/a.jar,local:///b.jar"), ""},
    {"remote executor template", CONF("spark.kubernetes.executor.podTemplateFile", "https://templates/t.yaml"), ""},
    {"remote executor template beside a volume Spark mounts itself and driver-only template fields",
     [](SparkApplicationSpec& s) {
       s.spark_conf["spark.kubernetes.executor.podTemplateFile"] = "https://templates/t.yaml";
       s.volumes.push_back({R"({"name":"scratch","emptyDir":{}})"});
       s.executor.volume_mounts.push_back({R"({"name":"scratch","mountPath":"/scratch"})"});
       s.driver.tolerations.push_back({R"({"key":"spot","operator":"Exists"})"});
       s.executor.labels["team"] = "a";
     },
     ""},
    {"mounted driver token in the pod", CONF("spark.kubernetes.authenticate.driver.mounted.oauthTokenFile", "/t"), ""},
    {"driver service account", CONF("spark.kubernetes.authenticate.executor.serviceAccountName", "spark"), ""},
    {"driver secrets", CONF("spark.kubernetes.driver.secrets.creds", "/etc/creds"), ""},
    {"hadoop ConfigMap", CONF("spark.kubernetes.hadoop.configMapName", "hadoop"), ""},
    {"krb5 ConfigMap", CONF("spark.kubernetes.kerberos.krb5.configMapName", "krb5"), ""},
    {"token Secret", CONF("spark.kubernetes.kerberos.tokenSecret.name", "tokens"), ""},
    {"driver keystore inside the pod", CONF("spark.ssl.keyStore", "/opt/spark/ks.jks"), ""},
    {"driver master", CONF("spark.kubernetes.driver.master", "https://kubernetes.default.svc"), ""},
    {"a key that only starts like a refused one", CONF("spark.mastery", "x"), ""},
};

TEST_CASE("settings that make spark-submit read the operator's files or change its credentials are refused") {
  int refused = 0, allowed = 0;
  for (const Case& c : kCases) {
    SparkApplication app = Valid();
    c.change(app.spec);
    const Status status = Validate(app);
    INFO(c.what << ": " << status.message());
    if (std::string(c.message).empty()) {
      CHECK(status.ok());
      ++allowed;
    } else {
      REQUIRE_FALSE(status.ok());
      CHECK(status.code() == StatusCode::kInvalidArgument);
      CHECK_THAT(status.message(), Catch::Contains(c.message));
      ++refused;
    }
  }
  CHECK(refused >= 30);
  CHECK(allowed >= 10);
}

TEST_CASE("every refused sparkConf key is documented with a reason") {
  const std::string doc = SubmissionPolicyMarkdown();
  for (const RefusedConf& rule : RefusedSparkConfs()) {
    INFO(rule.key);
    CHECK_FALSE(rule.why.empty());
    CHECK_THAT(doc, Catch::Contains("`" + std::string(rule.key)));
  }
}

TEST_CASE("docs/submission-policy.md holds the list generated from api/submission_policy.cc") {
  const bool up_to_date = testing::ReadSourceFile("docs/submission-policy.md") == SubmissionPolicyMarkdown();
  if (!up_to_date) FAIL("docs/submission-policy.md is out of date: run `make crd` to regenerate it");
}

TEST_CASE("a URI is the submitter's file when it has no scheme or the file: scheme") {
  CHECK(IsSubmitterLocalUri("/a"));
  CHECK(IsSubmitterLocalUri("a.jar"));
  CHECK(IsSubmitterLocalUri("file:/a"));
  CHECK_FALSE(IsSubmitterLocalUri("local:///a"));
  CHECK_FALSE(IsSubmitterLocalUri("s3a://b/a"));
  CHECK(IsSubmitterLocalUri(":/a"));
  CHECK(IsSubmitterLocalUri("1http://a"));
}

}  // namespace
}  // namespace spark_operator::api
