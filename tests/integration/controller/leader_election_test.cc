// Two controller replicas with --leader-elect: one reconciles; when it stops, the other takes over.
#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

std::unique_ptr<Manager> Replica(const std::string& ns, const std::string& identity) {
  ManagerOptions options;
  options.kubeconfig = ClusterDir() + "/kubeconfig";
  options.namespaces = {ns};
  options.spark_submit = SparkSubmitPath();
  options.leader_elect = true;
  options.lease_namespace = ns;
  options.lease_name = "spark-operator-controller";
  options.identity = identity;
  auto manager = Manager::Create(options);
  if (!manager.ok()) FAIL(manager.status().ToString());
  REQUIRE((*manager)->Start().ok());
  return std::move(*manager);
}

TEST_CASE("with leader election one replica reconciles and a successor takes over when it stops") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  std::unique_ptr<Manager> a = Replica(ns.name(), "replica-a");
  REQUIRE(Eventually([&] { return a->Active(); }));
  std::unique_ptr<Manager> b = Replica(ns.name(), "replica-b");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  CHECK_FALSE(b->Active());

  CreateApp(*client, ExampleApp(ns.name(), "first"));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "first") == "RUNNING"; }, std::chrono::seconds(120)));
  a->Stop();  // Releases the lease.
  REQUIRE(Eventually([&] { return b->Active(); }, std::chrono::seconds(30)));
  FinishPod(*client, ns.name(), "first-1-driver", 0);
  CHECK(Eventually([&] { return State(*client, ns.name(), "first") == "COMPLETED"; }));
  CHECK(PodNames(*client, ns.name(), "spark-role=driver").size() == 1);
}

}  // namespace
}  // namespace spark_operator::controller::testing
