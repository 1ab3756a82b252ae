// The reconciler against a fake API server: an error reading the driver pod is not its absence; the UI's Service
// never holds up the application's state.
#include "controller/reconciler.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/base/json.h"
#include "common/http/server.h"
#include "common/kube/client.h"
#include "common/metrics/metrics.h"
#include "controller/logs/log_keeper.h"
#include "controller/logs/log_shipper.h"

namespace spark_operator::controller {
namespace {

class NoEvents final : public Events {
 public:
  void Normal(const rapidjson::Value&, const std::string&, const std::string&) override {}
  void Warning(const rapidjson::Value&, const std::string& reason, const std::string&) override {
    warnings.push_back(reason);
  }
  std::vector<std::string> warnings;
};

// A RUNNING app whose driver pod the cache does not hold.
constexpr char kRunningApp[] = R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication",
  "metadata":{"name":"pi","namespace":"jobs","uid":"uid-1","resourceVersion":"7","generation":1,
              "annotations":{"spark-operator.k8s.io/observed-generation":"1"}},
  "spec":{"type":"Scala","mainClass":"Pi","mainApplicationFile":"local:///opt/pi.jar","image":"spark:4"},
  "status":{"appId":"spark-1","applicationState":{"state":"RUNNING"},"driverInfo":{"podName":"pi-1-driver"},
            "submissionAttempts":1,"executionAttempts":1,"submissionTime":"2026-12-01T10:00:00Z"}})";

// Its first attempt marked (controller/reconciler.cc StartAttempt), the driver not yet adopted.
constexpr char kMarkedApp[] = R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication",
  "metadata":{"name":"pi","namespace":"jobs","uid":"uid-1","resourceVersion":"7","generation":1},
  "spec":{"type":"Scala","mainClass":"Pi","mainApplicationFile":"local:///opt/pi.jar","image":"spark:4"},
  "status":{"applicationState":{"state":"NEW"},"driverInfo":{"podName":"pi-1-driver"},"submissionAttempts":1,
            "submissionNumber":1,"observedGeneration":1,"lastSubmissionAttemptTime":"2026-12-05T00:59:59Z"}})";

// Not yet submitted: no status.
constexpr char kNewApp[] = R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication",
  "metadata":{"name":"pi","namespace":"jobs","uid":"uid-1","resourceVersion":"7","generation":1},
  "spec":{"type":"Scala","mainClass":"Pi","mainApplicationFile":"local:///opt/pi.jar","image":"spark:4"}})";

struct FakeApiServer {
  std::atomic<int> pod_status{500};
  std::atomic<int> pod_gets{0};
  std::atomic<int> pod_deletes{0};
  std::atomic<int> status_code{200};  // The answer to status writes.
  std::atomic<int> service_calls{0};  // Creates and deletes of the UI's Service.
  std::mutex mu;
  std::vector<std::string> status_writes;  // Bodies of PUT .../sparkapplications/pi/status.
  std::string version = "7";               // The app's resourceVersion at the server (kRunningApp's).
  std::unique_ptr<http::Server> server;

  FakeApiServer() {
    http::Server::Routes routes;
    routes["/api/v1/namespaces/jobs/pods/pi-1-driver"] = [this](const http::ServerRequest& request) {
      ++(request.method == "DELETE" ? pod_deletes : pod_gets);
      const int code = pod_status;
      http::ServerResponse r = http::ServerResponse::Text(
          code, R"({"kind":"Status","apiVersion":"v1","status":"Failure","code":)" + std::to_string(code) +
                    (code == 404 ? R"(,"reason":"NotFound"})" : R"(,"reason":"InternalError"})"));
      r.content_type = "application/json";
      return r;
    };
    routes["/apis/spark-operator.k8s.io/v1alpha1/namespaces/jobs/sparkapplications/pi/status"] =
        [this](const http::ServerRequest& request) {
          const std::lock_guard lock(mu);
          status_writes.push_back(request.body);
          int code = status_code;
          std::string body = request.body;
          // Optimistic concurrency as the API server has it: a write of an older version is refused.
          Result<rapidjson::Document> written = ParseJson(request.body);
          if (code == 200 && written.ok()) {
            if (GetString(*written, {"metadata", "resourceVersion"}) != version) {
              code = 409;
            } else {
              version = std::to_string(std::stoi(version) + 1);
              SetString(*written, {"metadata", "resourceVersion"}, version);
              body = ToJson(*written);
            }
          }
          http::ServerResponse r = http::ServerResponse::Text(
              code, code == 200
                        ? body
                        : R"({"kind":"Status","apiVersion":"v1","status":"Failure","code":)" + std::to_string(code) +
                              R"(,"reason":")" + (code == 409 ? "Conflict" : "InternalError") + R"("})");
          r.content_type = "application/json";
          return r;
        };
    const auto service = [this](const http::ServerRequest& request) {
      ++service_calls;
      return http::ServerResponse::Text(request.method == "DELETE" ? 200 : 201, request.body);
    };
    routes["/api/v1/namespaces/jobs/services"] = service;
    routes["/api/v1/namespaces/jobs/services/pi-ui-svc"] = service;
    http::ServerOptions options;
    options.address = "127.0.0.1";
    Result<std::unique_ptr<http::Server>> started = http::Server::Start(options, std::move(routes));
    REQUIRE(started.ok());
    server = std::move(*started);
  }
  size_t Writes() {
    const std::lock_guard lock(mu);
    return status_writes.size();
  }
  // The app as the `index`th status write sent it.
  rapidjson::Document StatusWrite(size_t index) {
    const std::lock_guard lock(mu);
    REQUIRE(status_writes.size() > index);
    Result<rapidjson::Document> written = ParseJson(status_writes[index]);
    REQUIRE(written.ok());
    return std::move(*written);
  }
};

std::shared_ptr<kube::Client> ClientOf(const FakeApiServer& api) {
  kube::RestConfig config;
  config.server = "http://127.0.0.1:" + std::to_string(api.server->port());
  config.timeout = std::chrono::seconds(5);
  Result<std::shared_ptr<kube::Client>> client = kube::Client::Create(config);
  REQUIRE(client.ok());
  return *client;
}

kube::ObjectPtr Object(const std::string& json) {
  Result<rapidjson::Document> doc = ParseJson(json);
  REQUIRE(doc.ok());
  return std::make_shared<const rapidjson::Document>(std::move(*doc));
}

// The reconciler against `api`, its caches holding the app `pi` and, unless null, its driver pod.
struct TestReconciler {
  TestReconciler(const FakeApiServer& api, kube::ObjectPtr app, kube::ObjectPtr driver_pod,
                 ReconcilerOptions options = {}, SubmitterOptions submitter_options = {})
      : driver(std::move(driver_pod)), submitter(std::move(submitter_options)), metrics(registry) {
    CacheView caches;
    caches.app = [app](const std::string& key) { return key == "jobs/pi" ? app : nullptr; };
    caches.pod = [this](const std::string& key) {
      return driver != nullptr && key == "jobs/" + NameOf(*driver) ? driver : nullptr;
    };
    caches.app_pods = [this](const std::string&, const std::string&) {
      std::vector<kube::ObjectPtr> pods = executors;
      if (driver != nullptr) pods.push_back(driver);
      return pods;
    };
    caches.pods_listed = [this] { return pods_listed; };
    reconciler = std::make_unique<Reconciler>(ClientOf(api), caches, submitter, events, metrics, std::move(options));
  }

  kube::ObjectPtr driver;                  // The driver pod in the cache, if any.
  std::vector<kube::ObjectPtr> executors;  // The app's executor pods in the cache.
  bool pods_listed = true;                 // The pod cache is full.
  Submitter submitter;
  NoEvents events;
  metrics::Registry registry;
  ControllerMetrics metrics;
  std::unique_ptr<Reconciler> reconciler;
};

TEST_CASE("a failed read of a missing driver pod leaves a RUNNING app as it is - only a 404 fails it") {
  FakeApiServer api;
  // The driver is not in the cache: not synced, or lagging.
  TestReconciler t(api, Object(kRunningApp), nullptr);
  Reconciler& reconciler = *t.reconciler;
  NoEvents& events = t.events;

  const ReconcileResult failed_read = reconciler.Reconcile("jobs/pi");
  CHECK(api.pod_gets >= 1);
  CHECK_FALSE(failed_read.status.ok());  // Retried with back-off.
  CHECK(api.Writes() == 0);
  CHECK(events.warnings.empty());

  api.pod_status = 404;
  const ReconcileResult absent = reconciler.Reconcile("jobs/pi");
  CHECK(absent.status.ok());
  REQUIRE(api.Writes() == 1);
  const rapidjson::Document written = api.StatusWrite(0);
  CHECK(GetString(written, {"status", "applicationState", "state"}) == "FAILED");
  CHECK(GetString(written, {"status", "applicationState", "errorMessage"}) ==
        "driver pod pi-1-driver disappeared (deleted?)");
}

TEST_CASE("a spec change stops the running driver and runs again at once under the next submission number") {
  FakeApiServer api;
  api.pod_status = 200;
  // Generation 2 of the spec; the status is about generation 1, whose driver still runs (and may be held for
  // its logs for as long as the store is down).
  std::string json = kRunningApp;
  json.replace(json.find(R"("generation":1)"), 14, R"("generation":2)");
  const kube::ObjectPtr driver = Object(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"pi-1-driver",
    "namespace":"jobs","uid":"pod-1","labels":{"spark-role":"driver","spark-operator.k8s.io/submission-attempt":"1"},
    "finalizers":["spark-operator.k8s.io/logs"]},"status":{"phase":"Running"}})");
  TestReconciler t(api, Object(json), driver);

  const ReconcileResult restarted = t.reconciler->Reconcile("jobs/pi");
  CHECK(restarted.status.ok());
  CHECK(api.pod_deletes >= 1);
  // Not waiting for the old driver to be gone: the new run's driver has another name.
  REQUIRE(api.Writes() == 1);
  const rapidjson::Document written = api.StatusWrite(0);
  CHECK(GetString(written, {"status", "applicationState", "state"}) == "NEW");
  CHECK(GetInt(written, {"status", "submissionAttempts"}) == 0);  // The retry policy counts afresh.
  CHECK(GetInt(written, {"status", "submissionNumber"}) == 1);    // The next submission is number 2.
}

TEST_CASE("a driver is adopted with one status write, and after a failed write it is adopted once, not twice") {
  FakeApiServer api;
  // Marked for submission 1 (the mark was stored), and its driver is in the cache, owned by the app.
  const kube::ObjectPtr app = Object(R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication",
    "metadata":{"name":"pi","namespace":"jobs","uid":"uid-1","resourceVersion":"7","generation":1},
    "spec":{"type":"Scala","mainClass":"Pi","mainApplicationFile":"local:///opt/pi.jar","image":"spark:4"},
    "status":{"applicationState":{"state":"NEW"},"driverInfo":{"podName":"pi-1-driver"},"observedGeneration":1,
              "submissionAttempts":1,"submissionNumber":1}})");
  const kube::ObjectPtr driver = Object(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"pi-1-driver",
    "namespace":"jobs","uid":"pod-1","labels":{"spark-role":"driver","spark-operator.k8s.io/app-uid":"uid-1",
    "spark-operator.k8s.io/submission-attempt":"1"},
    "ownerReferences":[{"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication","name":"pi",
                        "uid":"uid-1","controller":true}]},"status":{"phase":"Pending"}})");
  TestReconciler t(api, app, driver);

  api.status_code = 500;
  CHECK_FALSE(t.reconciler->Reconcile("jobs/pi").status.ok());
  CHECK(api.Writes() == 1);

  api.status_code = 200;
  CHECK(t.reconciler->Reconcile("jobs/pi").status.ok());
  REQUIRE(api.Writes() == 2);
  const rapidjson::Document written = api.StatusWrite(1);
  CHECK(GetString(written, {"status", "applicationState", "state"}) == "SUBMITTED");
  CHECK(GetInt(written, {"status", "executionAttempts"}) == 1);
  CHECK_FALSE(GetString(written, {"status", "submissionTime"}).empty());
  CHECK(GetString(written, {"status", "appId"}) == "spark-uid1");
}

// A pod of the app `pi`'s first submission in the cache: its driver or an executor.
kube::ObjectPtr PodIn(const std::string& name, const std::string& role, const std::string& phase) {
  return Object(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","namespace":"jobs",
    "uid":")" + name +
                R"(","labels":{"spark-role":")" + role + R"(","spark-app-selector":"spark-1",
    "spark-operator.k8s.io/app-uid":"uid-1","spark-operator.k8s.io/submission-attempt":"1"},
    "ownerReferences":[{"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication","name":"pi",
                        "uid":"uid-1","controller":true}]},
    "spec":{"nodeName":"node-1"},"status":{"phase":")" +
                phase + R"("}})");
}

TEST_CASE(
    "with every UI slot taken the app's state goes on, its UI comes later and its Service is named for deletion") {
  FakeApiServer api;
  ReconcilerOptions no_slots;
  no_slots.ui.service_slots = 0;

  SECTION("a running driver: RUNNING is written now, the UI's Service is not waited for") {
    TestReconciler t(api, Object(kRunningApp), PodIn("pi-1-driver", "driver", "Running"), no_slots);
    const ReconcileResult result = t.reconciler->Reconcile("jobs/pi");
    REQUIRE(result.status.ok());
    CHECK(api.service_calls == 0);
    REQUIRE(result.requeue_after.has_value());
    CHECK(*result.requeue_after == std::chrono::seconds(30));  // A safety net: a freed slot wakes it.
  }
  SECTION("with a slot the UI's Service is made in the same reconcile") {
    TestReconciler t(api, Object(kRunningApp), PodIn("pi-1-driver", "driver", "Running"));
    const ReconcileResult result = t.reconciler->Reconcile("jobs/pi");
    REQUIRE(result.status.ok());
    CHECK(api.service_calls >= 1);
    REQUIRE(result.requeue_after.has_value());
    CHECK(*result.requeue_after == std::chrono::seconds(60));
  }
  SECTION("an ended driver: COMPLETED is written, the Service left named for a later reconcile to delete") {
    TestReconciler t(api, Object(kRunningApp), PodIn("pi-1-driver", "driver", "Succeeded"), no_slots);
    const ReconcileResult result = t.reconciler->Reconcile("jobs/pi");
    REQUIRE(result.status.ok());
    CHECK(api.service_calls == 0);
    REQUIRE(api.Writes() >= 1);
    const rapidjson::Document written = api.StatusWrite(api.Writes() - 1);
    CHECK(GetString(written, {"status", "applicationState", "state"}) == "COMPLETED");
    CHECK(GetString(written, {"status", "driverInfo", "webUIServiceName"}) == "pi-ui-svc");
    CHECK(GetString(written, {"status", "driverInfo", "webUIURL"}).empty());
    REQUIRE(result.requeue_after.has_value());
    CHECK(*result.requeue_after == std::chrono::seconds(30));
  }
}

// Reconciler options with log shipping on and no UI. Without a destination the log step ships nothing, but it
// writes whatever status it finds changed after the state machine's step: a change held back must be put back.
struct WithLogShipping {
  explicit WithLogShipping(const FakeApiServer& api) : keeper(ClientOf(api), shipper, logs::LogKeeperOptions{}) {
    options.ui.service_type = UiServiceType::kNone;
    options.logs = &keeper;
  }
  logs::LogShipper shipper{logs::ShipperOptions{}};
  logs::LogKeeper keeper;
  ReconcilerOptions options;
};

TEST_CASE(
    "executor-only status changes wait 2 s and go in one write, also with log shipping on, and the driver's end is "
    "not held back") {
  FakeApiServer api;
  WithLogShipping shipping(api);
  TestReconciler t(api, Object(kRunningApp), PodIn("pi-1-driver", "driver", "Running"), shipping.options);

  // The first executor appears: not written yet, the app is looked at again once the 2 s are over.
  t.executors = {PodIn("pi-1-exec-1", "executor", "Pending")};
  const ReconcileResult first = t.reconciler->Reconcile("jobs/pi");
  REQUIRE(first.status.ok());
  CHECK(api.Writes() == 0);
  REQUIRE(first.requeue_after.has_value());
  CHECK(*first.requeue_after > std::chrono::milliseconds(0));
  CHECK(*first.requeue_after <= std::chrono::milliseconds(2001));

  // The second appears and the first runs a moment later: still waiting, no longer than the first change's 2 s.
  t.executors = {PodIn("pi-1-exec-1", "executor", "Running"), PodIn("pi-1-exec-2", "executor", "Pending")};
  const ReconcileResult soon = t.reconciler->Reconcile("jobs/pi");
  REQUIRE(soon.status.ok());
  CHECK(api.Writes() == 0);
  REQUIRE(soon.requeue_after.has_value());
  CHECK(*soon.requeue_after <= *first.requeue_after);

  // The driver's end is written at once, with the executors' latest states.
  t.driver = PodIn("pi-1-driver", "driver", "Succeeded");
  REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
  REQUIRE(api.Writes() == 1);
  const rapidjson::Document written = api.StatusWrite(0);
  CHECK(GetString(written, {"status", "applicationState", "state"}) == "COMPLETED");
  CHECK(GetString(written, {"status", "executorState", "pi-1-exec-1"}) == "RUNNING");
  CHECK(GetString(written, {"status", "executorState", "pi-1-exec-2"}) == "PENDING");
}

// Holds the submitter's native lane busy with `jobs` submissions until released (at the latest when destroyed,
// before the submitter it uses, which waits for running submissions).
class BusyLane {
 public:
  BusyLane(Submitter& submitter, int jobs) {
    const std::shared_future<void> released = release_.get_future().share();
    for (int i = 0; i < jobs; ++i) {
      submitter.SubmitNative("jobs/other-" + std::to_string(i), "uid-other-" + std::to_string(i), 1,
                             [released]() -> Result<ProcessResult> {
                               released.wait();
                               return ProcessResult{};
                             });
    }
  }
  ~BusyLane() { Release(); }
  void Release() {
    if (!released_) release_.set_value();
    released_ = true;
  }

 private:
  std::promise<void> release_;
  bool released_ = false;
};

TEST_CASE(
    "while native submissions queue for a lane a submitted app's progress waits - its driver's end and a UI just "
    "made do not") {
  FakeApiServer api;
  WithLogShipping shipping(api);  // A held change must have been put back, or the log step writes it.
  ReconcilerOptions& options = shipping.options;
  SubmitterOptions one_lane;
  one_lane.native_concurrency = 1;
  std::string submitted_app = kRunningApp;
  submitted_app.replace(submitted_app.find("RUNNING"), 7, "SUBMITTED");
  const auto drain = [](Submitter& submitter) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (submitter.QueuedNative() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    REQUIRE(submitter.QueuedNative() == 0);
  };

  SECTION("SUBMITTED to RUNNING waits 10 s, longer than an executor-only change; the driver's end goes at once") {
    TestReconciler t(api, Object(submitted_app), PodIn("pi-1-driver", "driver", "Running"), options, one_lane);
    BusyLane busy(t.submitter, 2);  // One runs, one waits.
    REQUIRE(t.submitter.QueuedNative() >= 1);
    const ReconcileResult held = t.reconciler->Reconcile("jobs/pi");
    REQUIRE(held.status.ok());
    CHECK(api.Writes() == 0);
    REQUIRE(held.requeue_after.has_value());
    CHECK(*held.requeue_after > std::chrono::milliseconds(2001));
    CHECK(*held.requeue_after <= std::chrono::milliseconds(10001));

    t.driver = PodIn("pi-1-driver", "driver", "Succeeded");
    REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
    REQUIRE(api.Writes() == 1);
    CHECK(GetString(api.StatusWrite(0), {"status", "applicationState", "state"}) == "COMPLETED");
  }
  SECTION("once no submission waits, the held change is written") {
    TestReconciler t(api, Object(submitted_app), PodIn("pi-1-driver", "driver", "Running"), options, one_lane);
    BusyLane busy(t.submitter, 2);
    REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
    CHECK(api.Writes() == 0);
    busy.Release();
    drain(t.submitter);
    REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
    REQUIRE(api.Writes() == 1);
    CHECK(GetString(api.StatusWrite(0), {"status", "applicationState", "state"}) == "RUNNING");
  }
  SECTION("an adoption waits too: stored and announced once, submitted when its driver pod was made") {
    rapidjson::Document driver = CopyJson(*PodIn("pi-1-driver", "driver", "Running"));
    SetString(driver, {"metadata", "creationTimestamp"}, "2026-12-05T01:00:00Z");
    TestReconciler t(api, Object(kMarkedApp), std::make_shared<const rapidjson::Document>(std::move(driver)), options,
                     one_lane);
    BusyLane busy(t.submitter, 2);
    const ReconcileResult held = t.reconciler->Reconcile("jobs/pi");
    REQUIRE(held.status.ok());
    CHECK(api.Writes() == 0);
    CHECK(t.metrics.submitted.Value() == 0);
    REQUIRE(held.requeue_after.has_value());
    CHECK(*held.requeue_after > std::chrono::milliseconds(2001));
    busy.Release();
    drain(t.submitter);
    REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
    REQUIRE(api.Writes() == 1);
    CHECK(t.metrics.submitted.Value() == 1);
    CHECK(GetString(api.StatusWrite(0), {"status", "applicationState", "state"}) == "RUNNING");
    CHECK(GetString(api.StatusWrite(0), {"status", "submissionTime"}) == "2026-12-05T01:00:00Z");
  }
  SECTION("the UI's Service made for the app is stored at once, with the state") {
    TestReconciler t(api, Object(submitted_app), PodIn("pi-1-driver", "driver", "Running"), {}, one_lane);
    BusyLane busy(t.submitter, 2);
    REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
    CHECK(api.service_calls >= 1);
    REQUIRE(api.Writes() == 1);
    CHECK(GetString(api.StatusWrite(0), {"status", "driverInfo", "webUIServiceName"}) == "pi-ui-svc");
    CHECK(GetString(api.StatusWrite(0), {"status", "applicationState", "state"}) == "RUNNING");
  }
  SECTION("with --status-wait-while-submitting=0 nothing is held") {
    options.status_wait_while_submitting = std::chrono::milliseconds(0);
    TestReconciler t(api, Object(submitted_app), PodIn("pi-1-driver", "driver", "Running"), options, one_lane);
    BusyLane busy(t.submitter, 2);
    REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
    CHECK(api.Writes() == 1);
  }
}

TEST_CASE("a reconcile after a status write reads what it wrote, not the cache's older copy") {
  FakeApiServer api;
  ReconcilerOptions options;
  options.ui.service_type = UiServiceType::kNone;
  options.executor_status_wait = std::chrono::milliseconds(0);
  TestReconciler t(api, Object(kRunningApp), PodIn("pi-1-driver", "driver", "Running"), options);

  t.executors = {PodIn("pi-1-exec-1", "executor", "Pending")};
  REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
  REQUIRE(api.Writes() == 1);

  // The cache still holds the app as it was before the first write: the second write is made on the object the
  // first returned, and is not refused.
  t.driver = PodIn("pi-1-driver", "driver", "Succeeded");
  REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
  REQUIRE(api.Writes() >= 2);
  const rapidjson::Document written = api.StatusWrite(1);
  CHECK(GetString(written, {"status", "applicationState", "state"}) == "COMPLETED");
  CHECK(api.version == "9");  // Both writes taken.
}

TEST_CASE("an app beyond the native submission backlog stays NEW and unmarked, and comes back for a slot") {
  FakeApiServer api;
  ReconcilerOptions options;
  options.native_submission = true;
  options.submission_backlog = 0;  // Every slot taken.
  TestReconciler t(api, Object(kNewApp), nullptr, options);

  const ReconcileResult waiting = t.reconciler->Reconcile("jobs/pi");
  REQUIRE(waiting.status.ok());
  CHECK(api.Writes() == 0);  // No attempt mark: nothing was started.
  CHECK(t.submitter.Queued() == 0);
  REQUIRE(waiting.requeue_after.has_value());
  CHECK(*waiting.requeue_after == std::chrono::seconds(30));  // A safety net: a freed slot wakes it.
}

TEST_CASE("before the pod cache is full a running app waits for it - no read, no write, no retry - then is decided") {
  FakeApiServer api;
  api.pod_status = 404;  // Asked, the server would say the driver is gone.
  ReconcilerOptions options;
  options.ui.service_type = UiServiceType::kNone;
  options.executor_status_wait = std::chrono::milliseconds(0);
  TestReconciler t(api, Object(kRunningApp), nullptr, options);
  t.pods_listed = false;

  const ReconcileResult waiting = t.reconciler->Reconcile("jobs/pi");
  CHECK(waiting.status.ok());
  CHECK_FALSE(waiting.requeue_after.has_value());  // The manager queues it once the pods are listed.
  CHECK(api.pod_gets == 0);
  CHECK(api.Writes() == 0);  // Not FAILED for a driver the cache has not listed yet.

  // Listed: the driver runs and has an executor.
  t.driver = PodIn("pi-1-driver", "driver", "Running");
  t.executors = {PodIn("pi-1-exec-1", "executor", "Running")};
  t.pods_listed = true;
  REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
  REQUIRE(api.Writes() == 1);
  const rapidjson::Document written = api.StatusWrite(0);
  CHECK(GetString(written, {"status", "applicationState", "state"}) == "RUNNING");
  CHECK(GetString(written, {"status", "executorState", "pi-1-exec-1"}) == "RUNNING");
}

TEST_CASE("before the pod cache is full a new app is marked and submitted all the same") {
  FakeApiServer api;
  ReconcilerOptions options;
  options.native_submission = true;
  TestReconciler t(api, Object(kNewApp), nullptr, options);
  t.pods_listed = false;

  REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
  REQUIRE(api.Writes() == 1);  // The attempt's mark.
  const rapidjson::Document mark = api.StatusWrite(0);
  CHECK(GetInt(mark, {"status", "submissionAttempts"}) == 1);
  // Handed to the submitter: queued, running, or already done.
  CHECK((t.submitter.InFlight("uid-1", 1) || t.submitter.PeekResult("uid-1", 1).has_value()));
  CHECK(api.pod_gets == 0);
}

TEST_CASE("before the pod cache is full a new app that ships its logs is not started - its pods must be held") {
  FakeApiServer api;
  logs::LogShipper shipper(logs::ShipperOptions{});
  logs::LogKeeperOptions log_options;
  log_options.default_destination = "file:///tmp/spark-logs";
  logs::LogKeeper keeper(ClientOf(api), shipper, log_options);
  ReconcilerOptions options;
  options.native_submission = true;
  options.logs = &keeper;
  TestReconciler t(api, Object(kNewApp), nullptr, options);
  t.pods_listed = false;

  const ReconcileResult waiting = t.reconciler->Reconcile("jobs/pi");
  CHECK(waiting.status.ok());
  CHECK_FALSE(waiting.requeue_after.has_value());  // Queued again once the pods are listed.
  CHECK(api.Writes() == 0);                        // No mark.
  CHECK_FALSE(t.submitter.InFlight("uid-1", 1));

  t.pods_listed = true;
  REQUIRE(t.reconciler->Reconcile("jobs/pi").status.ok());
  CHECK(api.Writes() >= 1);  // Marked now.
  CHECK((t.submitter.InFlight("uid-1", 1) || t.submitter.PeekResult("uid-1", 1).has_value()));
}

}  // namespace
}  // namespace spark_operator::controller
