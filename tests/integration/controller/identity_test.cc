// Which app a driver pod belongs to, with the real spark-submit: the driver is owned by its app from the moment
// it is created, a re-created app of the same name never adopts the old app's driver, and a submissionByUser
// app tracks the driver the user submitted without running spark-submit.
#include <unistd.h>

#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

constexpr auto kSubmitTimeout = std::chrono::seconds(120);

bool OwnedBy(const rapidjson::Value& pod, const std::string& app_uid) {
  const rapidjson::Value* owners = FindPath(pod, {"metadata", "ownerReferences"});
  if (owners == nullptr || !owners->IsArray()) return false;
  for (const rapidjson::Value& o : owners->GetArray()) {
    if (GetString(o, {"kind"}) == "SparkApplication" && GetString(o, {"uid"}) == app_uid) return true;
  }
  return false;
}

TEST_CASE("spark-submit creates the driver pod already owned by its app, through the controller's pod template") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  const Result<rapidjson::Document> pods = client->List(kube::resources::kPods, ns.name());
  REQUIRE(pods.ok());
  kube::WatchOptions watch;
  watch.resource_version = ResourceVersionOf(*pods);
  Result<std::unique_ptr<kube::WatchStream>> stream = client->Watch(kube::resources::kPods, ns.name(), watch);
  REQUIRE(stream.ok());
  RunningController controller(ns.name());
  CreateApp(*client, ExampleApp(ns.name(), "owned"));
  const std::string app_uid = UidOf(GetApp(*client, ns.name(), "owned"));

  // The pod as the API server first stored it: before the controller could patch anything.
  std::optional<rapidjson::Document> created;
  const auto deadline = std::chrono::steady_clock::now() + kSubmitTimeout;
  while (!created && std::chrono::steady_clock::now() < deadline) {
    Result<std::optional<kube::WatchEvent>> event = (*stream)->Next(kSubmitTimeout);
    REQUIRE(event.ok());
    REQUIRE(event->has_value());
    if ((*event)->type == kube::WatchEventType::kAdded && NameOf((*event)->object) == "owned-1-driver") {
      created = std::move((*event)->object);
    }
  }
  REQUIRE(created.has_value());
  CHECK(OwnedBy(*created, app_uid));
  CHECK(GetString(*created, {"metadata", "labels", kAppUidLabel}) == app_uid);
  CHECK(Eventually([&] { return State(*client, ns.name(), "owned") == "RUNNING"; }, kSubmitTimeout));
  // The template is gone once spark-submit is done with it.
  CHECK(Eventually(
      [&] { return system(("ls /tmp/spark-operator-auth-*/" + app_uid + "-* >/dev/null 2>&1").c_str()) != 0; }));
}

TEST_CASE("an app deleted and created again under the same name gets its own driver, not the old one") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  RunningController controller(ns.name());
  CreateApp(*client, ExampleApp(ns.name(), "same"));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "same") == "RUNNING"; }, kSubmitTimeout));
  const Result<rapidjson::Document> old_pod = client->Get(kube::resources::kPods, ns.name(), "same-1-driver");
  REQUIRE(old_pod.ok());
  const std::string old_pod_uid = UidOf(*old_pod);

  // Orphaned: the old driver stays, and the garbage collector takes its owner reference away.
  kube::DeleteOptions orphan;
  orphan.propagation = kube::Propagation::kOrphan;
  REQUIRE(client->Delete(kube::resources::kSparkApplications, ns.name(), "same", orphan).ok());
  REQUIRE(Eventually([&] { return !client->Get(kube::resources::kSparkApplications, ns.name(), "same").ok(); }));
  CreateApp(*client, ExampleApp(ns.name(), "same"));
  const std::string new_uid = UidOf(GetApp(*client, ns.name(), "same"));

  REQUIRE(Eventually([&] { return State(*client, ns.name(), "same") == "RUNNING"; }, kSubmitTimeout));
  const Result<rapidjson::Document> pod = client->Get(kube::resources::kPods, ns.name(), "same-1-driver");
  REQUIRE(pod.ok());
  CHECK(UidOf(*pod) != old_pod_uid);
  CHECK(GetString(*pod, {"metadata", "labels", kAppUidLabel}) == new_uid);
  CHECK(OwnedBy(*pod, new_uid));
  CHECK(PodNames(*client, ns.name(), "spark-role=driver").size() == 1);
  FinishPod(*client, ns.name(), "same-1-driver", 0);
  CHECK(Eventually([&] { return State(*client, ns.name(), "same") == "COMPLETED"; }));
}

TEST_CASE("submissionByUser: the driver the user submitted is tracked to COMPLETED and no spark-submit runs") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  // A spark-submit that leaves a mark if it is ever run.
  char dir[] = "/tmp/by-user-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string script = std::string(dir) + "/spark-submit";
  const std::string mark = std::string(dir) + "/ran";
  REQUIRE(WriteFileAtomically(script, "#!/bin/sh\ntouch " + mark + "\nexit 1\n", 0755).ok());
  RunningController controller(ns.name(), std::chrono::seconds(60), script);

  rapidjson::Document app = ExampleApp(ns.name(), "byuser");
  SetPath(app, {"spec", "submissionByUser"}, rapidjson::Value(true));
  CreateApp(*client, app);
  const std::string app_uid = UidOf(GetApp(*client, ns.name(), "byuser"));

  // The driver as spark-submit makes it with the labels the field reference asks the user to pass.
  REQUIRE(client
              ->Create(kube::resources::kPods, ns.name(), Json(R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"byuser-driver","labels":{"spark-role":"driver","spark-app-selector":"spark-0123",
        "spark-operator.k8s.io/app-name":"byuser","spark-operator.k8s.io/launched-by-spark-operator":"true"}},
      "spec":{"restartPolicy":"Never","containers":[{"name":"spark-kubernetes-driver","image":"apache/spark:4.2.0"}]}})"))
              .ok());
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "byuser") == "RUNNING"; }, kSubmitTimeout));
  rapidjson::Document status = GetApp(*client, ns.name(), "byuser");
  CHECK(GetString(status, {"status", "driverInfo", "podName"}) == "byuser-driver");
  CHECK(GetString(status, {"status", "appId"}) == "spark-0123");
  CHECK(GetInt(status, {"status", "submissionAttempts"}) == 0);
  CHECK(GetInt(status, {"status", "executionAttempts"}) == 1);
  CHECK(Eventually([&] {
    const Result<rapidjson::Document> pod = client->Get(kube::resources::kPods, ns.name(), "byuser-driver");
    return pod.ok() && OwnedBy(*pod, app_uid);
  }));

  FinishPod(*client, ns.name(), "byuser-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "byuser") == "COMPLETED"; }));
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "byuser", "Normal/SparkApplicationCompleted"); }));
  CHECK(access(mark.c_str(), F_OK) != 0);
}

}  // namespace
}  // namespace spark_operator::controller::testing
