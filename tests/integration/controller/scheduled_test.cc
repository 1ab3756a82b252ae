// ScheduledSparkApplications against the local API server, with time the test moves: the controller's work
// queue runs on a FakeClock and its wall clock on that FakeClock, so advancing it makes runs due and wakes the
// controller at once. No SparkApplication controller runs: the test finishes runs by writing their status.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common/kube/time_format.h"
#include "controller/scheduled_reconciler.h"
#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

using std::chrono::minutes;

WallTime At(const std::string& rfc3339) { return *kube::ParseTime(rfc3339); }

std::string Unix(const std::string& rfc3339) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(At(rfc3339).time_since_epoch()).count());
}

constexpr char kTemplate[] = R"({"type": "Scala", "mainClass": "org.apache.spark.examples.SparkPi",
    "mainApplicationFile": "local:///opt/spark/examples/jars/spark-examples.jar", "image": "apache/spark:4.2.0",
    "driver": {"cores": 0.1, "memory": "512m"}})";

// The controller under test, its clocks (wall time starts at 2030-01-01T00:01:00Z) and Events to the API server.
class Scheduler {
 public:
  Scheduler(std::shared_ptr<kube::Client> client, std::string ns)
      : client_(std::move(client)),
        ns_(std::move(ns)),
        recorder_(std::make_shared<kube::EventRecorder>(client_)),
        events_(recorder_) {
    Start();
  }
  ~Scheduler() { controller_->Stop(); }

  void Start() {
    controller_ = std::make_unique<ScheduledController>(
        client_, events_,
        ScheduledControllerOptions{.workers = 2, .namespaces = {ns_}, .wall_clock = &wall_, .queue_clock = &clock_});
    controller_->StartInformers();
    controller_->StartWorkersWhenSynced();
  }
  // A crash: the next process (Start) knows only what the API server has.
  void Stop() { controller_->Stop(); }
  void Advance(Clock::Duration d) { clock_.Advance(d); }

 private:
  std::shared_ptr<kube::Client> client_;
  std::string ns_;
  FakeClock clock_;
  FakeWallClock wall_{clock_, At("2030-01-01T00:01:00Z")};
  std::shared_ptr<kube::EventRecorder> recorder_;
  RecorderEvents events_;
  std::unique_ptr<ScheduledController> controller_;
};

using Names = std::vector<std::string>;

// A namespace of its own, the controller on it, and what a user does and sees there.
class ScheduledTest {
 public:
  ScheduledTest() : client_(Setup()), ns_(client_, "sched"), scheduler_(client_, ns_.name()) {}

 protected:
  static std::shared_ptr<kube::Client> Setup() {
    auto client = AdminClient();
    EnsureCrd(*client);
    return client;
  }

  void Create(const std::string& name, const std::string& schedule, const std::string& more = "") {
    const auto created = client_->Create(
        kScheduledSparkApplications, ns_.name(),
        Json(
            R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"ScheduledSparkApplication","metadata":{"name":")" +
            name + R"("},"spec":{"schedule":")" + schedule + R"(","template":)" + kTemplate + more + "}}"));
    if (!created.ok()) FAIL("creating " << name << ": " << created.status().ToString());
  }

  void PatchSpec(const std::string& name, const std::string& spec) {
    const auto patched = client_->Patch(kScheduledSparkApplications, ns_.name(), name, kube::PatchType::kMerge,
                                        R"({"spec":)" + spec + "}");
    if (!patched.ok()) FAIL("patching " << name << ": " << patched.status().ToString());
  }

  // .status.<field> as JSON text without quotes for strings: "Scheduled", "[\"a\"]".
  std::string StatusOf(const std::string& name, const char* field) {
    const auto s = client_->Get(kScheduledSparkApplications, ns_.name(), name);
    if (!s.ok()) return "";
    const rapidjson::Value* v = FindPath(*s, {"status", field});
    if (v == nullptr) return "";
    return v->IsString() ? std::string(v->GetString()) : ToJson(*v);
  }

  // Names of the runs, sorted.
  Names Runs(const std::string& name) {
    kube::ListOptions options;
    options.label_selector = std::string(kScheduledAppNameLabel) + "=" + name;
    Names names;
    const auto apps = client_->List(kube::resources::kSparkApplications, ns_.name(), options);
    if (!apps.ok()) return names;
    for (const rapidjson::Value& app : (*apps)["items"].GetArray()) {
      if (GetString(app, {"metadata", "deletionTimestamp"}).empty()) names.push_back(NameOf(app));
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  // Plays the SparkApplication controller: the run ends in `state`.
  void Finish(const std::string& run, const std::string& state) {
    rapidjson::Document app = GetApp(*client_, ns_.name(), run);
    SetString(app, {"status", "applicationState", "state"}, state);
    const auto written = client_->UpdateStatus(kube::resources::kSparkApplications, app);
    if (!written.ok()) FAIL("finishing " << run << ": " << written.status().ToString());
  }

  bool Event(const std::string& name, const std::string& prefix) {
    return Eventually([&] { return HasEvent(*client_, ns_.name(), name, prefix); });
  }

  std::shared_ptr<kube::Client> client_;
  TestNamespace ns_;
  Scheduler scheduler_;
};

TEST_CASE_METHOD(ScheduledTest, "scheduled runs are created at their times, named by them, owned and labelled") {
  Create("pi", "*/5 * * * *");
  REQUIRE(Eventually([&] { return StatusOf("pi", "nextRun") == "2030-01-01T00:05:00Z"; }));
  CHECK(StatusOf("pi", "scheduleState") == "Scheduled");
  CHECK(Runs("pi").empty());

  scheduler_.Advance(minutes(4));
  const std::string first = "pi-" + Unix("2030-01-01T00:05:00Z");
  REQUIRE(Eventually([&] { return Runs("pi") == Names{first}; }));
  CHECK(Eventually([&] { return StatusOf("pi", "nextRun") == "2030-01-01T00:10:00Z"; }));
  CHECK(StatusOf("pi", "lastRun") == "2030-01-01T00:05:00Z");
  CHECK(StatusOf("pi", "lastRunName") == first);
  CHECK(Event("pi", "Normal/ScheduledRunCreated: created SparkApplication " + first));

  const rapidjson::Document run = GetApp(*client_, ns_.name(), first);
  const rapidjson::Document owner = *client_->Get(kScheduledSparkApplications, ns_.name(), "pi");
  CHECK(GetString(run, {"metadata", "labels", "spark-operator.k8s.io/scheduled-app-name"}) == "pi");
  const rapidjson::Value& ref = run["metadata"]["ownerReferences"][0];
  CHECK(GetString(ref, {"kind"}) == "ScheduledSparkApplication");
  CHECK(GetString(ref, {"uid"}) == UidOf(owner));
  CHECK(GetBool(ref, {"controller"}));
  CHECK(ToJson(run["spec"]) == ToJson(owner["spec"]["template"]));

  scheduler_.Advance(minutes(5));
  CHECK(Eventually([&] { return Runs("pi") == Names{first, "pi-" + Unix("2030-01-01T00:10:00Z")}; }));
}

TEST_CASE_METHOD(ScheduledTest, "Forbid skips a run while the last one runs, Replace deletes it and runs anew") {
  Create("forbid", "*/5 * * * *", R"(, "concurrencyPolicy": "Forbid")");
  Create("replace", "*/5 * * * *", R"(, "concurrencyPolicy": "Replace")");
  REQUIRE(
      Eventually([&] { return !StatusOf("replace", "nextRun").empty() && !StatusOf("forbid", "nextRun").empty(); }));
  scheduler_.Advance(minutes(4));
  const std::string at5 = Unix("2030-01-01T00:05:00Z");
  const std::string at10 = Unix("2030-01-01T00:10:00Z");
  REQUIRE(Eventually([&] { return Runs("forbid") == Names{"forbid-" + at5}; }));
  REQUIRE(Eventually([&] { return Runs("replace") == Names{"replace-" + at5}; }));

  scheduler_.Advance(minutes(5));
  CHECK(Eventually([&] { return Runs("replace") == Names{"replace-" + at10}; }));
  CHECK(Event("replace", "Normal/ScheduledRunReplaced: deleting replace-" + at5));
  REQUIRE(Eventually([&] { return StatusOf("forbid", "nextRun") == "2030-01-01T00:15:00Z"; }));
  CHECK(Runs("forbid") == Names{"forbid-" + at5});
  CHECK(Event("forbid", "Normal/ScheduledRunSkipped: run for 2030-01-01T00:10:00Z skipped: forbid-" + at5));

  // Finished, it no longer blocks (once the controller has seen it finish).
  Finish("forbid-" + at5, "COMPLETED");
  REQUIRE(Eventually([&] { return StatusOf("forbid", "pastSuccessfulRunNames") == "[\"forbid-" + at5 + "\"]"; }));
  scheduler_.Advance(minutes(5));
  CHECK(Eventually([&] { return Runs("forbid") == Names{"forbid-" + at5, "forbid-" + Unix("2030-01-01T00:15:00Z")}; }));
}

TEST_CASE_METHOD(ScheduledTest, "finished runs beyond the history limits are deleted, the status names the kept") {
  Create("h", "* * * * *", R"(, "successfulRunHistoryLimit": 1, "failedRunHistoryLimit": 1)");
  REQUIRE(Eventually([&] { return !StatusOf("h", "nextRun").empty(); }));
  const std::vector<std::string> states{"COMPLETED", "COMPLETED", "FAILED", "SUBMISSION_FAILED"};
  Names runs;
  for (size_t i = 0; i < states.size(); ++i) {
    scheduler_.Advance(minutes(1));
    runs.push_back("h-" + Unix("2030-01-01T00:0" + std::to_string(2 + i) + ":00Z"));
    REQUIRE(Eventually([&] { return StatusOf("h", "lastRunName") == runs.back(); }));
    Finish(runs.back(), states[i]);
  }
  CHECK(Eventually([&] { return Runs("h") == Names{runs[1], runs[3]}; }));
  CHECK(Eventually([&] { return StatusOf("h", "pastSuccessfulRunNames") == "[\"" + runs[1] + "\"]"; }));
  CHECK(Eventually([&] { return StatusOf("h", "pastFailedRunNames") == "[\"" + runs[3] + "\"]"; }));
}

TEST_CASE_METHOD(ScheduledTest, "a schedule change applies from the next run of the new schedule, suspend stops runs") {
  Create("s", "0 * * * *");
  REQUIRE(Eventually([&] { return StatusOf("s", "nextRun") == "2030-01-01T01:00:00Z"; }));

  // A new schedule at 00:01: its next time (00:10) is the next run, not the old schedule's 01:00.
  PatchSpec("s", R"({"schedule": "*/10 * * * *"})");
  REQUIRE(Eventually([&] { return StatusOf("s", "nextRun") == "2030-01-01T00:10:00Z"; }));
  scheduler_.Advance(minutes(9));
  const std::string at10 = "s-" + Unix("2030-01-01T00:10:00Z");
  REQUIRE(Eventually([&] { return Runs("s") == Names{at10}; }));

  PatchSpec("s", R"({"suspend": true})");
  REQUIRE(Eventually([&] { return StatusOf("s", "scheduleState") == "Suspended"; }));
  CHECK(StatusOf("s", "nextRun").empty());
  scheduler_.Advance(minutes(25));  // 00:35: 00:20 and 00:30 pass suspended.
  PatchSpec("s", R"({"suspend": false})");
  REQUIRE(Eventually([&] { return StatusOf("s", "nextRun") == "2030-01-01T00:40:00Z"; }));
  CHECK(Runs("s") == Names{at10});
  scheduler_.Advance(minutes(5));
  CHECK(Eventually([&] { return Runs("s") == Names{at10, "s-" + Unix("2030-01-01T00:40:00Z")}; }));
}

TEST_CASE_METHOD(ScheduledTest, "an invalid spec is FailedValidation with an Event, and once fixed runs again") {
  Create("bad", "61 * * * *");
  REQUIRE(Eventually([&] { return StatusOf("bad", "scheduleState") == "FailedValidation"; }));
  const std::string reason = "spec.schedule: minute field \"61\": 61 is out of range 0-59";
  CHECK(StatusOf("bad", "reason") == reason);
  CHECK(Event("bad", "Warning/FailedValidation: " + reason));

  // A template the SparkApplication rules refuse is invalid the same way.
  PatchSpec("bad", R"({"schedule": "*/5 * * * *", "template": {"mainClass": null}})");
  REQUIRE(Eventually(
      [&] { return StatusOf("bad", "reason") == "spec.template.mainClass: required for Scala applications"; }));
  scheduler_.Advance(minutes(10));
  CHECK(Runs("bad").empty());

  PatchSpec("bad", R"({"template": {"mainClass": "org.apache.spark.examples.SparkPi"}})");
  REQUIRE(Eventually([&] { return StatusOf("bad", "scheduleState") == "Scheduled"; }));
  CHECK(StatusOf("bad", "reason").empty());
  CHECK(StatusOf("bad", "nextRun") == "2030-01-01T00:15:00Z");
  CHECK(Event("bad", "Normal/Scheduled: the spec is valid again"));
  scheduler_.Advance(minutes(4));
  CHECK(Eventually([&] { return Runs("bad") == Names{"bad-" + Unix("2030-01-01T00:15:00Z")}; }));
}

TEST_CASE_METHOD(ScheduledTest, "a restarted controller neither creates a run twice nor catches up every missed one") {
  Create("r", "*/5 * * * *");
  REQUIRE(Eventually([&] { return StatusOf("r", "nextRun") == "2030-01-01T00:05:00Z"; }));
  scheduler_.Advance(minutes(4));
  const std::string at5 = "r-" + Unix("2030-01-01T00:05:00Z");
  REQUIRE(Eventually([&] { return StatusOf("r", "lastRunName") == at5; }));

  // A crash between creating the run and writing the status: the status still says 00:05 is due.
  scheduler_.Stop();
  rapidjson::Document r = *client_->Get(kScheduledSparkApplications, ns_.name(), "r");
  SetString(r, {"status", "nextRun"}, "2030-01-01T00:05:00Z");
  RemovePath(r, {"status", "lastRunName"});
  RemovePath(r, {"status", "lastRun"});
  const auto rewound = client_->UpdateStatus(kScheduledSparkApplications, r);
  INFO(rewound.status().ToString());
  REQUIRE(rewound.ok());
  scheduler_.Start();
  REQUIRE(Eventually([&] { return StatusOf("r", "lastRunName") == at5; }));
  CHECK(StatusOf("r", "nextRun") == "2030-01-01T00:10:00Z");
  CHECK(Runs("r") == Names{at5});

  // Down through 00:10, 00:15 and 00:20: one run, for 00:20, when it is back.
  scheduler_.Stop();
  scheduler_.Advance(minutes(17));  // 00:22.
  scheduler_.Start();
  CHECK(Eventually([&] { return Runs("r") == Names{at5, "r-" + Unix("2030-01-01T00:20:00Z")}; }));
  CHECK(Eventually([&] { return StatusOf("r", "nextRun") == "2030-01-01T00:25:00Z"; }));
}

TEST_CASE("the manager runs the ScheduledSparkApplication controller on its namespaces") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "sched");
  FakeClock clock;
  FakeWallClock wall(clock, At("2030-01-01T00:01:00Z"));
  RunningController manager(ns.name(), std::chrono::seconds(60), "", [&](ManagerOptions& options) {
    options.native_submission = true;
    options.scheduled_wall_clock = &wall;
    options.scheduled_queue_clock = &clock;
  });
  rapidjson::Document scheduled = Json(R"({"apiVersion":"spark-operator.k8s.io/v1alpha1",
      "kind":"ScheduledSparkApplication","metadata":{"name":"m"},"spec":{"schedule":"@hourly","template":)" +
                                       std::string(kTemplate) + "}}");
  REQUIRE(client->Create(kScheduledSparkApplications, ns.name(), scheduled).ok());
  const auto next_run = [&] {
    const auto m = client->Get(kScheduledSparkApplications, ns.name(), "m");
    return m.ok() ? GetString(*m, {"status", "nextRun"}) : "";
  };
  REQUIRE(Eventually([&] { return next_run() == "2030-01-01T01:00:00Z"; }));
  clock.Advance(minutes(59));
  CHECK(Eventually([&] { return GetApp(*client, ns.name(), "m-" + Unix("2030-01-01T01:00:00Z")).HasMember("spec"); }));
}

}  // namespace
}  // namespace spark_operator::controller::testing
