// Pods on the simulated node: the test decides when a pod finishes, and with which exit code, through the
// sim.spark-operator.k8s.io/exit-code annotation (tools/cluster/kwok/stages.yaml).
#include "tests/support/cluster.h"

namespace spark_operator::kube {
namespace {

using testing::AdminClient;
using testing::Eventually;
using testing::Json;
using testing::TestNamespace;

rapidjson::Document SimplePod(const std::string& ns, const std::string& name) {
  rapidjson::Document pod = Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{},
      "spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"apache/spark:4.2.0"}]}})");
  SetString(pod, {"metadata", "name"}, name);
  SetString(pod, {"metadata", "namespace"}, ns);
  return pod;
}

std::string Phase(Client& client, const std::string& ns, const std::string& name) {
  const Result<rapidjson::Document> pod = client.Get(resources::kPods, ns, name);
  return pod.ok() ? GetString(*pod, {"status", "phase"}) : pod.status().ToString();
}

void Finish(Client& client, const std::string& ns, const std::string& name, int exit_code) {
  const std::string patch =
      R"({"metadata":{"annotations":{"sim.spark-operator.k8s.io/exit-code":")" + std::to_string(exit_code) + "\"}}}";
  REQUIRE(client.Patch(resources::kPods, ns, name, PatchType::kMerge, patch).ok());
}

TEST_CASE("a pod on the simulated node runs until told to finish, then succeeds or fails with its exit code") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  REQUIRE(client->Create(resources::kPods, ns.name(), SimplePod(ns.name(), "ok")).ok());
  REQUIRE(client->Create(resources::kPods, ns.name(), SimplePod(ns.name(), "broken")).ok());

  CHECK(Eventually([&] { return Phase(*client, ns.name(), "ok") == "Running"; }));
  CHECK(Eventually([&] { return Phase(*client, ns.name(), "broken") == "Running"; }));
  const Result<rapidjson::Document> running = client->Get(resources::kPods, ns.name(), "ok");
  REQUIRE(running.ok());
  CHECK_FALSE(GetString(*running, {"spec", "nodeName"}).empty());
  CHECK_FALSE(GetString(*running, {"status", "podIP"}).empty());

  Finish(*client, ns.name(), "ok", 0);
  Finish(*client, ns.name(), "broken", 3);
  CHECK(Eventually([&] { return Phase(*client, ns.name(), "ok") == "Succeeded"; }));
  CHECK(Eventually([&] { return Phase(*client, ns.name(), "broken") == "Failed"; }));

  const Result<rapidjson::Document> failed = client->Get(resources::kPods, ns.name(), "broken");
  REQUIRE(failed.ok());
  const rapidjson::Value* statuses = FindPath(*failed, {"status", "containerStatuses"});
  REQUIRE(statuses != nullptr);
  REQUIRE(statuses->IsArray());
  REQUIRE(statuses->Size() == 1);
  CHECK(GetInt((*statuses)[0], {"state", "terminated", "exitCode"}, -1) == 3);

  // Deleting a pod on the simulated node removes it.
  REQUIRE(client->Delete(resources::kPods, ns.name(), "ok").ok());
  CHECK(Eventually([&] { return IsNotFound(client->Get(resources::kPods, ns.name(), "ok").status()); }));
}

}  // namespace
}  // namespace spark_operator::kube
