// Which pods' logs are owed and when a run's logs are complete (controller/logs/log_plan.h).
#include "controller/logs/log_plan.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/base/json.h"
#include "common/kube/pod.h"

namespace spark_operator::controller::logs {
namespace {

using std::chrono::seconds;

const kube::WallTime kNow = *kube::ParseTime("2026-12-02T10:00:00Z");

// A pod as the cache holds it. `finished` is the driver container's finishedAt, when it terminated.
rapidjson::Document Pod(const std::string& name, const std::string& role, int attempt, const std::string& phase,
                        bool held, const std::string& finished = "", bool deleting = false) {
  std::string json = R"({"metadata":{"name":")" + name + R"(","uid":"u-)" + name + R"(","labels":{"spark-role":")" +
                     role + R"(","spark-operator.k8s.io/submission-attempt":")" + std::to_string(attempt) + "\"}";
  if (held) json += R"(,"finalizers":["example.com/other","spark-operator.k8s.io/logs"])";
  if (deleting) json += R"(,"deletionTimestamp":"2026-12-02T09:59:00Z")";
  json += R"(},"spec":{"containers":[{"name":"spark"},{"name":"sidecar"}]},"status":{"phase":")" + phase + "\"";
  if (!finished.empty()) {
    json += R"(,"containerStatuses":[{"name":"spark","state":{"terminated":{"exitCode":3,"finishedAt":")" + finished +
            R"("}}}])";
  }
  json += "}}";
  Result<rapidjson::Document> doc = ParseJson(json);
  REQUIRE(doc.ok());
  return std::move(*doc);
}

std::vector<kube::Pod> Parsed(const std::vector<rapidjson::Document>& pods) {
  std::vector<kube::Pod> out;
  for (const rapidjson::Document& p : pods) out.push_back(kube::ParsePod(p));
  return out;
}

TEST_CASE("the finalizer goes on drivers and executors but not on pods being deleted or already held") {
  std::vector<rapidjson::Document> pods;
  pods.push_back(Pod("a-1-driver", "driver", 1, "Running", false));
  pods.push_back(Pod("a-exec-1", "executor", 1, "Running", false));
  pods.push_back(Pod("a-exec-2", "executor", 1, "Running", true));
  pods.push_back(Pod("a-exec-3", "executor", 1, "Running", false, "", /*deleting=*/true));
  pods.push_back(Pod("other", "shuffle", 1, "Running", false));
  // Shipped already: its finalizer went, and it is not held again.
  pods.push_back(Pod("a-exec-4", "executor", 1, "Succeeded", false));
  SetString(pods.back(), {"metadata", "annotations", kLogsAnnotation}, "shipped");
  std::vector<std::string> names;
  const std::vector<kube::Pod> parsed = Parsed(pods);
  for (const kube::Pod* p : PodsToProtect(parsed, true)) names.push_back(p->meta.name);
  CHECK(names == std::vector<std::string>{"a-1-driver", "a-exec-1"});
  names.clear();
  for (const kube::Pod* p : PodsToProtect(parsed, false)) names.push_back(p->meta.name);
  CHECK(names == std::vector<std::string>{"a-1-driver"});
}

TEST_CASE("a run is owed while its pods hold the finalizer and ready once they have all ended") {
  std::vector<rapidjson::Document> pods;
  pods.push_back(Pod("a-exec-1", "executor", 1, "Running", true));
  pods.push_back(Pod("a-1-driver", "driver", 1, "Running", true));
  pods.push_back(Pod("unheld", "executor", 1, "Running", false));

  std::vector<AttemptLogs> owed = OwedAttempts(Parsed(pods), 1, false, kNow, seconds(30));
  REQUIRE(owed.size() == 1);
  CHECK_FALSE(owed[0].ended_at);  // Still running.
  CHECK_FALSE(owed[0].ready);
  REQUIRE(owed[0].pods.size() == 2);
  CHECK(owed[0].pods[0].name == "a-1-driver");  // The driver first.
  CHECK(owed[0].pods[0].containers.size() == 2);

  // The driver ended 10 s ago; its executor is still being stopped: ended, not yet ready.
  pods[1] = Pod("a-1-driver", "driver", 1, "Failed", true, "2026-12-02T09:59:50Z");
  owed = OwedAttempts(Parsed(pods), 1, false, kNow, seconds(30));
  REQUIRE(owed[0].ended_at);
  CHECK(*owed[0].ended_at == *kube::ParseTime("2026-12-02T09:59:50Z"));
  CHECK_FALSE(owed[0].ready);
  REQUIRE(owed[0].pods[0].containers[0].exit_code);
  CHECK(*owed[0].pods[0].containers[0].exit_code == 3);
  CHECK_FALSE(owed[0].pods[0].containers[1].exit_code);

  // ...ready after the grace, or as soon as the executor ends or is being deleted.
  CHECK(OwedAttempts(Parsed(pods), 1, false, kNow, seconds(5))[0].ready);
  pods[0] = Pod("a-exec-1", "executor", 1, "Running", true, "", /*deleting=*/true);
  CHECK(OwedAttempts(Parsed(pods), 1, false, kNow, seconds(30))[0].ready);
}

TEST_CASE("runs are told apart by attempt and a run without its driver has ended once a later one exists") {
  std::vector<rapidjson::Document> pods;
  pods.push_back(Pod("a-exec-1", "executor", 1, "Succeeded", true));
  pods.push_back(Pod("a-2-driver", "driver", 2, "Running", true));
  const std::vector<AttemptLogs> owed = OwedAttempts(Parsed(pods), 2, false, kNow, seconds(30));
  REQUIRE(owed.size() == 2);
  CHECK(owed[0].attempt == 1);
  CHECK(owed[0].ended_at);
  CHECK(owed[0].ready);
  CHECK(owed[1].attempt == 2);
  CHECK_FALSE(owed[1].ended_at);
  // The current run's running executor without a driver in sight has not ended, unless the app is being
  // deleted; once every pod the run holds has ended, the run has.
  pods.erase(pods.begin() + 1);
  pods[0] = Pod("a-exec-1", "executor", 1, "Running", true);
  CHECK_FALSE(OwedAttempts(Parsed(pods), 1, false, kNow, seconds(30))[0].ended_at);
  CHECK(OwedAttempts(Parsed(pods), 1, true, kNow, seconds(30))[0].ended_at);
  pods[0] = Pod("a-exec-1", "executor", 1, "Succeeded", true, "2026-12-02T09:00:00Z");
  const AttemptLogs done = OwedAttempts(Parsed(pods), 1, false, kNow, seconds(30))[0];
  CHECK(done.ready);
  CHECK(*done.ended_at == *kube::ParseTime("2026-12-02T09:00:00Z"));
}

TEST_CASE("a run released only in part is copied again whole and a driver already let go counts as ended") {
  std::vector<rapidjson::Document> pods;
  pods.push_back(Pod("a-1-driver", "driver", 1, "Succeeded", false, "2026-12-02T09:59:00Z"));
  SetString(pods.back(), {"metadata", "annotations", kLogsAnnotation}, "shipped");
  pods.push_back(Pod("a-exec-1", "executor", 1, "Succeeded", false));
  SetString(pods.back(), {"metadata", "annotations", kLogsAnnotation}, "shipped");
  pods.push_back(Pod("a-exec-2", "executor", 1, "Running", true));
  pods.push_back(Pod("a-exec-3", "executor", 1, "Succeeded", false));
  SetString(pods.back(), {"metadata", "annotations", kLogsAnnotation}, "lost");
  const std::vector<AttemptLogs> owed = OwedAttempts(Parsed(pods), 1, false, kNow, seconds(30));
  REQUIRE(owed.size() == 1);
  std::vector<std::string> names;
  for (const PodLog& p : owed[0].pods) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"a-1-driver", "a-exec-1", "a-exec-2"});
  REQUIRE(owed[0].ended_at);
  CHECK(*owed[0].ended_at == *kube::ParseTime("2026-12-02T09:59:00Z"));
  CHECK(owed[0].ready);  // The running executor's grace has passed.
  // Nothing held: nothing owed.
  pods.pop_back();
  pods.pop_back();
  CHECK(OwedAttempts(Parsed(pods), 1, false, kNow, seconds(30)).empty());
}

TEST_CASE("log objects are keyed by namespace and app and run number and app UID and pod and container") {
  const std::string uid = "3f2a9c1b-0d4e-4b6a-9a7c-5e8f1d2c3b4a";
  CHECK(LogObjectKey("jobs", "pi", uid, 2, "pi-2-driver", "spark-kubernetes-driver") ==
        "jobs/pi/2-3f2a9c1b/pi-2-driver/spark-kubernetes-driver.log");
  CHECK(ManifestKey("jobs", "pi", uid, 2) == "jobs/pi/2-3f2a9c1b/manifest.json");
  // Another run of the app (a spec change counts on), or the app created again under its name: other keys.
  CHECK(ManifestKey("jobs", "pi", uid, 3) != ManifestKey("jobs", "pi", uid, 2));
  CHECK(ManifestKey("jobs", "pi", "9b8c7d6e-0000-4000-8000-000000000000", 2) != ManifestKey("jobs", "pi", uid, 2));
}

}  // namespace
}  // namespace spark_operator::controller::logs
