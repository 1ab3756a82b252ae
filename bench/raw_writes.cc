// The physical limit for bench/scale.sh: creates the objects the native submitter creates for N apps (driver pod,
// Service, NetworkPolicy, conf map, in that order, each app's in sequence) with one client at the controller's
// --kube-api-qps/--kube-api-burst and as many apps in flight as its --native-submission-concurrency, and nothing
// else: no SparkApplication, no status writes, no informers. The objects come from the same builder
// (controller/native) and the same spark-submit command line the controller builds for the example app; only
// the driver pod template is left out, since it names the SparkApplication as owner and there is none.
//
// Prints "key value" lines: seconds for all N, apps/min, failures.
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/spark_application.h"
#include "bench/cluster_bench.h"
#include "common/base/json.h"
#include "common/base/yaml.h"
#include "common/kube/client.h"
#include "common/kube/config.h"
#include "common/kube/errors.h"
#include "controller/native/native_submit.h"
#include "controller/submit/submission.h"
#include "controller/submit/submit_auth.h"

DEFINE_string(kubeconfig, "", "Kubeconfig of the cluster.");
DEFINE_string(ns, "", "Namespace (must exist).");
DEFINE_int32(apps, 1000, "Apps whose objects are created.");
DEFINE_string(app_file, "deploy/examples/spark-application-example.yaml", "The app every one is a copy of.");
DEFINE_double(kube_api_qps, 50, "As the controller's flag.");
DEFINE_int32(kube_api_burst, 100, "As the controller's flag.");
DEFINE_int32(concurrency, 16, "Apps in flight, as the controller's --native-submission-concurrency.");

namespace spark_operator::bench {
namespace {

using controller::native::DriverObjects;

Result<DriverObjects> ObjectsFor(const rapidjson::Document& app_template, int i, const controller::SubmitAuth& auth,
                                 std::vector<std::string>* argv_out) {
  rapidjson::Document object = CopyJson(app_template);
  SetString(object, {"metadata", "name"}, "raw-" + std::to_string(i));
  SetString(object, {"metadata", "namespace"}, FLAGS_ns);
  const std::string uid = "00000000-0000-4000-8000-" + std::to_string(100000000000 + i);
  SetString(object, {"metadata", "uid"}, uid);
  ASSIGN_OR_RETURN(api::SparkApplication app, api::ParseSparkApplication(object));
  api::ApplyDefaults(app);
  const controller::SubmissionContext context{
      .spark_submit = "spark-submit", .master = auth.master, .attempt = 1, .auth_confs = auth.confs};
  ASSIGN_OR_RETURN(std::vector<std::string> argv, controller::BuildSubmitArgs(app, context));
  const int64_t now_millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  ASSIGN_OR_RETURN(
      controller::native::NativePlan plan,
      controller::native::PlanNativeSubmission(argv, {}, controller::native::IdentityFor(uid, 1, now_millis)));
  if (!plan.unsupported.empty()) return InvalidArgumentError("the native builder does not build " + plan.unsupported);
  if (argv_out != nullptr) *argv_out = std::move(argv);
  return std::move(plan.objects);
}

// The driver's service account, as the controller's tenant preparation makes it: pods naming a missing one are
// refused.
void EnsureServiceAccounts(kube::Client& client, const std::vector<std::string>& argv) {
  const std::string key = "spark.kubernetes.authenticate.driver.serviceAccountName=";
  for (const std::string& arg : argv) {
    if (arg.rfind(key, 0) != 0) continue;
    Result<rapidjson::Document> sa = ParseJson(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":")" +
                                               arg.substr(key.size()) + "\"}}");
    CHECK(sa.ok());
    const auto created = client.Create(kube::resources::kServiceAccounts, FLAGS_ns, *sa);
    if (!created.ok() && !IsAlreadyExists(created.status())) LOG(WARNING) << created.status().ToString();
  }
}

int Run() {
  kube::RestConfig config = KubeconfigOrDie(FLAGS_kubeconfig);
  Result<controller::SubmitAuth> auth = controller::PrepareSubmitAuth(config);
  CHECK(auth.ok()) << auth.status().ToString();
  config.qps = FLAGS_kube_api_qps;
  config.burst = FLAGS_kube_api_burst;
  const std::shared_ptr<kube::Client> client = ClientOrDie(config);

  std::ifstream in(FLAGS_app_file);
  std::stringstream text;
  text << in.rdbuf();
  Result<rapidjson::Document> app = YamlToJson(text.str());
  CHECK(app.ok()) << FLAGS_app_file << ": " << app.status().ToString();

  std::vector<DriverObjects> all;
  all.reserve(FLAGS_apps);
  std::vector<std::string> argv;
  for (int i = 1; i <= FLAGS_apps; ++i) {
    Result<DriverObjects> objects = ObjectsFor(*app, i, *auth, i == 1 ? &argv : nullptr);
    CHECK(objects.ok()) << objects.status().ToString();
    all.push_back(std::move(*objects));
  }
  controller::CleanupSubmitAuth(*auth);
  EnsureServiceAccounts(*client, argv);

  std::atomic<size_t> next{0};
  std::atomic<int> failed{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < FLAGS_concurrency; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < all.size(); i = next++) {
        const Result<std::string> created = controller::native::CreateDriverObjects(*client, all[i]);
        if (!created.ok()) {
          LOG(WARNING) << created.status().ToString();
          ++failed;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("raw_seconds %.3f\nraw_apps_per_min %.1f\nraw_failed %d\n", seconds, FLAGS_apps * 60.0 / seconds,
              failed.load());
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace spark_operator::bench

int main(int argc, char** argv) {
  spark_operator::bench::StartBench(&argc, &argv);
  return spark_operator::bench::Run();
}
