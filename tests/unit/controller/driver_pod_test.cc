// Whose driver a pod is, by UID; the pod template that owns the driver from its creation; the driver a user
// submitted for a submissionByUser app.
#include "controller/driver_pod.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/base/json.h"
#include "common/kube/pod.h"
#include "controller/labels.h"

namespace spark_operator::controller {
namespace {

rapidjson::Document Parse(const std::string& json) {
  Result<rapidjson::Document> doc = ParseJson(json);
  INFO(json);
  REQUIRE(doc.ok());
  return std::move(*doc);
}

kube::Pod Pod(const std::string& name, const std::string& created, const std::string& extra_metadata = "",
              const std::string& role = "driver") {
  return kube::ParsePod(Parse(R"({"metadata":{"name":")" + name + R"(","creationTimestamp":")" + created +
                              R"(","labels":{"spark-role":")" + role + R"(","spark-operator.k8s.io/app-name":"pi"})" +
                              extra_metadata + "}}"));
}

constexpr char kApp[] = R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication",
  "metadata":{"name":"pi","namespace":"jobs","uid":"uid-new","creationTimestamp":"2026-12-01T10:00:00Z"}})";

TEST_CASE("a pod is this app's driver only when its UID label or owner reference names the app's UID") {
  const auto owner = [](const std::string& json) { return DriverOwner(kube::ParsePod(Parse(json)), "uid-new"); };
  CHECK(owner(R"({"metadata":{"labels":{"spark-operator.k8s.io/app-uid":"uid-new"}}})") == PodOwner::kThisApp);
  CHECK(owner(R"({"metadata":{"ownerReferences":[{"kind":"SparkApplication","uid":"uid-new"}]}})") ==
        PodOwner::kThisApp);
  // The same name, an earlier app.
  CHECK(owner(R"({"metadata":{"labels":{"spark-operator.k8s.io/app-uid":"uid-old"}}})") == PodOwner::kOtherApp);
  CHECK(owner(R"({"metadata":{"ownerReferences":[{"kind":"SparkApplication","uid":"uid-old"}]}})") ==
        PodOwner::kOtherApp);
  // An owner of another kind says nothing about which app.
  CHECK(owner(R"({"metadata":{"ownerReferences":[{"kind":"Pod","uid":"uid-x"}]}})") == PodOwner::kUnknown);
  CHECK(owner(R"({"metadata":{"labels":{"spark-role":"driver"}}})") == PodOwner::kUnknown);
}

TEST_CASE("the driver pod template makes the app the pod's controlling owner") {
  const rapidjson::Document app = Parse(kApp);
  const rapidjson::Document pod = Parse(DriverPodTemplate(app));
  CHECK(GetString(pod, {"kind"}) == "Pod");
  const rapidjson::Value& owner = pod["metadata"]["ownerReferences"][0];
  CHECK(GetString(owner, {"apiVersion"}) == "spark-operator.k8s.io/v1alpha1");
  CHECK(GetString(owner, {"kind"}) == "SparkApplication");
  CHECK(GetString(owner, {"name"}) == "pi");
  CHECK(GetString(owner, {"uid"}) == "uid-new");
  CHECK(GetBool(owner, {"controller"}));
  CHECK(GetBool(owner, {"blockOwnerDeletion"}));
  CHECK(DriverOwner(kube::ParsePod(pod), "uid-new") == PodOwner::kThisApp);
}

TEST_CASE("the driver pod template turns service links off") {
  const rapidjson::Document pod = Parse(DriverPodTemplate(Parse(kApp)));
  const rapidjson::Value* links = FindPath(pod, {"spec", "enableServiceLinks"});
  REQUIRE(links != nullptr);
  CHECK(links->IsFalse());
}

TEST_CASE("a user-submitted driver is the newest driver pod created since the app and owned by no other app") {
  const rapidjson::Document app = Parse(kApp);
  // The name of the pod found, "" for none.
  const auto found = [&](const std::vector<kube::Pod>& pods) {
    const kube::Pod* pod = FindUserSubmittedDriver(pods, app);
    return pod == nullptr ? std::string() : pod->meta.name;
  };
  CHECK(found({}).empty());
  const kube::Pod before = Pod("before", "2026-12-01T09:59:59Z");
  const kube::Pod first = Pod("first", "2026-12-01T10:00:05Z");
  const kube::Pod second = Pod("second", "2026-12-01T10:01:00Z");
  const kube::Pod executor = Pod("exec", "2026-12-01T10:02:00Z", "", "executor");
  const kube::Pod other =
      Pod("other", "2026-12-01T10:03:00Z", R"(,"ownerReferences":[{"kind":"SparkApplication","uid":"uid-old"}])");
  const kube::Pod deleting = Pod("deleting", "2026-12-01T10:04:00Z", R"(,"deletionTimestamp":"x")");
  CHECK(found({before}).empty());
  CHECK(found({before, first}) == "first");
  CHECK(found({second, first, executor, other, deleting, before}) == "second");
}

}  // namespace
}  // namespace spark_operator::controller
