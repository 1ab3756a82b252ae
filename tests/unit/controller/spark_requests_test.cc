// What Spark's containers request when the user's sparkConf has a say: the settings that reach the pods count,
// those the spec sets anyway do not. The driver's numbers are checked against the native builder, which the
// parity test holds to the real spark-submit.
#include "controller/spark_requests.h"

#include <catch2/catch.hpp>
#include <string>

#include "api/quantity.h"
#include "api/spark_application.h"
#include "common/base/json.h"
#include "controller/admission.h"
#include "controller/native/driver_builder.h"
#include "controller/submit/submission.h"

namespace spark_operator::controller {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

api::SparkApplication App(api::StringMap spark_conf = {}) {
  api::SparkApplication app;
  app.metadata.name = "etl";
  app.metadata.namespace_ = "team";
  app.metadata.uid = "0a1b2c3d-0000-4000-8000-000000000001";
  app.spec.type = api::AppType::kScala;
  app.spec.image = "spark:4.2.0";
  app.spec.main_class = "org.example.Etl";
  app.spec.main_application_file = "local:///opt/etl.jar";
  app.spec.driver.cores = 0.5;
  app.spec.driver.memory = "2g";
  app.spec.executor.cores = 2;
  app.spec.executor.memory = "8g";
  app.spec.executor.instances = 3;
  app.spec.spark_conf = std::move(spark_conf);
  api::ApplyDefaults(app);
  return app;
}

TEST_CASE("sparkConf settings that reach the pods change what an application requests") {
  const SparkRequests plain = ComputeSparkRequests(App());
  CHECK(plain.driver.cpu_millis == 500);
  CHECK(plain.driver.memory_mib == 2048 + 384);
  CHECK(plain.executor.cpu_millis == 2000);
  CHECK(plain.executor.memory_mib == 8192 + 819);
  CHECK(plain.executors == 3);

  SparkRequests r = ComputeSparkRequests(App(
      {{"spark.driver.memoryOverhead", "1g"}, {"spark.executor.memoryOverhead", "2048"}}));  // A bare number is MiB.
  CHECK(r.driver.memory_mib == 2048 + 1024);
  CHECK(r.executor.memory_mib == 8192 + 2048);

  // The Kubernetes factor is every role's default; a role's own factor wins over it.
  r = ComputeSparkRequests(
      App({{"spark.kubernetes.memoryOverheadFactor", "0.25"}, {"spark.driver.memoryOverheadFactor", "0.5"}}));
  CHECK(r.driver.memory_mib == 2048 + 1024);
  CHECK(r.executor.memory_mib == 8192 + 2048);
  r = ComputeSparkRequests(App({{"spark.executor.memoryOverheadFactor", "0.3"}}));
  CHECK(r.driver.memory_mib == 2048 + 384);
  CHECK(r.executor.memory_mib == 8192 + 2457);

  r = ComputeSparkRequests(App({{"spark.driver.minMemoryOverhead", "1g"}, {"spark.executor.minMemoryOverhead", "1g"}}));
  CHECK(r.driver.memory_mib == 2048 + 1024);
  CHECK(r.executor.memory_mib == 8192 + 1024);

  // Off-heap memory goes on the executors' request (a bare size is bytes); only when it is enabled.
  r = ComputeSparkRequests(
      App({{"spark.memory.offHeap.enabled", "true"}, {"spark.memory.offHeap.size", "1073741824"}}));
  CHECK(r.executor.memory_mib == 8192 + 819 + 1024);
  CHECK(r.driver.memory_mib == 2048 + 384);
  CHECK(ComputeSparkRequests(App({{"spark.memory.offHeap.size", "1g"}})).executor.memory_mib == 8192 + 819);

  // PySpark's worker memory, for Python applications only.
  api::SparkApplication python = App({{"spark.executor.pyspark.memory", "512m"}});
  CHECK(ComputeSparkRequests(python).executor.memory_mib == 8192 + 819);
  python.spec.type = api::AppType::kPython;
  python.spec.main_application_file = "local:///opt/etl.py";
  CHECK(ComputeSparkRequests(python).executor.memory_mib == 8192 + 3276 + 512);

  // Dynamic allocation switched on in sparkConf: Spark starts the most of min, initial and instances.
  r = ComputeSparkRequests(
      App({{"spark.dynamicAllocation.enabled", "true"}, {"spark.dynamicAllocation.minExecutors", "5"}}));
  CHECK(r.executors == 5);
  r = ComputeSparkRequests(App({{"spark.dynamicAllocation.enabled", "TRUE"}}));
  CHECK(r.executors == 3);
}

TEST_CASE("sparkConf settings the spec sets anyway do not count: the spec's flags and later confs win") {
  const SparkRequests plain = ComputeSparkRequests(App());
  const SparkRequests r = ComputeSparkRequests(App({{"spark.driver.memory", "16g"},
                                                    {"spark.executor.memory", "16g"},
                                                    {"spark.driver.cores", "4"},
                                                    {"spark.executor.cores", "8"},
                                                    {"spark.kubernetes.driver.request.cores", "3"},
                                                    {"spark.kubernetes.executor.request.cores", "4"},
                                                    {"spark.kubernetes.driver.limit.cores", "8"},
                                                    {"spark.kubernetes.executor.limit.cores", "8"},
                                                    {"spark.executor.instances", "10"}}));
  CHECK(r.driver.cpu_millis == plain.driver.cpu_millis);
  CHECK(r.driver.memory_mib == plain.driver.memory_mib);
  CHECK(r.executor.cpu_millis == plain.executor.cpu_millis);
  CHECK(r.executor.memory_mib == plain.executor.memory_mib);
  CHECK(r.executors == plain.executors);

  // The spec's overhead and factor are given after sparkConf.
  api::SparkApplication app =
      App({{"spark.executor.memoryOverhead", "4g"}, {"spark.driver.memoryOverheadFactor", "1"}});
  app.spec.executor.memory_overhead = "1g";
  app.spec.memory_overhead_factor = "0.5";
  const SparkRequests spec_wins = ComputeSparkRequests(app);
  CHECK(spec_wins.driver.memory_mib == 2048 + 1024);
  CHECK(spec_wins.executor.memory_mib == 8192 + 1024);

  // The spec's coreRequest is the CPU request whatever sparkConf says.
  app = App({{"spark.kubernetes.executor.request.cores", "4"}});
  app.spec.executor.core_request = "1500m";
  CHECK(ComputeSparkRequests(app).executor.cpu_millis == 1500);
}

// The driver container the native builder makes from the same command line: what the driver pod requests.
void CheckDriverMatchesNativeBuilder(const api::SparkApplication& app) {
  SubmissionContext context;
  context.spark_submit = "spark-submit";
  context.master = "k8s://https://kubernetes.default.svc";
  const Result<std::vector<std::string>> argv = BuildSubmitArgs(app, context);
  REQUIRE(argv.ok());
  const Result<native::SubmitArguments> args = native::ParseSubmitArgs(*argv);
  REQUIRE(args.ok());
  const Result<native::DriverObjects> objects =
      native::BuildDriverObjects(*args, nullptr, nullptr, native::IdentityFor(app.metadata.uid, 1, 0));
  REQUIRE(objects.ok());
  const rapidjson::Value& requests = objects->pod["spec"]["containers"][0]["resources"]["requests"];
  const SparkRequests r = ComputeSparkRequests(app);
  CHECK(GetString(requests, {"memory"}) == std::to_string(r.driver.memory_mib) + "Mi");
  const Result<int64_t> cpu = api::ParseCpuMillis(GetString(requests, {"cpu"}));
  REQUIRE(cpu.ok());
  CHECK(*cpu == r.driver.cpu_millis);
}

TEST_CASE("the driver's request is what the native builder (Spark's BasicDriverFeatureStep) gives the driver pod") {
  CheckDriverMatchesNativeBuilder(App());
  CheckDriverMatchesNativeBuilder(App({{"spark.driver.memoryOverhead", "700m"}}));
  CheckDriverMatchesNativeBuilder(App({{"spark.kubernetes.memoryOverheadFactor", "0.3"}}));
  CheckDriverMatchesNativeBuilder(App({{"spark.driver.memoryOverheadFactor", "0.45"}, {"spark.driver.memory", "9g"}}));
  CheckDriverMatchesNativeBuilder(App({{"spark.driver.minMemoryOverhead", "2g"}}));
  api::SparkApplication python = App();
  python.spec.type = api::AppType::kPython;
  python.spec.main_application_file = "local:///opt/etl.py";
  python.spec.main_class.clear();
  CheckDriverMatchesNativeBuilder(python);
}

TEST_CASE("admission counts sparkConf's overhead: an app that fits by its spec alone may not") {
  api::SparkApplication app = App({{"spark.executor.memoryOverhead", "4g"}});
  const PodResources need = ApplicationRequest(app);
  CHECK(need.memory_bytes == (2048 + 384 + 3 * (8192 + 4096)) * kMiB);
  TenantBudget budget;
  budget.memory_bytes = ApplicationRequest(App()).memory_bytes;
  Admission admission([&](const std::string&) { return budget; },
                      [](const std::string&) { return std::vector<kube::ObjectPtr>{}; });
  const AdmissionDecision decision = admission.Decide(app);
  CHECK(decision.verdict == AdmissionDecision::Verdict::kNeverFits);
  CHECK(decision.message ==
        "can never run in this tenant: memory 39296Mi is more than the tenant's whole quota, 29465Mi");
}

}  // namespace
}  // namespace spark_operator::controller
