// Driver and executor pods -> application and executor states.
#include "controller/pod_state.h"

#include <catch2/catch.hpp>

#include "common/base/json.h"
#include "common/kube/pod.h"

namespace spark_operator::controller {
namespace {

using api::AppState;
using api::ExecutorState;

kube::Pod Pod(const std::string& json) {
  Result<rapidjson::Document> doc = ParseJson(json);
  REQUIRE(doc.ok());
  return kube::ParsePod(*doc);
}

TEST_CASE("driver pod phases map to application states") {
  CHECK(ObserveDriver(Pod(R"({"status":{"phase":"Pending"}})")).state == AppState::kSubmitted);
  CHECK(ObserveDriver(Pod(R"({"status":{"phase":"Running"}})")).state == AppState::kRunning);
  CHECK(ObserveDriver(Pod(R"({"status":{"phase":"Succeeded"}})")).state == AppState::kCompleted);
  CHECK(ObserveDriver(Pod(R"({"status":{"phase":"Unknown"}})")).state == AppState::kUnknown);
}

TEST_CASE("a failed driver reports its container's exit code") {
  const DriverObservation d = ObserveDriver(Pod(R"({"metadata":{"labels":{"spark-app-selector":"spark-abc"}},
    "spec":{"nodeName":"kwok-node-0"},
    "status":{"phase":"Failed","containerStatuses":[
      {"name":"spark-kubernetes-driver","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}})"));
  CHECK(d.state == AppState::kFailed);
  REQUIRE(d.exit_code.has_value());
  CHECK(*d.exit_code == 1);
  CHECK(d.error_message == "driver container exited with code 1 (Error)");
  CHECK(d.app_id == "spark-abc");
  CHECK(d.node_name == "kwok-node-0");
}

TEST_CASE("the driver container decides even while a sidecar keeps the pod running") {
  const DriverObservation ok = ObserveDriver(Pod(R"({"status":{"phase":"Running","containerStatuses":[
      {"name":"sidecar","state":{"running":{}}},
      {"name":"spark-kubernetes-driver","state":{"terminated":{"exitCode":0}}}]}})"));
  CHECK(ok.state == AppState::kCompleted);
  const DriverObservation bad = ObserveDriver(Pod(R"({"status":{"phase":"Running","containerStatuses":[
      {"name":"spark-kubernetes-driver","state":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}]}})"));
  CHECK(bad.state == AppState::kFailed);
  CHECK(bad.error_message == "driver container exited with code 137 (OOMKilled)");
}

TEST_CASE("a failed pod without container statuses says why the pod failed") {
  const DriverObservation d =
      ObserveDriver(Pod(R"({"status":{"phase":"Failed","reason":"Evicted","message":"low memory"}})"));
  CHECK(d.state == AppState::kFailed);
  CHECK(d.error_message == "driver pod failed (Evicted): low memory");
}

TEST_CASE("executor states come from executor pods of the current attempt only") {
  const auto e1 = Pod(
      R"({"metadata":{"name":"e1","labels":{"spark-role":"executor","spark-operator.k8s.io/submission-attempt":"2"}},"status":{"phase":"Running"}})");
  const auto e2 = Pod(R"({"metadata":{"name":"e2","labels":{"spark-role":"executor"}},"status":{"phase":"Pending"}})");
  const auto old = Pod(
      R"({"metadata":{"name":"old","labels":{"spark-role":"executor","spark-operator.k8s.io/submission-attempt":"1"}},"status":{"phase":"Failed"}})");
  const auto driver = Pod(R"({"metadata":{"name":"d","labels":{"spark-role":"driver"}},"status":{"phase":"Running"}})");
  const auto states = ObserveExecutors({e1, e2, old, driver}, 2);
  CHECK(states ==
        std::map<std::string, ExecutorState>{{"e1", ExecutorState::kRunning}, {"e2", ExecutorState::kPending}});
  CHECK(ObserveExecutor(Pod(R"({"status":{"phase":"Succeeded"}})")) == ExecutorState::kCompleted);
  CHECK(ObserveExecutor(Pod(R"({"status":{"phase":"Failed"}})")) == ExecutorState::kFailed);
  CHECK(ObserveExecutor(Pod(R"({"status":{}})")) == ExecutorState::kUnknown);
}

}  // namespace
}  // namespace spark_operator::controller
