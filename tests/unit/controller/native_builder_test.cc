// The native submitter's pieces, without a cluster: the command line read as SparkSubmit reads it, the
// settings it refuses to build, Spark's sizes and Java's properties format. Parity with the real spark-submit is
// tests/integration/controller/native_parity_test.cc.
#include <catch2/catch.hpp>

#include "common/base/json.h"
#include "controller/native/driver_builder.h"
#include "controller/native/native_submit.h"
#include "controller/native/properties.h"
#include "controller/native/settings.h"
#include "controller/native/submit_args.h"

namespace spark_operator::controller::native {
namespace {

std::vector<std::string> Argv(std::vector<std::string> extra, const std::string& primary = "local:///app.jar") {
  std::vector<std::string> argv = {"spark-submit",
                                   "--master",
                                   "k8s://https://h:6443",
                                   "--deploy-mode",
                                   "cluster",
                                   "--name",
                                   "app",
                                   "--class",
                                   "Main",
                                   "--conf",
                                   "spark.kubernetes.container.image=img"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(primary);
  argv.push_back("arg1");
  return argv;
}

TEST_CASE("the command line is read as SparkSubmit reads it: flags win, the last --conf wins") {
  const Result<SubmitArguments> args =
      ParseSubmitArgs(Argv({"--conf", "spark.driver.memory=4g", "--driver-memory", "2g", "--conf", "spark.x=1",
                            "--conf", "spark.x=2", "--jars", "local:///a.jar"}));
  REQUIRE(args.ok());
  CHECK(ConfValue(args->conf, "spark.driver.memory") == "2g");
  CHECK(ConfValue(args->conf, "spark.x") == "2");
  CHECK(ConfValue(args->conf, "spark.app.name") == "app");
  // A JVM app's primary resource joins spark.jars after the user's.
  CHECK(ConfValue(args->conf, "spark.jars") == "local:///a.jar,local:///app.jar");
  CHECK(ConfValue(args->conf, "spark.submit.pyFiles", "unset") == "");
  CHECK(args->main_class == "Main");
  CHECK(args->app_args == std::vector<std::string>{"arg1"});
}

TEST_CASE("a Python app runs PythonRunner and its file is not a jar") {
  const Result<SubmitArguments> args = ParseSubmitArgs(Argv({}, "local:///job.py"));
  REQUIRE(args.ok());
  CHECK(args->python);
  CHECK(args->main_class == "org.apache.spark.deploy.PythonRunner");
  CHECK(args->conf.count("spark.jars") == 0);
}

TEST_CASE("an option the native submitter does not read, or client mode, is refused") {
  CHECK_FALSE(ParseSubmitArgs(Argv({"--packages", "a:b:1"})).ok());
  std::vector<std::string> client = Argv({});
  client[4] = "client";
  CHECK_FALSE(ParseSubmitArgs(client).ok());
}

TEST_CASE("a setting that changes the driver and is not built natively is named") {
  const auto unsupported = [](std::vector<std::string> extra, const std::string& primary = "local:///app.jar") {
    const Result<SubmitArguments> args = ParseSubmitArgs(Argv(std::move(extra), primary));
    REQUIRE(args.ok());
    return UnsupportedSetting(*args);
  };
  CHECK(unsupported({}).empty());
  CHECK(unsupported({"--conf", "spark.sql.shuffle.partitions=7"}).empty());
  CHECK(unsupported({"--conf", "spark.kubernetes.executor.label.a=b"}).empty());
  CHECK(unsupported({"--conf", "spark.kubernetes.driver.volumes.hostPath.x.mount.path=/x"}) ==
        "spark.kubernetes.driver.volumes.hostPath.x.mount.path");
  CHECK(unsupported({"--conf", "spark.kubernetes.driver.podTemplateContainerName=spark-kubernetes-driver"}) ==
        "a driver pod template with containers (sidecars, or fields of the Spark container)");
  CHECK(unsupported({"--conf", "spark.local.dir=/scratch"}) == "spark.local.dir");
  CHECK(unsupported({"--conf", "spark.driver.resource.gpu.amount=1"}) == "spark.driver.resource.gpu.amount");
  CHECK(unsupported({}, "/home/me/app.jar").find("local primary resource") != std::string::npos);
  CHECK(unsupported({"--jars", "file:///tmp/a.jar"}).find("spark.jars") != std::string::npos);
}

TEST_CASE("sizes are read as Spark reads them, in MiB, truncating") {
  CHECK(*SparkSizeMiB("2g") == 2048);
  CHECK(*SparkSizeMiB("512m") == 512);
  CHECK(*SparkSizeMiB("512MB") == 512);
  CHECK(*SparkSizeMiB("1024") == 1024);
  CHECK(*SparkSizeMiB("1500k") == 1);
  CHECK(*SparkSizeMiB("1t") == 1024 * 1024);
  CHECK_FALSE(SparkSizeMiB("1.5g").ok());
  CHECK_FALSE(SparkSizeMiB("2x").ok());
  CHECK_FALSE(SparkSizeMiB("").ok());
}

TEST_CASE("properties are escaped as java.util.Properties.store writes them") {
  const std::string text = ToJavaProperties({{"a key", " lead:x=y#z!w\\v\tt\nn"}, {"plain", "ü"}}, "c", "d");
  CHECK(text == "#c\n#d\na\\ key=\\ lead\\:x\\=y\\#z\\!w\\\\v\\tt\\nn\nplain=ü\n");
  CHECK(JavaDateUtc(1796186320693) == "Wed Dec 02 04:38:40 UTC 2026");
}

TEST_CASE("one attempt always gets the same names, another attempt other ones") {
  const DriverIdentity a = IdentityFor("uid-1", 1, 0);
  const DriverIdentity again = IdentityFor("uid-1", 1, 99);
  const DriverIdentity next = IdentityFor("uid-1", 2, 0);
  CHECK(a.app_id == again.app_id);
  CHECK(a.conf_map_unique_id == again.conf_map_unique_id);
  CHECK(a.app_id != next.app_id);
  CHECK(a.app_id.size() == 6 + 32);
  CHECK(a.resource_unique_id.size() == 16);
  CHECK(a.local_dir_uuid.size() == 36);
}

TEST_CASE("the driver's memory is heap plus Spark's overhead, and a reserved label is refused") {
  Result<SubmitArguments> args = ParseSubmitArgs(Argv({"--driver-memory", "2g"}));
  REQUIRE(args.ok());
  Result<DriverObjects> objects = BuildDriverObjects(*args, nullptr, nullptr, IdentityFor("u", 1, 0));
  REQUIRE(objects.ok());
  const rapidjson::Value& container = objects->pod["spec"]["containers"][0];
  CHECK(GetString(container, {"resources", "limits", "memory"}) == "2432Mi");  // 2048 + max(204, 384).
  CHECK(GetString(objects->pod, {"spec", "restartPolicy"}) == "Never");

  args = ParseSubmitArgs(Argv({"--conf", "spark.kubernetes.driver.label.spark-role=x"}));
  REQUIRE(args.ok());
  CHECK_FALSE(BuildDriverObjects(*args, nullptr, nullptr, IdentityFor("u", 1, 0)).ok());
}

TEST_CASE("an executor pod template the controller wrote goes to the driver in a ConfigMap of its own") {
  const std::string text = R"({"spec":{"tolerations":[{"key":"dedicated","operator":"Exists"}]}})";
  const std::vector<std::string> argv = Argv({"--conf", "spark.kubernetes.executor.podTemplateFile=/run/e.json"});
  Result<NativePlan> plan = PlanNativeSubmission(argv, {{"/run/e.json", text}}, IdentityFor("u", 1, 0));
  REQUIRE(plan.ok());
  REQUIRE(plan->unsupported.empty());
  REQUIRE(plan->objects.executor_template_map);
  const rapidjson::Value& map = *plan->objects.executor_template_map;
  const std::string name = NameOf(map);
  CHECK(name.size() > std::string("-driver-podspec-conf-map").size());
  CHECK(name.ends_with("-driver-podspec-conf-map"));
  CHECK(GetString(map, {"data", "podspec-configmap-key"}) == text);  // As written: spark-submit copies the file.
  CHECK(GetBool(map, {"immutable"}));
  const rapidjson::Value& pod = plan->objects.pod;
  CHECK(ToJson(pod["spec"]["volumes"])
            .find(R"({"name":"pod-template-volume","configMap":{"name":")" + name +
                  R"(","items":[{"key":"podspec-configmap-key","path":"pod-spec-template.yml"}]}})") !=
        std::string::npos);
  CHECK(ToJson(pod["spec"]["containers"][0]["volumeMounts"])
            .find(R"({"name":"pod-template-volume","mountPath":"/opt/spark/pod-template"})") != std::string::npos);
  const std::string properties = GetString(plan->objects.config_map, {"data", "spark.properties"});
  CHECK(properties.find("spark.kubernetes.executor.podTemplateFile=/opt/spark/pod-template/pod-spec-template.yml") !=
        std::string::npos);

  // A template the controller did not write (the user's remote file) is spark-submit's to download.
  plan = PlanNativeSubmission(argv, {}, IdentityFor("u", 1, 0));
  REQUIRE(plan.ok());
  CHECK(plan->unsupported == "spark.kubernetes.executor.podTemplateFile (a file the controller did not write)");
  // Over what a ConfigMap of Spark's may hold: refused, as spark-submit refuses it.
  CHECK_FALSE(PlanNativeSubmission(argv, {{"/run/e.json", std::string(1048577, ' ')}}, IdentityFor("u", 1, 0)).ok());
}

}  // namespace
}  // namespace spark_operator::controller::native
