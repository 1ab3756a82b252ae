// The physical limit for bench/scale.sh: creates the objects the native submitter creates for N apps (the driver
// pod, then its Service, NetworkPolicy and conf map at once, as CreateDriverObjects does) with one client at the
// controller's --kube-api-qps/--kube-api-burst and as many apps in flight as its --native-submission-concurrency,
// and nothing else: no informers, and by default no SparkApplication and no status writes. The objects come from
// the same builder (controller/native) and the same spark-submit command line the controller builds for the
// example app; only the driver pod template is left out, since it names the SparkApplication as owner.
//
// With --app_and_mark each app's objects follow what no operator can skip: the SparkApplication's creation (the
// user's write) and one status write, the attempt's mark that exactly-once submission needs before the driver
// pod (controller/reconciler.cc, StartAttempt). The native phase's pipeline without its informers, reconciles or
// any other write: the apps are created as bench/scale_player creates them (32 at once, a client without a rate
// limit), marked as the controller's workers mark them (32 at once) and their objects made by the lanes, each
// stage taking an app as soon as the one before is done with it; marks and objects share the controller-like
// client. That is the floor for an operator that submits exactly once: native against it is the controller's own
// cost, it against the raw rate the cost of the app and its mark.
//
// Prints "key value" lines: seconds for all N, apps/min, failures, the mean time a lane took for an app's objects.
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
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
#include "common/kube/time_format.h"
#include "controller/attempt_mark.h"
#include "controller/cache_transform.h"
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
DEFINE_bool(app_and_mark, false, "Before each app's objects, create its SparkApplication and write its mark.");
DEFINE_bool(mark, true, "With --app_and_mark: write the mark (false: only the app's create, to weigh the mark).");
DEFINE_int32(create_concurrency, 32, "With --app_and_mark: app creates in flight, as the player's.");
DEFINE_int32(mark_concurrency, 32, "With --app_and_mark: marks in flight, as the controller's --workers.");

namespace spark_operator::bench {
namespace {

using controller::native::DriverObjects;

rapidjson::Document AppFor(const rapidjson::Document& app_template, int i) {
  rapidjson::Document object = CopyJson(app_template);
  SetString(object, {"metadata", "name"}, "raw-" + std::to_string(i));
  SetString(object, {"metadata", "namespace"}, FLAGS_ns);
  return object;
}

Result<DriverObjects> ObjectsFor(const rapidjson::Document& app_template, int i, const controller::SubmitAuth& auth,
                                 std::vector<std::string>* argv_out) {
  rapidjson::Document object = AppFor(app_template, i);
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

// The attempt's mark on the app `created` returned, as StartAttempt and WriteStatus write it: the object as the
// controller's cache keeps it, with the status of its first attempt.
Status Mark(kube::Client& client, rapidjson::Document created) {
  api::SparkApplicationStatus mark =
      controller::NextAttemptMark({}, NameOf(created), kube::FormatTime(std::chrono::system_clock::now()));
  mark.observed_generation = GetInt(created, {"metadata", "generation"}, 1);
  controller::TrimAppForCache(created);
  SetPath(created, {"status"}, rapidjson::Value(api::StatusToJson(mark), created.GetAllocator()));
  return client.UpdateStatus(kube::resources::kSparkApplications, created).status();
}

// The apps a stage of the pipeline may take, in the order the stage before passed them: a lane must not make an
// app's objects before its mark, nor a mark precede the app.
class Handoff {
 public:
  explicit Handoff(size_t total) : total_(total) {}

  // App `i` is ready (`ready`), or never will be (a stage before failed it).
  void Add(size_t i, bool ready) {
    const std::lock_guard<std::mutex> lock(mu_);
    ++settled_;
    if (ready) ready_.push_back(i);
    changed_.notify_all();
  }
  // The next ready app; nullopt once every app was settled and taken.
  std::optional<size_t> Take() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return taken_ < ready_.size() || settled_ == total_; });
    if (taken_ == ready_.size()) return std::nullopt;
    return ready_[taken_++];
  }

 private:
  const size_t total_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<size_t> ready_;  // Guarded by mu_, as the counts.
  size_t taken_ = 0;
  size_t settled_ = 0;
};

int Run() {
  CHECK(FLAGS_concurrency > 0 && FLAGS_create_concurrency > 0 && FLAGS_mark_concurrency > 0)
      << "--concurrency, --create_concurrency and --mark_concurrency must be positive";
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

  // The player's client: the user's creates are not held to the controller's rate limit.
  kube::RestConfig user_config = config;
  user_config.qps = 0;
  const std::shared_ptr<kube::Client> user_client = ClientOrDie(user_config);

  std::atomic<int> failed{0};
  const bool marks = FLAGS_app_and_mark && FLAGS_mark;
  Handoff to_mark(all.size());
  Handoff to_make(all.size());
  std::vector<rapidjson::Document> created_apps(all.size());  // Each written before its handoff, read after.
  const auto start = std::chrono::steady_clock::now();
  const double start_unix = UnixSeconds();
  std::vector<std::thread> threads;
  std::atomic<size_t> next_app{0};
  for (int t = 0; FLAGS_app_and_mark && t < FLAGS_create_concurrency; ++t) {
    threads.emplace_back([&] {
      for (size_t i = next_app++; i < all.size(); i = next_app++) {
        Result<rapidjson::Document> created =
            user_client->Create(kube::resources::kSparkApplications, FLAGS_ns, AppFor(*app, static_cast<int>(i) + 1));
        if (!created.ok()) {
          LOG(WARNING) << created.status().ToString();
          ++failed;
          if (marks) to_mark.Add(i, false);
          to_make.Add(i, false);
          continue;
        }
        created_apps[i] = std::move(*created);
        (marks ? to_mark : to_make).Add(i, true);
      }
    });
  }
  for (int t = 0; marks && t < FLAGS_mark_concurrency; ++t) {
    threads.emplace_back([&] {
      for (std::optional<size_t> i = to_mark.Take(); i; i = to_mark.Take()) {
        const Status marked = Mark(*client, std::move(created_apps[*i]));
        if (!marked.ok()) {
          LOG(WARNING) << marked.ToString();
          ++failed;
        }
        to_make.Add(*i, marked.ok());
      }
    });
  }
  if (!FLAGS_app_and_mark) {
    for (size_t i = 0; i < all.size(); ++i) to_make.Add(i, true);
  }
  std::atomic<int64_t> lane_micros{0};  // Each app's objects, from its pod's create to its last object's answer.
  std::atomic<int> lane_apps{0};        // The apps a lane took: those a stage before failed never reach one.
  for (int t = 0; t < FLAGS_concurrency; ++t) {
    threads.emplace_back([&] {
      for (std::optional<size_t> i = to_make.Take(); i; i = to_make.Take()) {
        const auto made = std::chrono::steady_clock::now();
        const Result<std::string> created = controller::native::CreateDriverObjects(*client, all[*i]);
        lane_micros +=
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - made).count();
        ++lane_apps;
        if (!created.ok()) {
          LOG(WARNING) << created.status().ToString();
          ++failed;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("raw_start_unix %.3f\n", start_unix);  // For bench/cpu_window.py.
  std::printf("raw_seconds %.3f\nraw_apps_per_min %.1f\nraw_failed %d\nraw_submission_mean_ms %.1f\n", seconds,
              FLAGS_apps * 60.0 / seconds, failed.load(), lane_micros.load() / 1000.0 / std::max(1, lane_apps.load()));
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace spark_operator::bench

int main(int argc, char** argv) {
  spark_operator::bench::StartBench(&argc, &argv);
  return spark_operator::bench::Run();
}
