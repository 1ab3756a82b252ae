// spec -> spark-submit argv, field by field, as Spark's "Running on Kubernetes" documents the options.
#include "controller/submit/submission.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "api/spark_application.h"
#include "common/base/yaml.h"
#include "controller/labels.h"
#include "tests/support/full_app.h"
#include "tests/support/spark_app.h"
#include "tests/support/submit_args.h"

namespace spark_operator::controller {
namespace {

using testing::Conf;
using testing::FlagValue;

// The api tests' full application, with lists of two (they keep their order) and a sparkConf that tries to move
// the namespace.
api::SparkApplication Full() {
  api::SparkApplication app = testing::LoadApp(testing::kFullApplication);
  app.spec.deps.jars.push_back("local:///opt/jars/b.jar");
  app.spec.image_pull_secrets.push_back("other-key");
  app.spec.spark_conf["spark.kubernetes.namespace"] = "sneaky";
  return app;
}

SubmissionContext Context() { return {"/opt/spark/bin/spark-submit", "k8s://https://10.0.0.1:6443", 2, {}}; }

std::vector<std::string> Argv(const api::SparkApplication& app, const SubmissionContext& context = Context()) {
  return testing::SubmitArgv(app, context);
}

TEST_CASE("argv starts with spark-submit, master, cluster mode and the app's name") {
  const auto argv = Argv(Full());
  REQUIRE(argv.size() > 8);
  CHECK(argv[0] == "/opt/spark/bin/spark-submit");
  CHECK(FlagValue(argv, "--master") == "k8s://https://10.0.0.1:6443");
  CHECK(FlagValue(argv, "--deploy-mode") == "cluster");
  CHECK(FlagValue(argv, "--name") == "full");
  CHECK(FlagValue(argv, "--class") == "org.example.Main");
  CHECK(Conf(argv, "spark.kubernetes.submission.waitAppCompletion") == "false");
}

TEST_CASE("the main file comes after every option, followed by the arguments in order") {
  const auto argv = Argv(Full());
  const std::vector<std::string> tail(argv.end() - 4, argv.end());
  CHECK(tail == std::vector<std::string>{"local:///opt/app/main.py", "--input", "s3a://bucket/in", "42"});
}

TEST_CASE("deps become --jars, --files and --py-files, comma-separated") {
  const auto argv = Argv(Full());
  CHECK(FlagValue(argv, "--jars") == "local:///opt/jars/a.jar,local:///opt/jars/b.jar");
  CHECK(FlagValue(argv, "--files") == "local:///opt/files/f.txt");
  CHECK(FlagValue(argv, "--py-files") == "local:///opt/py/lib.zip");
}

TEST_CASE("memory, cores, core limits and overheads map to Spark's options") {
  const auto argv = Argv(Full());
  CHECK(FlagValue(argv, "--driver-memory") == "2g");
  CHECK(FlagValue(argv, "--executor-memory") == "4g");
  CHECK(Conf(argv, "spark.driver.cores") == "1");  // ceil(0.5): Spark wants an integer.
  CHECK(Conf(argv, "spark.kubernetes.driver.request.cores") == "500m");
  CHECK(Conf(argv, "spark.executor.cores") == "2");
  CHECK(Conf(argv, "spark.kubernetes.executor.request.cores") == "2");
  CHECK(Conf(argv, "spark.kubernetes.driver.limit.cores") == "1200m");
  CHECK(Conf(argv, "spark.kubernetes.executor.limit.cores") == "2");
  CHECK(Conf(argv, "spark.driver.memoryOverhead") == "512m");
  CHECK(Conf(argv, "spark.executor.memoryOverhead") == "976563k");  // 1G is 10^9 bytes.
  CHECK(Conf(argv, "spark.executor.instances") == "4");
}

TEST_CASE("namespace, deterministic driver pod name, images, pull policy and secrets") {
  const auto argv = Argv(Full());
  CHECK(Conf(argv, "spark.kubernetes.namespace") == "jobs");  // The user's sparkConf cannot move it.
  CHECK(Conf(argv, "spark.kubernetes.driver.pod.name") == "full-2-driver");
  CHECK(Conf(argv, "spark.kubernetes.container.image") == "example/spark:1");
  CHECK(Conf(argv, "spark.kubernetes.driver.container.image") == "example/driver:1");
  CHECK(Conf(argv, "spark.kubernetes.executor.container.image") == "example/executor:1");
  CHECK(Conf(argv, "spark.kubernetes.container.image.pullPolicy") == "Always");
  CHECK(Conf(argv, "spark.kubernetes.container.image.pullSecrets") == "registry-key,other-key");
  CHECK(Conf(argv, "spark.kubernetes.authenticate.driver.serviceAccountName") == "spark");
}

TEST_CASE("labels: the app's, the pod's, and the operator's own on both pods") {
  const auto argv = Argv(Full());
  for (const std::string role : {"driver", "executor"}) {
    const std::string p = "spark.kubernetes." + role + ".label.";
    CHECK(Conf(argv, p + "team") == "data");
    CHECK(Conf(argv, p + "role") == role);
    CHECK(Conf(argv, p + kAppNameLabel) == "full");
    CHECK(Conf(argv, p + kAttemptLabel) == "2");
    CHECK(Conf(argv, p + kLaunchedByLabel) == "true");
    CHECK(Conf(argv, p + kAppUidLabel) == "0f7c7c2e-1111-2222-3333-444455556666");
  }
}

TEST_CASE("the controller's driver pod template is given to spark-submit and wins over the user's") {
  api::SparkApplication app = Full();
  CHECK(Conf(Argv(app), "spark.kubernetes.driver.podTemplateFile") == "<missing>");
  app.spec.spark_conf["spark.kubernetes.driver.podTemplateFile"] = "/home/user/template.yaml";
  SubmissionContext context = Context();
  context.driver_pod_template = "/tmp/spark-operator-auth-1/uid-2-driver-template.json";
  CHECK(Conf(Argv(app, context), "spark.kubernetes.driver.podTemplateFile") == context.driver_pod_template);
}

TEST_CASE("annotations: the pod's plus the initializer's for config maps and GCP service accounts") {
  const auto argv = Argv(Full());
  const std::string d = "spark.kubernetes.driver.annotation.";
  const std::string e = "spark.kubernetes.executor.annotation.";
  CHECK(Conf(argv, d + "example.com/owner") == "me");
  CHECK(Conf(argv, e + "a") == "b");
  CHECK(Conf(argv, d + "spark-operator.k8s.io/sparkConfigMap") == "spark-defaults");
  CHECK(Conf(argv, e + "spark-operator.k8s.io/sparkConfigMap") == "spark-defaults");
  CHECK(Conf(argv, d + "spark-operator.k8s.io/hadoopConfigMap") == "hadoop-site");
  CHECK(Conf(argv, e + "spark-operator.k8s.io/hadoopConfigMap") == "hadoop-site");
  CHECK(Conf(argv, d + "spark-operator.k8s.io/configMap.driver-conf") == "/etc/driver");
  CHECK(Conf(argv, e + "spark-operator.k8s.io/configMap.exec-conf") == "/etc/exec");
  CHECK(Conf(argv, d + "spark-operator.k8s.io/GCPServiceAccount.gcp-key") == "/etc/gcp");
  CHECK(Conf(argv, d + kAppNameAnnotation) == "full");
}

TEST_CASE("secrets, env, node selectors, hadoopConf and sparkConf") {
  const auto argv = Argv(Full());
  CHECK(Conf(argv, "spark.kubernetes.executor.secrets.creds") == "/etc/creds");
  CHECK(Conf(argv, "spark.kubernetes.driver.secrets.gcp-key") == "<missing>");  // Mounted by the webhook.
  CHECK(Conf(argv, "spark.kubernetes.driverEnv.MODE") == "test");
  CHECK(Conf(argv, "spark.executorEnv.LEVEL") == "3");
  CHECK(Conf(argv, "spark.kubernetes.node.selector.pool") == "spark");
  CHECK(Conf(argv, "spark.kubernetes.driver.node.selector.disk") == "ssd");
  CHECK(Conf(argv, "spark.kubernetes.executor.node.selector.zone") == "a");
  CHECK(Conf(argv, "spark.hadoop.fs.s3a.endpoint") == "http://minio:9000");
  CHECK(Conf(argv, "spark.eventLog.enabled") == "true");
}

TEST_CASE("submission auth confs are passed through") {
  SubmissionContext context = Context();
  context.auth_confs = {"spark.kubernetes.authenticate.submission.oauthTokenFile=/tmp/t"};
  const auto argv = Argv(Full(), context);
  CHECK(Conf(argv, "spark.kubernetes.authenticate.submission.oauthTokenFile") == "/tmp/t");
}

TEST_CASE("a minimal Scala app gets the defaults and no empty options") {
  const auto argv = Argv(testing::LoadApp(testing::PiYaml("", "{name: pi, namespace: default}")));
  CHECK(FlagValue(argv, "--driver-memory") == "1g");
  CHECK(Conf(argv, "spark.executor.instances") == "1");
  CHECK(Conf(argv, "spark.kubernetes.container.image.pullPolicy") == "IfNotPresent");
  CHECK(FlagValue(argv, "--jars") == "<missing>");
  CHECK(FlagValue(argv, "--py-files") == "<missing>");
  CHECK(argv.back() == "local:///opt/spark/examples/jars/spark-examples.jar");
  CHECK(std::none_of(argv.begin(), argv.end(), [](const std::string& a) { return a.empty(); }));
}

TEST_CASE("client mode is refused rather than running the driver in the operator") {
  api::SparkApplication app = Full();
  app.spec.mode = api::DeployMode::kClient;
  CHECK_FALSE(BuildSubmitArgs(app, Context()).ok());
}

TEST_CASE("the UI port comes from spark.ui.port") {
  api::SparkApplication app = Full();
  CHECK(SparkUiPort(app) == 4040);
  app.spec.spark_conf["spark.ui.port"] = "4999";
  CHECK(SparkUiPort(app) == 4999);
}

TEST_CASE("driver pod and service names are deterministic and fit in 63 characters") {
  CHECK(DriverPodName("pi", 1) == "pi-1-driver");
  CHECK(UiServiceName("pi") == "pi-ui-svc");
  const std::string long_a(100, 'a');
  const std::string long_b = std::string(99, 'a') + "b";
  CHECK(DriverPodName(long_a, 12).size() <= 63);
  CHECK(DriverPodName(long_a, 12) != DriverPodName(long_b, 12));
  CHECK(DriverPodName(long_a, 12) == DriverPodName(long_a, 12));
  CHECK(LabelValueFor(long_a).size() <= 63);
  CHECK(LabelValueFor("short") == "short");
}

TEST_CASE("the reason a spark-submit failed is picked out of its output") {
  CHECK(SubmitFailureReason("INFO x\nException in thread \"main\" org.apache.spark.SparkException: Please specify "
                            "spark.kubernetes.file.upload.path property.\n\tat org.apache.spark.X(X.scala:1)\n") ==
        "Exception in thread \"main\" org.apache.spark.SparkException: Please specify "
        "spark.kubernetes.file.upload.path property.");
  CHECK(SubmitFailureReason("25/01/01 ERROR Client: Please check \"kubectl auth can-i create pod\" first\n"
                            "\tat a.b.C(C.java:1)\n") ==
        "25/01/01 ERROR Client: Please check \"kubectl auth can-i create pod\" first");
  CHECK(SubmitFailureReason("all fine\n").empty());
}

}  // namespace
}  // namespace spark_operator::controller
