// The controller with --submitter=native against the local cluster: apps run without a JVM, an app using a
// setting the native builder lacks goes to spark-submit with an Event that names it, and a second try of one
// attempt creates nothing twice.
#include "controller/native/native_submit.h"

#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

constexpr auto kSubmitTimeout = std::chrono::seconds(120);

void Native(ManagerOptions& options) { options.native_submission = true; }

// The objects of a driver pod: what the native submitter creates with it, each owned by it.
std::vector<std::string> OwnedByPod(kube::Client& client, const std::string& ns, const std::string& pod) {
  std::vector<std::string> out;
  for (const kube::Resource* resource :
       {&kube::resources::kConfigMaps, &kube::resources::kServices, &kube::resources::kNetworkPolicies}) {
    const Result<rapidjson::Document> list = client.List(*resource, ns);
    if (!list.ok()) continue;
    for (const rapidjson::Value& item : (*list)["items"].GetArray()) {
      const rapidjson::Value* owners = FindPath(item, {"metadata", "ownerReferences"});
      if (owners != nullptr && owners->IsArray() && !owners->Empty() && GetString((*owners)[0], {"name"}) == pod) {
        out.push_back(resource->plural + "/" + NameOf(item));
      }
    }
  }
  return out;
}

TEST_CASE("with native submission the example app runs to COMPLETED without spark-submit") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "nat");
  // No spark-submit at all: every step below is the native submitter's.
  RunningController controller(ns.name(), std::chrono::seconds(60), /*spark_submit=*/"", Native);
  CreateApp(*client, ExampleApp(ns.name(), "pi"));

  REQUIRE(Eventually([&] { return State(*client, ns.name(), "pi") == "RUNNING"; }, kSubmitTimeout));
  const Result<rapidjson::Document> pod = client->Get(kube::resources::kPods, ns.name(), "pi-1-driver");
  REQUIRE(pod.ok());
  // The app owns its driver from creation, as with spark-submit and the controller's pod template.
  const rapidjson::Value* owners = FindPath(*pod, {"metadata", "ownerReferences"});
  REQUIRE(owners != nullptr);
  CHECK(GetString((*owners)[0], {"kind"}) == "SparkApplication");
  CHECK(GetString(*pod, {"metadata", "labels", "spark-role"}) == "driver");
  CHECK(GetString(*pod, {"metadata", "labels", "spark-version"}) == "4.2.0");
  CHECK_FALSE(GetBool(*pod, {"spec", "enableServiceLinks"}, true));
  const std::vector<std::string> owned = OwnedByPod(*client, ns.name(), "pi-1-driver");
  CHECK(owned.size() == 3);  // The conf map, the headless driver Service and the NetworkPolicy.
  CHECK(GetString(GetApp(*client, ns.name(), "pi"), {"status", "appId"}) ==
        GetString(*pod, {"metadata", "labels", "spark-app-selector"}));
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "pi", "Normal/SparkApplicationSubmitted"); }));

  FinishPod(*client, ns.name(), "pi-1-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "pi") == "COMPLETED"; }, kSubmitTimeout));
}

TEST_CASE("an app using a setting the native builder lacks is submitted by spark-submit with an Event naming it") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "nat");
  RunningController controller(ns.name(), std::chrono::seconds(60), SparkSubmitPath(), Native);
  rapidjson::Document app = ExampleApp(ns.name(), "localdir");
  SetString(app, {"spec", "sparkConf", "spark.local.dir"}, "/tmp/spark-scratch");
  CreateApp(*client, app);

  REQUIRE(Eventually([&] { return State(*client, ns.name(), "localdir") == "RUNNING"; }, kSubmitTimeout));
  CHECK(Eventually([&] {
    return HasEvent(*client, ns.name(), "localdir",
                    "Normal/SparkApplicationSubmittedWithSparkSubmit: submitting with spark-submit: the native "
                    "submitter does not build spark.local.dir");
  }));
  // spark-submit's LocalDirsFeatureStep made the driver's local directory from the setting.
  const Result<rapidjson::Document> pod = client->Get(kube::resources::kPods, ns.name(), "localdir-1-driver");
  REQUIRE(pod.ok());
  CHECK(ToJson(*pod).find("/tmp/spark-scratch") != std::string::npos);
}

TEST_CASE("without spark-submit an app using a setting the native builder lacks fails with the setting named") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "nat");
  RunningController controller(ns.name(), std::chrono::seconds(60), /*spark_submit=*/"", Native);
  rapidjson::Document app = ExampleApp(ns.name(), "gpu");
  SetString(app, {"spec", "sparkConf", "spark.driver.resource.gpu.amount"}, "1");
  CreateApp(*client, app);

  REQUIRE(Eventually([&] { return State(*client, ns.name(), "gpu") == "SUBMISSION_FAILED"; }, kSubmitTimeout));
  const std::string message =
      GetString(GetApp(*client, ns.name(), "gpu"), {"status", "applicationState", "errorMessage"});
  CHECK(message.find("spark.driver.resource.gpu.amount") != std::string::npos);
  CHECK(message.find("no spark-submit") != std::string::npos);
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "gpu", "Warning/SparkApplicationSubmissionFailed"); }));
  CHECK(PodNames(*client, ns.name(), "spark-role=driver").empty());
}

TEST_CASE("a second native try of one attempt finds its driver and creates nothing twice") {
  auto client = AdminClient();
  const TestNamespace ns(client, "nat");
  const std::vector<std::string> argv = {"spark-submit",
                                         "--master",
                                         "k8s://https://127.0.0.1:6443",
                                         "--deploy-mode",
                                         "cluster",
                                         "--name",
                                         "twice",
                                         "--class",
                                         "org.apache.spark.examples.SparkPi",
                                         "--conf",
                                         "spark.kubernetes.namespace=" + ns.name(),
                                         "--conf",
                                         "spark.kubernetes.driver.pod.name=twice-1-driver",
                                         "--conf",
                                         "spark.kubernetes.container.image=apache/spark:4.2.0",
                                         "local:///opt/spark/examples/jars/spark-examples.jar"};
  const native::DriverIdentity identity = native::IdentityFor("00000000-0000-0000-0000-000000000001", 1, 0);
  Result<native::NativePlan> plan = native::PlanNativeSubmission(argv, {}, identity);
  REQUIRE(plan.ok());
  REQUIRE(plan->unsupported.empty());

  const Result<std::string> first = native::CreateDriverObjects(*client, plan->objects);
  INFO(first.status().ToString());
  REQUIRE(first.ok());
  CHECK(first->rfind("created driver pod twice-1-driver", 0) == 0);
  // The controller died after the pod: the conf map is gone, and the retry of the attempt must restore it.
  for (const std::string& object : OwnedByPod(*client, ns.name(), "twice-1-driver")) {
    if (object.rfind("configmaps/", 0) == 0) {
      REQUIRE(client->Delete(kube::resources::kConfigMaps, ns.name(), object.substr(11)).ok());
    }
  }
  const Result<std::string> second = native::CreateDriverObjects(*client, plan->objects);
  INFO(second.status().ToString());
  REQUIRE(second.ok());
  CHECK(second->rfind("found driver pod twice-1-driver", 0) == 0);
  CHECK(OwnedByPod(*client, ns.name(), "twice-1-driver").size() == 3);
  CHECK(PodNames(*client, ns.name(), "spark-role=driver").size() == 1);

  // Another attempt's driver under the same name is not taken for this one's.
  const native::DriverIdentity other = native::IdentityFor("00000000-0000-0000-0000-000000000002", 1, 0);
  Result<native::NativePlan> other_plan = native::PlanNativeSubmission(argv, {}, other);
  REQUIRE(other_plan.ok());
  CHECK(IsAlreadyExists(native::CreateDriverObjects(*client, other_plan->objects).status()));
}

}  // namespace
}  // namespace spark_operator::controller::testing
