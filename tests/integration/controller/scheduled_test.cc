// ScheduledSparkApplications against the local API server, with time the test moves: the controller's work
// queue runs on a FakeClock and its wall clock on that FakeClock, so advancing it makes runs due and wakes the
// controller at once. No SparkApplication controller runs: the test finishes runs by writing their status.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common/kube/time_format.h"
#include "controller/scheduled_reconciler.h"
#include "tests/integration/controller/harness.h"

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

void CreateScheduled(kube::Client& client, const std::string& ns, const std::string& name, const std::string& spec) {
  const auto created = client.Create(
      kScheduledSparkApplications, ns,
      Json(R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"ScheduledSparkApplication","metadata":{"name":")" +
           name + R"("},"spec":)" + spec + "}"));
  if (!created.ok()) FAIL("creating " << name << ": " << created.status().ToString());
}

void PatchSpec(kube::Client& client, const std::string& ns, const std::string& name, const std::string& spec) {
  const auto patched =
      client.Patch(kScheduledSparkApplications, ns, name, kube::PatchType::kMerge, R"({"spec":)" + spec + "}");
  if (!patched.ok()) FAIL("patching " << name << ": " << patched.status().ToString());
}

std::string StatusField(kube::Client& client, const std::string& ns, const std::string& name, const char* field) {
  const auto s = client.Get(kScheduledSparkApplications, ns, name);
  return s.ok() ? GetString(*s, {"status", field}) : "";
}

// Names of the runs, sorted.
std::vector<std::string> Runs(kube::Client& client, const std::string& ns, const std::string& name) {
  kube::ListOptions options;
  options.label_selector = std::string(kScheduledAppNameLabel) + "=" + name;
  std::vector<std::string> names;
  const auto apps = client.List(kube::resources::kSparkApplications, ns, options);
  if (!apps.ok()) return names;
  for (const rapidjson::Value& app : (*apps)["items"].GetArray()) {
    if (GetString(app, {"metadata", "deletionTimestamp"}).empty()) names.push_back(NameOf(app));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Plays the SparkApplication controller: the run ends in `state`.
void Finish(kube::Client& client, const std::string& ns, const std::string& run, const std::string& state) {
  rapidjson::Document app = GetApp(client, ns, run);
  SetString(app, {"status", "applicationState", "state"}, state);
  const auto written = client.UpdateStatus(kube::resources::kSparkApplications, app);
  if (!written.ok()) FAIL("finishing " << run << ": " << written.status().ToString());
}

using Names = std::vector<std::string>;

TEST_CASE("scheduled runs are created at their times, named by them, owned and labelled, with the template") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "sched");
  Scheduler scheduler(client, ns.name());
  CreateScheduled(*client, ns.name(), "pi",
                  R"({"schedule": "*/5 * * * *", "template": )" + std::string(kTemplate) + "}");
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "pi", "nextRun") == "2030-01-01T00:05:00Z"; }));
  CHECK(StatusField(*client, ns.name(), "pi", "scheduleState") == "Scheduled");
  CHECK(Runs(*client, ns.name(), "pi").empty());

  scheduler.Advance(minutes(4));
  const std::string first = "pi-" + Unix("2030-01-01T00:05:00Z");
  REQUIRE(Eventually([&] { return Runs(*client, ns.name(), "pi") == Names{first}; }));
  CHECK(Eventually([&] { return StatusField(*client, ns.name(), "pi", "nextRun") == "2030-01-01T00:10:00Z"; }));
  CHECK(StatusField(*client, ns.name(), "pi", "lastRun") == "2030-01-01T00:05:00Z");
  CHECK(StatusField(*client, ns.name(), "pi", "lastRunName") == first);
  CHECK(HasEvent(*client, ns.name(), "pi", "Normal/ScheduledRunCreated: created SparkApplication " + first));

  const rapidjson::Document run = GetApp(*client, ns.name(), first);
  const rapidjson::Document owner = *client->Get(kScheduledSparkApplications, ns.name(), "pi");
  CHECK(GetString(run, {"metadata", "labels", "spark-operator.k8s.io/scheduled-app-name"}) == "pi");
  const rapidjson::Value& ref = run["metadata"]["ownerReferences"][0];
  CHECK(GetString(ref, {"kind"}) == "ScheduledSparkApplication");
  CHECK(GetString(ref, {"uid"}) == UidOf(owner));
  CHECK(GetBool(ref, {"controller"}));
  CHECK(ToJson(run["spec"]) == ToJson(owner["spec"]["template"]));

  scheduler.Advance(minutes(5));
  CHECK(Eventually([&] { return Runs(*client, ns.name(), "pi").size() == 2; }));
  CHECK(Runs(*client, ns.name(), "pi")[1] == "pi-" + Unix("2030-01-01T00:10:00Z"));
}

TEST_CASE("Forbid skips a run while the last one runs, Replace deletes it and runs the new one") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "sched");
  Scheduler scheduler(client, ns.name());
  const std::string spec = R"({"schedule": "*/5 * * * *", "template": )" + std::string(kTemplate);
  CreateScheduled(*client, ns.name(), "forbid", spec + R"(, "concurrencyPolicy": "Forbid"})");
  CreateScheduled(*client, ns.name(), "replace", spec + R"(, "concurrencyPolicy": "Replace"})");
  REQUIRE(Eventually([&] { return !StatusField(*client, ns.name(), "replace", "nextRun").empty(); }));
  REQUIRE(Eventually([&] { return !StatusField(*client, ns.name(), "forbid", "nextRun").empty(); }));
  scheduler.Advance(minutes(4));
  const std::string at5 = Unix("2030-01-01T00:05:00Z");
  const std::string at10 = Unix("2030-01-01T00:10:00Z");
  REQUIRE(Eventually([&] { return Runs(*client, ns.name(), "forbid") == Names{"forbid-" + at5}; }));
  REQUIRE(Eventually([&] { return Runs(*client, ns.name(), "replace") == Names{"replace-" + at5}; }));

  scheduler.Advance(minutes(5));
  CHECK(Eventually([&] { return Runs(*client, ns.name(), "replace") == Names{"replace-" + at10}; }));
  CHECK(HasEvent(*client, ns.name(), "replace", "Normal/ScheduledRunReplaced: deleting replace-" + at5));
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "forbid", "nextRun") == "2030-01-01T00:15:00Z"; }));
  CHECK(Runs(*client, ns.name(), "forbid") == Names{"forbid-" + at5});
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "forbid", "Normal/ScheduledRunSkipped"); }));

  // Finished, it no longer blocks (once the controller has seen it finish).
  Finish(*client, ns.name(), "forbid-" + at5, "COMPLETED");
  REQUIRE(Eventually([&] {
    const auto f = client->Get(kScheduledSparkApplications, ns.name(), "forbid");
    return f.ok() && ToJson((*f)["status"]).find("\"pastSuccessfulRunNames\":[\"forbid-" + at5) != std::string::npos;
  }));
  scheduler.Advance(minutes(5));
  CHECK(Eventually([&] {
    return Runs(*client, ns.name(), "forbid") == Names{"forbid-" + at5, "forbid-" + Unix("2030-01-01T00:15:00Z")};
  }));
}

TEST_CASE("finished runs beyond the history limits are deleted, and the status names the ones kept") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "sched");
  Scheduler scheduler(client, ns.name());
  CreateScheduled(*client, ns.name(), "h",
                  R"({"schedule": "* * * * *", "successfulRunHistoryLimit": 1, "failedRunHistoryLimit": 1,
                      "template": )" +
                      std::string(kTemplate) + "}");
  REQUIRE(Eventually([&] { return !StatusField(*client, ns.name(), "h", "nextRun").empty(); }));
  const std::vector<std::string> states{"COMPLETED", "COMPLETED", "FAILED", "SUBMISSION_FAILED"};
  std::vector<std::string> runs;
  for (size_t i = 0; i < states.size(); ++i) {
    scheduler.Advance(minutes(1));
    runs.push_back("h-" + Unix("2030-01-01T00:0" + std::to_string(2 + i) + ":00Z"));
    REQUIRE(Eventually([&] {
      const Names now = Runs(*client, ns.name(), "h");
      return std::find(now.begin(), now.end(), runs.back()) != now.end();
    }));
    Finish(*client, ns.name(), runs.back(), states[i]);
  }
  CHECK(Eventually([&] { return Runs(*client, ns.name(), "h") == Names{runs[1], runs[3]}; }));
  CHECK(Eventually([&] {
    const auto now = client->Get(kScheduledSparkApplications, ns.name(), "h");
    return now.ok() && ToJson((*now)["status"]["pastSuccessfulRunNames"]) == "[\"" + runs[1] + "\"]" &&
           ToJson((*now)["status"]["pastFailedRunNames"]) == "[\"" + runs[3] + "\"]";
  }));
}

TEST_CASE("suspend stops new runs, and a schedule change applies from the next run of the new schedule") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "sched");
  Scheduler scheduler(client, ns.name());
  CreateScheduled(*client, ns.name(), "s", R"({"schedule": "0 * * * *", "template": )" + std::string(kTemplate) + "}");
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "s", "nextRun") == "2030-01-01T01:00:00Z"; }));

  // A new schedule at 00:01: its next time (00:10) is the next run, not the old schedule's 01:00.
  PatchSpec(*client, ns.name(), "s", R"({"schedule": "*/10 * * * *"})");
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "s", "nextRun") == "2030-01-01T00:10:00Z"; }));
  scheduler.Advance(minutes(9));
  REQUIRE(Eventually([&] { return Runs(*client, ns.name(), "s") == Names{"s-" + Unix("2030-01-01T00:10:00Z")}; }));

  PatchSpec(*client, ns.name(), "s", R"({"suspend": true})");
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "s", "scheduleState") == "Suspended"; }));
  CHECK(StatusField(*client, ns.name(), "s", "nextRun").empty());
  scheduler.Advance(minutes(25));  // 00:35: 00:20 and 00:30 pass suspended.
  PatchSpec(*client, ns.name(), "s", R"({"suspend": false})");
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "s", "nextRun") == "2030-01-01T00:40:00Z"; }));
  CHECK(Runs(*client, ns.name(), "s").size() == 1);
  scheduler.Advance(minutes(5));
  CHECK(Eventually([&] { return Runs(*client, ns.name(), "s").size() == 2; }));
  CHECK(Runs(*client, ns.name(), "s")[1] == "s-" + Unix("2030-01-01T00:40:00Z"));
}

TEST_CASE("an invalid schedule is FailedValidation with an Event, and a fixed one runs again on its own") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "sched");
  Scheduler scheduler(client, ns.name());
  CreateScheduled(*client, ns.name(), "bad",
                  R"({"schedule": "61 * * * *", "template": )" + std::string(kTemplate) + "}");
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "bad", "scheduleState") == "FailedValidation"; }));
  const std::string reason = "spec.schedule: minute field \"61\": 61 is out of range 0-59";
  CHECK(StatusField(*client, ns.name(), "bad", "reason") == reason);
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "bad", "Warning/FailedValidation: " + reason); }));

  // A template the SparkApplication rules refuse is invalid the same way.
  PatchSpec(*client, ns.name(), "bad", R"({"schedule": "*/5 * * * *", "template": {"mainClass": null}})");
  REQUIRE(Eventually([&] {
    return StatusField(*client, ns.name(), "bad", "reason") ==
           "spec.template.mainClass: required for Scala applications";
  }));
  scheduler.Advance(minutes(10));
  CHECK(Runs(*client, ns.name(), "bad").empty());

  PatchSpec(*client, ns.name(), "bad", R"({"template": {"mainClass": "org.apache.spark.examples.SparkPi"}})");
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "bad", "scheduleState") == "Scheduled"; }));
  CHECK(StatusField(*client, ns.name(), "bad", "reason").empty());
  CHECK(StatusField(*client, ns.name(), "bad", "nextRun") == "2030-01-01T00:15:00Z");
  scheduler.Advance(minutes(4));
  CHECK(Eventually([&] { return Runs(*client, ns.name(), "bad") == Names{"bad-" + Unix("2030-01-01T00:15:00Z")}; }));
}

TEST_CASE("a restarted controller neither creates a run twice nor catches up every missed one") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "sched");
  Scheduler scheduler(client, ns.name());
  CreateScheduled(*client, ns.name(), "r",
                  R"({"schedule": "*/5 * * * *", "template": )" + std::string(kTemplate) + "}");
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "r", "nextRun") == "2030-01-01T00:05:00Z"; }));
  scheduler.Advance(minutes(4));
  const std::string at5 = "r-" + Unix("2030-01-01T00:05:00Z");
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "r", "lastRunName") == at5; }));

  // A crash between creating the run and writing the status: the status still says 00:05 is due.
  scheduler.Stop();
  rapidjson::Document r = *client->Get(kScheduledSparkApplications, ns.name(), "r");
  SetString(r, {"status", "nextRun"}, "2030-01-01T00:05:00Z");
  SetString(r, {"status", "lastRunName"}, "");
  SetString(r, {"status", "lastRun"}, "");
  REQUIRE(client->UpdateStatus(kScheduledSparkApplications, r).ok());
  scheduler.Start();
  REQUIRE(Eventually([&] { return StatusField(*client, ns.name(), "r", "lastRunName") == at5; }));
  CHECK(StatusField(*client, ns.name(), "r", "nextRun") == "2030-01-01T00:10:00Z");
  CHECK(Runs(*client, ns.name(), "r") == Names{at5});

  // Down through 00:10, 00:15 and 00:20: one run, for 00:20, when it is back.
  scheduler.Stop();
  scheduler.Advance(minutes(17));  // 00:22.
  scheduler.Start();
  const std::string at20 = "r-" + Unix("2030-01-01T00:20:00Z");
  CHECK(Eventually([&] { return Runs(*client, ns.name(), "r") == Names{at5, at20}; }));
  CHECK(Eventually([&] { return StatusField(*client, ns.name(), "r", "nextRun") == "2030-01-01T00:25:00Z"; }));
}

}  // namespace
}  // namespace spark_operator::controller::testing
