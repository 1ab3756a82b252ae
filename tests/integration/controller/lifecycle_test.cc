// The controller against the local cluster and the real spark-submit: the driver pods land on the simulated
// node, and the tests end them with an exit code as a real driver would.
#include <cstdio>
#include <fstream>

#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

constexpr auto kSubmitTimeout = std::chrono::seconds(120);

TEST_CASE("the example app goes NEW -> SUBMITTED -> RUNNING -> COMPLETED with driver info and a UI service") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  RunningController controller(ns.name());
  CreateApp(*client, ExampleApp(ns.name(), "pi"));

  REQUIRE(Eventually([&] { return State(*client, ns.name(), "pi") == "RUNNING"; }, kSubmitTimeout));
  rapidjson::Document app = GetApp(*client, ns.name(), "pi");
  CHECK(GetString(app, {"status", "driverInfo", "podName"}) == "pi-1-driver");
  CHECK(GetInt(app, {"status", "submissionAttempts"}) == 1);
  CHECK(GetInt(app, {"status", "executionAttempts"}) == 1);
  CHECK_FALSE(GetString(app, {"status", "submissionTime"}).empty());
  CHECK(GetString(app, {"status", "appId"}).rfind("spark-", 0) == 0);

  // The UI service selects the driver and its node port is reported.
  REQUIRE(Eventually([&] {
    return !GetString(GetApp(*client, ns.name(), "pi"), {"status", "driverInfo", "webUIURL"}).empty();
  }));
  app = GetApp(*client, ns.name(), "pi");
  CHECK(GetString(app, {"status", "driverInfo", "webUIServiceName"}) == "pi-ui-svc");
  const int64_t node_port = GetInt(app, {"status", "driverInfo", "webUIPort"});
  CHECK(node_port >= 30000);
  CHECK(GetString(app, {"status", "driverInfo", "webUIURL"}).find(":" + std::to_string(node_port)) !=
        std::string::npos);
  const Result<rapidjson::Document> svc = client->Get(kube::resources::kServices, ns.name(), "pi-ui-svc");
  REQUIRE(svc.ok());
  CHECK(GetString(*svc, {"spec", "type"}) == "NodePort");
  CHECK(FindPath(*svc, {"metadata", "ownerReferences"})->IsArray());

  // The driver is owned by the app, so that deleting the app removes it.
  REQUIRE(Eventually([&] {
    const Result<rapidjson::Document> pod = client->Get(kube::resources::kPods, ns.name(), "pi-1-driver");
    if (!pod.ok()) return false;
    const rapidjson::Value* owners = FindPath(*pod, {"metadata", "ownerReferences"});
    if (owners == nullptr || !owners->IsArray()) return false;
    for (const rapidjson::Value& o : owners->GetArray()) {
      if (GetString(o, {"kind"}) == "SparkApplication" && GetBool(o, {"blockOwnerDeletion"})) return true;
    }
    return false;
  }));

  // An executor pod (made as Spark makes them: labelled, owned by the driver) shows up in executorState.
  const Result<rapidjson::Document> driver = client->Get(kube::resources::kPods, ns.name(), "pi-1-driver");
  REQUIRE(driver.ok());
  rapidjson::Document exec = Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"pi-exec-1","labels":{
      "spark-role":"executor","spark-operator.k8s.io/app-name":"pi","spark-operator.k8s.io/submission-attempt":"1",
      "spark-operator.k8s.io/launched-by-spark-operator":"true"}},
      "spec":{"restartPolicy":"Never","containers":[{"name":"spark-kubernetes-executor","image":"apache/spark:4.2.0"}]}})");
  rapidjson::Value owners(rapidjson::kArrayType);
  rapidjson::Value owner(rapidjson::kObjectType);
  auto& a = exec.GetAllocator();
  owner.AddMember("apiVersion", "v1", a);
  owner.AddMember("kind", "Pod", a);
  owner.AddMember("name", "pi-1-driver", a);
  owner.AddMember("uid", JsonString(UidOf(*driver), a), a);
  owners.PushBack(owner, a);
  SetPath(exec, {"metadata", "ownerReferences"}, std::move(owners));
  REQUIRE(client->Create(kube::resources::kPods, ns.name(), exec).ok());
  CHECK(Eventually([&] {
    return GetString(GetApp(*client, ns.name(), "pi"), {"status", "executorState", "pi-exec-1"}) == "RUNNING";
  }));

  FinishPod(*client, ns.name(), "pi-exec-1", 0);
  FinishPod(*client, ns.name(), "pi-1-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "pi") == "COMPLETED"; }));
  app = GetApp(*client, ns.name(), "pi");
  CHECK_FALSE(GetString(app, {"status", "terminationTime"}).empty());
  // Eventually: the executor's end may reach the controller after its driver's (CI saw it RUNNING here).
  CHECK(Eventually([&] {
    return GetString(GetApp(*client, ns.name(), "pi"), {"status", "executorState", "pi-exec-1"}) == "COMPLETED";
  }));
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "pi", "Normal/SparkApplicationSubmitted"); }));
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "pi", "Normal/SparkDriverRunning"); }));
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "pi", "Normal/SparkApplicationCompleted"); }));
  CHECK(controller->metrics().submitted.Value() >= 1);
  CHECK(controller->metrics().completed.Value() >= 1);

  // Deleting the app lets the garbage collector remove the driver, its executors and the UI service.
  kube::DeleteOptions foreground;
  foreground.propagation = kube::Propagation::kForeground;
  REQUIRE(client->Delete(kube::resources::kSparkApplications, ns.name(), "pi", foreground).ok());
  CHECK(Eventually([&] { return IsNotFound(client->Get(kube::resources::kPods, ns.name(), "pi-1-driver").status()); },
                   std::chrono::seconds(60)));
  CHECK(Eventually([&] { return IsNotFound(client->Get(kube::resources::kPods, ns.name(), "pi-exec-1").status()); },
                   std::chrono::seconds(60)));
  CHECK(Eventually([&] { return IsNotFound(client->Get(kube::resources::kServices, ns.name(), "pi-ui-svc").status()); },
                   std::chrono::seconds(60)));
}

TEST_CASE("a driver exiting 1 fails the app with its exit code, and OnFailure with 2 retries runs it three times") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  RunningController controller(ns.name());

  CreateApp(*client, ExampleApp(ns.name(), "once"));
  rapidjson::Document retried = ExampleApp(ns.name(), "retried");
  SetPath(retried, {"spec", "restartPolicy"},
          rapidjson::Value(Json(R"({"type":"OnFailure","onFailureRetries":2,"onFailureRetryInterval":1,
                                    "onSubmissionFailureRetries":1,"onSubmissionFailureRetryInterval":1})"),
                           retried.GetAllocator()));
  CreateApp(*client, retried);

  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "once-1-driver") == "Running"; }, kSubmitTimeout));
  FinishPod(*client, ns.name(), "once-1-driver", 1);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "once") == "FAILED"; }));
  const std::string message =
      GetString(GetApp(*client, ns.name(), "once"), {"status", "applicationState", "errorMessage"});
  CHECK(message.find("driver container exited with code 1") != std::string::npos);
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "once", "Warning/SparkApplicationFailed"); }));

  for (int run = 1; run <= 3; ++run) {
    const std::string pod = "retried-" + std::to_string(run) + "-driver";
    INFO("run " << run);
    REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), pod) == "Running"; }, kSubmitTimeout));
    FinishPod(*client, ns.name(), pod, 1);
    if (run < 3) {
      CHECK(Eventually([&] {
        const std::string s = State(*client, ns.name(), "retried");
        return s == "PENDING_RERUN" || s == "NEW";
      }));
    }
  }
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "retried") == "FAILED"; }));
  const rapidjson::Document app = GetApp(*client, ns.name(), "retried");
  CHECK(GetInt(app, {"status", "executionAttempts"}) == 3);
  CHECK(GetString(app, {"status", "applicationState", "errorMessage"}).find("exited with code 1") != std::string::npos);
  CHECK(PodNames(*client, ns.name(), "spark-role=driver,spark-operator.k8s.io/app-name=retried").size() == 3);
}

TEST_CASE("an invalid spec and a failing spark-submit end with clear errors while another app completes") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  RunningController controller(ns.name());

  rapidjson::Document invalid = ExampleApp(ns.name(), "invalid");
  RemovePath(invalid, {"spec", "mainClass"});
  RemovePath(invalid, {"spec", "image"});
  CreateApp(*client, invalid);
  rapidjson::Document broken = ExampleApp(ns.name(), "broken");
  // spark-submit downloads a remote pod template itself; one it cannot fetch fails it before it creates
  // anything. (A local file would be refused by validation: docs/submission-policy.md.)
  SetString(broken, {"spec", "sparkConf", "spark.kubernetes.executor.podTemplateFile"},
            "http://127.0.0.1:1/nonexistent-template.yaml");
  CreateApp(*client, broken);
  rapidjson::Document retry = CopyJson(broken);
  SetString(retry, {"metadata", "name"}, "broken-retry");
  SetPath(retry, {"spec", "restartPolicy"},
          rapidjson::Value(Json(R"({"type":"OnFailure","onFailureRetries":1,"onFailureRetryInterval":1,
                                    "onSubmissionFailureRetries":1,"onSubmissionFailureRetryInterval":1})"),
                           retry.GetAllocator()));
  CreateApp(*client, retry);
  CreateApp(*client, ExampleApp(ns.name(), "good"));

  REQUIRE(Eventually([&] { return State(*client, ns.name(), "invalid") == "FAILED"; }));
  const std::string invalid_message =
      GetString(GetApp(*client, ns.name(), "invalid"), {"status", "applicationState", "errorMessage"});
  CHECK(invalid_message.find("mainClass") != std::string::npos);
  CHECK(invalid_message.find("image") != std::string::npos);
  CHECK(
      Eventually([&] { return HasEvent(*client, ns.name(), "invalid", "Warning/SparkApplicationValidationFailed"); }));
  CHECK(GetInt(GetApp(*client, ns.name(), "invalid"), {"status", "submissionAttempts"}) == 0);

  REQUIRE(Eventually([&] { return State(*client, ns.name(), "broken") == "SUBMISSION_FAILED"; }, kSubmitTimeout));
  const std::string broken_message =
      GetString(GetApp(*client, ns.name(), "broken"), {"status", "applicationState", "errorMessage"});
  CHECK(broken_message.rfind("spark-submit failed (exit code 1): Exception in thread \"main\"", 0) == 0);
  CHECK(broken_message.find("--- last output ---") != std::string::npos);
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "broken", "Warning/SparkApplicationSubmissionFailed"); }));

  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "good-1-driver") == "Running"; }, kSubmitTimeout));
  FinishPod(*client, ns.name(), "good-1-driver", 0);
  CHECK(Eventually([&] { return State(*client, ns.name(), "good") == "COMPLETED"; }));

  // onSubmissionFailureRetries 1: two spark-submit runs, then it stays SUBMISSION_FAILED.
  REQUIRE(Eventually(
      [&] {
        const rapidjson::Document app = GetApp(*client, ns.name(), "broken-retry");
        return GetInt(app, {"status", "submissionAttempts"}) == 2 &&
               GetString(app, {"status", "applicationState", "state"}) == "SUBMISSION_FAILED";
      },
      kSubmitTimeout));
  std::this_thread::sleep_for(std::chrono::seconds(4));
  CHECK(GetInt(GetApp(*client, ns.name(), "broken-retry"), {"status", "submissionAttempts"}) == 2);

  // Not retried: the invalid app stays as it is until its spec changes.
  CHECK(State(*client, ns.name(), "invalid") == "FAILED");
  const std::string fixed =
      R"({"spec":{"mainClass":"org.apache.spark.examples.SparkPi","image":"apache/spark:4.2.0"}})";
  REQUIRE(
      client->Patch(kube::resources::kSparkApplications, ns.name(), "invalid", kube::PatchType::kMerge, fixed).ok());
  CHECK(Eventually([&] { return PodPhase(*client, ns.name(), "invalid-1-driver") == "Running"; }, kSubmitTimeout));
}

TEST_CASE("a driver pod that disappears fails the app with a clear message") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  RunningController controller(ns.name(), std::chrono::seconds(3));
  CreateApp(*client, ExampleApp(ns.name(), "vanish"));
  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "vanish-1-driver") == "Running"; }, kSubmitTimeout));
  // Deleted behind the controller's back (no grace, the simulated node lets it go at once).
  kube::DeleteOptions now;
  now.grace_period_seconds = 0;
  REQUIRE(client->Delete(kube::resources::kPods, ns.name(), "vanish-1-driver", now).ok());
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "vanish") == "FAILED"; }));
  CHECK(GetString(GetApp(*client, ns.name(), "vanish"), {"status", "applicationState", "errorMessage"}) ==
        "driver pod vanish-1-driver disappeared (deleted?)");
}

TEST_CASE("timeToLiveSeconds deletes a finished app, and restartPolicy Always runs it again after success") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  RunningController controller(ns.name());
  rapidjson::Document ttl = ExampleApp(ns.name(), "ttl");
  SetPath(ttl, {"spec", "timeToLiveSeconds"}, rapidjson::Value(2));
  CreateApp(*client, ttl);
  rapidjson::Document always = ExampleApp(ns.name(), "always");
  SetPath(always, {"spec", "restartPolicy"},
          rapidjson::Value(Json(R"({"type":"Always","onFailureRetryInterval":1})"), always.GetAllocator()));
  CreateApp(*client, always);

  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "ttl-1-driver") == "Running"; }, kSubmitTimeout));
  FinishPod(*client, ns.name(), "ttl-1-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "ttl") == "COMPLETED"; }));
  CHECK(Eventually(
      [&] { return IsNotFound(client->Get(kube::resources::kSparkApplications, ns.name(), "ttl").status()); }));

  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "always-1-driver") == "Running"; }, kSubmitTimeout));
  FinishPod(*client, ns.name(), "always-1-driver", 0);
  CHECK(Eventually([&] { return PodPhase(*client, ns.name(), "always-2-driver") == "Running"; }, kSubmitTimeout));
  // Counted when the controller adopts the new driver, which may come just after the pod runs.
  CHECK(Eventually([&] { return GetInt(GetApp(*client, ns.name(), "always"), {"status", "executionAttempts"}) == 2; }));
}

TEST_CASE("a submission that succeeds without creating a driver pod fails after the grace period") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  // A spark-submit that reports success and does nothing.
  const std::string fake = "/tmp/spark-operator-fake-submit-" + ns.name() + ".sh";
  {
    std::ofstream out(fake);
    out << "#!/bin/sh\nexit 0\n";
  }
  REQUIRE(chmod(fake.c_str(), 0755) == 0);
  RunningController controller(ns.name(), std::chrono::seconds(3), fake);
  CreateApp(*client, ExampleApp(ns.name(), "ghost"));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "ghost") == "FAILED"; }));
  CHECK(GetString(GetApp(*client, ns.name(), "ghost"), {"status", "applicationState", "errorMessage"}) ==
        "driver pod ghost-1-driver did not appear within 3s of submission");
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "ghost", "Warning/SparkApplicationFailed"); }));
  std::remove(fake.c_str());
}

}  // namespace
}  // namespace spark_operator::controller::testing
