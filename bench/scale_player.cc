// The cluster side of bench/scale.sh: creates N SparkApplications at once in one namespace, then plays every
// driver's part as it appears (5 executor pods with Spark's labels and the operator's, owned by the driver, then
// the driver's exit through kwok's exit-code annotation), and reports when each thing was first seen on a watch:
// the apps, the drivers, the COMPLETED states. Times are watch-event arrivals on this machine's monotonic clock,
// so the latency from an app to its driver pod does not depend on the server's one-second timestamps.
//
// Prints one "key value" line per figure (seconds from the first create, milliseconds for latencies).
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/cluster_bench.h"
#include "common/base/json.h"
#include "common/base/strings.h"
#include "common/base/yaml.h"
#include "common/kube/client.h"
#include "common/kube/errors.h"

DEFINE_string(kubeconfig, "", "Kubeconfig of the cluster.");
DEFINE_string(ns, "", "Namespace of the apps (must exist).");
DEFINE_int32(apps, 1000, "SparkApplications to create.");
DEFINE_string(app_file, "deploy/examples/spark-application-example.yaml",
              "The app every one is a copy of; ConfigMaps in the same file are created first.");
DEFINE_string(prefix, "app", "Names are <prefix>-<i>.");
DEFINE_bool(create, true, "Create the apps; false: only watch and play the drivers of apps someone else creates.");
DEFINE_int32(drivers, 0,
             "With --create=false: end once this many drivers are played (bench/raw_writes makes drivers without "
             "apps, so no app ever completes); 0: wait for --apps COMPLETED apps.");
DEFINE_int32(create_concurrency, 32, "Creates in flight at once.");
DEFINE_int32(executors, 5, "Executor pods per driver.");
DEFINE_string(executor_nodes, "",
              "Nodes (comma-separated) the executor pods are bound to directly (spec.nodeName), each driver's on the "
              "next one in turn, as a scheduler would spread them: this spares the scheduler 5 of every 6 pods, and "
              "no one fake node holds them all; empty: the scheduler places them.");
DEFINE_int32(play_concurrency, 16, "Drivers played at once (each is executors + 1 requests).");
DEFINE_int32(timeout, 1800, "Seconds to wait for every app to finish.");

namespace spark_operator::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr char kExitAnnotation[] = "sim.spark-operator.k8s.io/exit-code";
constexpr char kOperatorLabelPrefix[] = "spark-operator.k8s.io/";

struct Driver {
  std::string name;
  std::string uid;
  std::map<std::string, std::string> labels;
};

class Player {
 public:
  Player(std::shared_ptr<kube::Client> client, std::string ns) : client_(std::move(client)), ns_(std::move(ns)) {}

  void Run();

 private:
  double Since(Clock::time_point t) const { return std::chrono::duration<double>(t - t0_).count(); }
  // Follows one resource's watch across server-side ends and 410s; `on_event` sees every object.
  void WatchLoop(const kube::Resource& resource, const std::string& selector,
                 const std::function<void(kube::WatchEventType, const rapidjson::Value&)>& on_event);
  void OnApp(kube::WatchEventType type, const rapidjson::Value& app);
  void OnPod(kube::WatchEventType type, const rapidjson::Value& pod);
  void PlayLoop();
  Status Play(const Driver& driver);
  void CreateApps(const rapidjson::Document& app);

  std::shared_ptr<kube::Client> client_;
  const std::string ns_;
  const std::vector<std::string> executor_nodes_ = SplitCommas(FLAGS_executor_nodes);
  std::atomic<size_t> played_drivers_{0};
  Clock::time_point t0_ = Clock::now();
  std::atomic<bool> stop_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Clock::time_point> app_seen_;     // App name -> ADDED arrival.
  std::map<std::string, Clock::time_point> driver_seen_;  // App name -> its driver's ADDED arrival.
  std::map<std::string, std::string> state_;              // App name -> last applicationState.state.
  Clock::time_point last_driver_;
  Clock::time_point last_completed_;
  int completed_ = 0;
  int play_errors_ = 0;
  int played_ = 0;
  std::deque<Driver> to_play_;
};

void Player::WatchLoop(const kube::Resource& resource, const std::string& selector,
                       const std::function<void(kube::WatchEventType, const rapidjson::Value&)>& on_event) {
  std::string rv;
  while (!stop_) {
    kube::WatchOptions options;
    options.label_selector = selector;
    options.resource_version = rv;
    options.timeout_seconds = 600;
    Result<std::unique_ptr<kube::WatchStream>> watch = client_->Watch(resource, ns_, options);
    if (!watch.ok()) {
      LOG(WARNING) << "watching " << resource.plural << ": " << watch.status().ToString();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    while (!stop_) {
      Result<std::optional<kube::WatchEvent>> event = (*watch)->Next(std::chrono::seconds(2));
      if (!event.ok()) {
        if (IsGone(event.status())) rv.clear();  // Start over: the synthetic ADDEDs are deduplicated below.
        break;
      }
      if (!event->has_value()) break;
      const kube::WatchEvent& e = **event;
      if (e.type == kube::WatchEventType::kError) break;
      const std::string version = ResourceVersionOf(e.object);
      if (!version.empty()) rv = version;
      if (e.type != kube::WatchEventType::kBookmark) on_event(e.type, e.object);
    }
  }
}

void Player::OnApp(kube::WatchEventType type, const rapidjson::Value& app) {
  const auto now = Clock::now();
  const std::string name = NameOf(app);
  const std::string state = GetString(app, {"status", "applicationState", "state"});
  std::lock_guard lock(mu_);
  app_seen_.emplace(name, now);
  if (type == kube::WatchEventType::kDeleted) return;
  std::string& last = state_[name];
  if (state == "COMPLETED" && last != "COMPLETED") {
    ++completed_;
    last_completed_ = now;
    cv_.notify_all();
  }
  last = state;
}

void Player::OnPod(kube::WatchEventType type, const rapidjson::Value& pod) {
  if (type != kube::WatchEventType::kAdded) return;
  const auto now = Clock::now();
  // bench/raw_writes' drivers have no app: each is its own.
  std::string app = GetString(pod, {"metadata", "labels", "spark-operator.k8s.io/app-name"});
  if (app.empty()) app = NameOf(pod);
  Driver driver{NameOf(pod), UidOf(pod), {}};
  if (const rapidjson::Value* labels = FindPath(pod, {"metadata", "labels"}); labels && labels->IsObject()) {
    for (const auto& m : labels->GetObject()) {
      if (m.value.IsString()) driver.labels[m.name.GetString()] = m.value.GetString();
    }
  }
  std::lock_guard lock(mu_);
  if (!driver_seen_.emplace(app, now).second) return;
  last_driver_ = now;
  // Also in the log at once: at N = 10,000 the completion phase is long, and a run stopped early keeps this.
  if (FLAGS_create && driver_seen_.size() == static_cast<size_t>(FLAGS_apps)) {
    LOG(INFO) << "all " << FLAGS_apps << " driver pods seen after " << Since(now) << " s";
  }
  to_play_.push_back(std::move(driver));
  cv_.notify_all();
}

Status Player::Play(const Driver& driver) {
  std::string base = driver.name;
  if (base.size() > 7 && base.compare(base.size() - 7, 7, "-driver") == 0) base.resize(base.size() - 7);
  const std::string node = executor_nodes_.empty() ? "" : executor_nodes_[played_drivers_++ % executor_nodes_.size()];
  for (int i = 1; i <= FLAGS_executors; ++i) {
    rapidjson::Document pod(rapidjson::kObjectType);
    auto& a = pod.GetAllocator();
    SetString(pod, {"apiVersion"}, "v1");
    SetString(pod, {"kind"}, "Pod");
    SetString(pod, {"metadata", "name"}, base + "-exec-" + std::to_string(i));
    SetString(pod, {"metadata", "namespace"}, ns_);
    rapidjson::Value labels(rapidjson::kObjectType);
    for (const auto& [key, value] : driver.labels) {
      if (key.rfind(kOperatorLabelPrefix, 0) == 0 || key == "spark-app-selector" || key == "spark-app-name" ||
          key == "spark-version") {
        labels.AddMember(JsonString(key, a), JsonString(value, a), a);
      }
    }
    labels.AddMember("spark-role", "executor", a);
    labels.AddMember("spark-exec-id", JsonString(std::to_string(i), a), a);
    SetPath(pod, {"metadata", "labels"}, std::move(labels));
    rapidjson::Value owner(rapidjson::kObjectType);
    owner.AddMember("apiVersion", "v1", a);
    owner.AddMember("kind", "Pod", a);
    owner.AddMember("name", JsonString(driver.name, a), a);
    owner.AddMember("uid", JsonString(driver.uid, a), a);
    owner.AddMember("controller", true, a);
    rapidjson::Value owners(rapidjson::kArrayType);
    owners.PushBack(std::move(owner), a);
    SetPath(pod, {"metadata", "ownerReferences"}, std::move(owners));
    SetString(pod, {"spec", "restartPolicy"}, "Never");
    if (!node.empty()) SetString(pod, {"spec", "nodeName"}, node);
    SetPath(pod, {"spec", "enableServiceLinks"}, rapidjson::Value(false));
    rapidjson::Value container(rapidjson::kObjectType);
    container.AddMember("name", "spark-kubernetes-executor", a);
    container.AddMember("image", "apache/spark:4.2.0", a);
    rapidjson::Value containers(rapidjson::kArrayType);
    containers.PushBack(std::move(container), a);
    SetPath(pod, {"spec", "containers"}, std::move(containers));
    const Result<rapidjson::Document> created = client_->Create(kube::resources::kPods, ns_, pod);
    if (!created.ok() && !IsAlreadyExists(created.status())) return created.status();
  }
  const std::string patch = std::string(R"({"metadata":{"annotations":{")") + kExitAnnotation + R"(":"0"}}})";
  return client_->Patch(kube::resources::kPods, ns_, driver.name, kube::PatchType::kMerge, patch).status();
}

void Player::PlayLoop() {
  while (true) {
    Driver driver;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !to_play_.empty(); });
      if (stop_) return;
      driver = std::move(to_play_.front());
      to_play_.pop_front();
    }
    const Status played = Play(driver);
    if (!played.ok()) LOG(WARNING) << ns_ << "/" << driver.name << ": playing the driver: " << played.ToString();
    std::lock_guard lock(mu_);
    if (!played.ok()) ++play_errors_;
    ++played_;
    cv_.notify_all();
  }
}

void Player::CreateApps(const rapidjson::Document& app) {
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> creators;
  for (int t = 0; t < FLAGS_create_concurrency; ++t) {
    creators.emplace_back([&] {
      for (int i = next++; i < FLAGS_apps; i = next++) {
        rapidjson::Document copy = CopyJson(app);
        SetString(copy, {"metadata", "name"}, FLAGS_prefix + "-" + std::to_string(i + 1));
        SetString(copy, {"metadata", "namespace"}, ns_);
        const Result<rapidjson::Document> created = client_->Create(kube::resources::kSparkApplications, ns_, copy);
        if (!created.ok() && !IsAlreadyExists(created.status())) {
          LOG(WARNING) << "creating app " << i + 1 << ": " << created.status().ToString();
          ++failed;
        }
      }
    });
  }
  for (std::thread& t : creators) t.join();
  std::printf("create_seconds %.3f\ncreate_failed %d\n", Since(Clock::now()), failed.load());
  std::fflush(stdout);
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
  return v[i];
}

void Player::Run() {
  std::ifstream in(FLAGS_app_file);
  std::stringstream text;
  text << in.rdbuf();
  Result<std::vector<rapidjson::Document>> docs = YamlStreamToJson(text.str());
  CHECK(docs.ok()) << FLAGS_app_file << ": " << docs.status().ToString();
  std::optional<rapidjson::Document> app;
  for (rapidjson::Document& doc : *docs) {
    if (GetString(doc, {"kind"}) == "SparkApplication") {
      app = std::move(doc);
    } else if (GetString(doc, {"kind"}) == "ConfigMap" && FLAGS_create) {
      // What the example's apps mount (the initializer refuses a driver whose ConfigMap is missing).
      SetString(doc, {"metadata", "namespace"}, ns_);
      const Result<rapidjson::Document> created = client_->Create(kube::resources::kConfigMaps, ns_, doc);
      CHECK(created.ok() || IsAlreadyExists(created.status())) << created.status().ToString();
    }
  }
  CHECK(app.has_value()) << FLAGS_app_file << " has no SparkApplication";

  std::vector<std::thread> threads;
  threads.emplace_back([this] {
    WatchLoop(kube::resources::kSparkApplications, "",
              [this](kube::WatchEventType t, const rapidjson::Value& o) { OnApp(t, o); });
  });
  threads.emplace_back([this] {
    WatchLoop(kube::resources::kPods, "spark-role=driver",
              [this](kube::WatchEventType t, const rapidjson::Value& o) { OnPod(t, o); });
  });
  for (int i = 0; i < FLAGS_play_concurrency; ++i) threads.emplace_back([this] { PlayLoop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // Both watches open before the first create.
  // bench/scale.sh starts its raw writes once this line is in the player's log.
  std::fprintf(stderr, "scale_player: watching\n");
  std::fflush(stderr);

  t0_ = Clock::now();
  const double start_unix = UnixSeconds();
  if (FLAGS_create) CreateApps(*app);
  const auto deadline = Clock::now() + std::chrono::seconds(FLAGS_timeout);
  {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline,
                   [&] { return FLAGS_drivers > 0 ? played_ >= FLAGS_drivers : completed_ >= FLAGS_apps; });
  }
  stop_ = true;
  cv_.notify_all();
  for (std::thread& t : threads) t.join();

  std::lock_guard lock(mu_);
  std::vector<double> latencies;
  for (const auto& [name, seen] : driver_seen_) {
    const auto created = app_seen_.find(name);
    if (created != app_seen_.end()) {
      latencies.push_back(std::chrono::duration<double, std::milli>(seen - created->second).count());
    }
  }
  std::map<std::string, int> states;
  for (const auto& [name, state] : state_) ++states[state.empty() ? "(none)" : state];
  std::printf("start_unix %.3f\n", start_unix);  // For bench/cpu_window.py.
  std::printf("apps_seen %zu\ndrivers_seen %zu\ndrivers_seconds %.3f\ncompleted %d\ncompleted_seconds %.3f\n",
              app_seen_.size(), driver_seen_.size(), driver_seen_.empty() ? 0.0 : Since(last_driver_), completed_,
              completed_ == 0 ? 0.0 : Since(last_completed_));
  std::printf("latency_p50_ms %.1f\nlatency_p99_ms %.1f\nlatency_max_ms %.1f\nplayed %d\nplay_errors %d\n",
              Percentile(latencies, 0.5), Percentile(latencies, 0.99), Percentile(latencies, 1.0), played_,
              play_errors_);
  for (const auto& [state, count] : states) std::printf("state %s %d\n", state.c_str(), count);
}

}  // namespace
}  // namespace spark_operator::bench

int main(int argc, char** argv) {
  spark_operator::bench::StartBench(&argc, &argv);
  spark_operator::kube::RestConfig config = spark_operator::bench::KubeconfigOrDie(FLAGS_kubeconfig);
  config.qps = 0;  // The bench's own requests are not what is measured.
  spark_operator::bench::Player player(spark_operator::bench::ClientOrDie(config), FLAGS_ns);
  player.Run();
  return 0;
}
