#include "controller/admission.h"

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/spark_application.h"
#include "common/base/json.h"

namespace spark_operator::controller {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

api::SparkApplication App(const std::string& name, const std::string& created = "2026-01-01T00:00:00Z") {
  api::SparkApplication app;
  app.metadata.name = name;
  app.metadata.namespace_ = "team";
  app.metadata.creation_timestamp = created;
  app.spec.type = api::AppType::kScala;
  app.spec.driver.cores = 0.5;
  app.spec.driver.memory = "2g";
  app.spec.executor.cores = 2;
  app.spec.executor.memory = "8g";
  app.spec.executor.instances = 3;
  api::ApplyDefaults(app);
  return app;
}

TEST_CASE("an application requests what Spark's pods request: cores, memory plus overhead, driver and executors") {
  api::SparkApplication app = App("etl");
  PodResources r = ApplicationRequest(app);
  CHECK(r.cpu_millis == 500 + 3 * 2000);
  // Driver 2048 + max(204, 384); executors 8192 + 819 each.
  CHECK(r.memory_bytes == (2048 + 384 + 3 * (8192 + 819)) * kMiB);
  CHECK(r.pods == 4);

  app.spec.type = api::AppType::kPython;  // Factor 0.4 for non-JVM applications.
  CHECK(ApplicationRequest(app).memory_bytes == (2048 + 819 + 3 * (8192 + 3276)) * kMiB);
  app.spec.executor.memory_overhead = "1g";
  CHECK(ApplicationRequest(app).memory_bytes == (2048 + 819 + 3 * (8192 + 1024)) * kMiB);
}

TEST_CASE("coreRequest, memoryOverheadFactor and dynamic allocation's start change what an application requests") {
  api::SparkApplication app = App("etl");
  app.spec.driver.core_request = "250m";
  app.spec.memory_overhead_factor = "0.5";
  PodResources r = ApplicationRequest(app);
  CHECK(r.cpu_millis == 250 + 3 * 2000);
  CHECK(r.memory_bytes == (2048 + 1024 + 3 * (8192 + 4096)) * kMiB);
  app.spec.dynamic_allocation = {.enabled = true, .initial_executors = 1, .min_executors = 2, .max_executors = 50};
  app.spec.executor.instances = 1;
  r = ApplicationRequest(app);
  CHECK(r.pods == 3);  // The driver and max(initial, min, instances) executors, as Spark starts them.
  CHECK(r.cpu_millis == 250 + 2 * 2000);
  app.spec.executor.instances = 4;
  CHECK(ApplicationRequest(app).pods == 5);
}

api::KubeValue Container(const std::string& name, const std::string& resources, const std::string& extra = "") {
  return {R"({"name":")" + name + R"(","image":"busybox","resources":)" + resources + extra + "}"};
}

TEST_CASE("sidecars add their requests to their pod's, or their limits when they set no requests") {
  api::SparkApplication app = App("etl");
  const PodResources before = ApplicationRequest(app);
  app.spec.driver.sidecars = {Container("proxy", R"({"requests":{"cpu":"250m","memory":"64Mi"}})")};
  // A quantity written as a number stays one; a bare memory number is bytes.
  app.spec.executor.sidecars = {Container("agent", R"({"limits":{"cpu":1,"memory":"134217728"}})"),
                                Container("idle", "{}")};
  const PodResources r = ApplicationRequest(app);
  CHECK(r.cpu_millis == before.cpu_millis + 250 + 3 * 1000);
  CHECK(r.memory_bytes == before.memory_bytes + (64 + 3 * 128) * kMiB);
  CHECK(r.pods == before.pods);
}

TEST_CASE("a sidecar that sets neither requests nor limits requests the tenant's default") {
  api::SparkApplication app = App("etl");
  const PodResources before = ApplicationRequest(app);
  app.spec.driver.sidecars = {Container("bare", "{}"), Container("capped", R"({"limits":{"memory":"1Gi"}})")};
  const ContainerDefaults defaults{.cpu_millis = 200, .memory_bytes = 256 * kMiB};
  const PodResources r = ApplicationRequest(app, defaults);
  CHECK(r.cpu_millis == before.cpu_millis + 2 * 200);
  CHECK(r.memory_bytes == before.memory_bytes + (256 + 1024) * kMiB);
  // Spark's own container sets its requests: without sidecars the defaults change nothing.
  CHECK(ApplicationRequest(App("etl"), defaults).cpu_millis == before.cpu_millis);

  std::vector<kube::ObjectPtr> apps;
  TenantBudget budget;
  budget.cpu_millis = before.cpu_millis + 300;
  budget.container_defaults = defaults;
  Admission admission([&](const std::string&) { return budget; }, [&](const std::string&) { return apps; });
  CHECK(admission.Decide(app).message ==
        "can never run in this tenant: cpu 6900m is more than the tenant's whole quota, 6800m");
}

TEST_CASE("an init container counts when it asks for more than the pod's running containers") {
  api::SparkApplication app = App("etl");
  const PodResources before = ApplicationRequest(app);
  // The driver runs with 500m and 2432Mi; an init container runs alone before it.
  app.spec.driver.init_containers = {Container("small", R"({"requests":{"cpu":"100m","memory":"1Gi"}})"),
                                     Container("fetch", R"({"requests":{"cpu":"2","memory":"512Mi"}})")};
  PodResources r = ApplicationRequest(app);
  CHECK(r.cpu_millis == before.cpu_millis - 500 + 2000);
  CHECK(r.memory_bytes == before.memory_bytes);

  // A sidecar init container (restartPolicy Always) runs on beside the containers and the init containers
  // listed after it.
  app.spec.driver.init_containers.insert(
      app.spec.driver.init_containers.begin(),
      Container("mesh", R"({"requests":{"cpu":"300m","memory":"2Gi"}})", R"(,"restartPolicy":"Always")"));
  r = ApplicationRequest(app);
  CHECK(r.cpu_millis == before.cpu_millis - 500 + 300 + 2000);
  CHECK(r.memory_bytes == before.memory_bytes + 2048 * kMiB);
}

TEST_CASE("a podTemplate's other containers count, its Spark container's requests do not") {
  api::SparkApplication app = App("etl");
  const PodResources before = ApplicationRequest(app);
  app.spec.executor.pod_template = {R"({"spec":{"containers":[)"
                                    R"({"name":"spark-kubernetes-executor","resources":{"requests":{"cpu":"8"}}},)"
                                    R"({"name":"logs","resources":{"requests":{"cpu":"100m","memory":"32Mi"}}}],)"
                                    R"("initContainers":[{"name":"warm","resources":{"requests":{"cpu":"5"}}}]}})"};
  const PodResources r = ApplicationRequest(app);
  // Per executor: max(2000m + 100m running, 5 cores for the init container); memory adds the 32Mi.
  CHECK(r.cpu_millis == before.cpu_millis + 3 * (5000 - 2000));
  CHECK(r.memory_bytes == before.memory_bytes + 3 * 32 * kMiB);
}

TEST_CASE("a RuntimeClass's pod overhead counts once per pod that names it, after the init containers' peak") {
  const Result<rapidjson::Document> kata =
      ParseJson(R"({"apiVersion":"node.k8s.io/v1","kind":"RuntimeClass","metadata":{"name":"kata"},"handler":"kata",)"
                R"("overhead":{"podFixed":{"cpu":"250m","memory":"160Mi"}}})");
  REQUIRE(kata.ok());
  const std::optional<PodResources> overhead = RuntimeClassOverhead(*kata);
  REQUIRE(overhead.has_value());
  CHECK(overhead->cpu_millis == 250);
  CHECK(overhead->memory_bytes == 160 * kMiB);
  CHECK(overhead->pods == 0);
  CHECK_FALSE(RuntimeClassOverhead(*ParseJson(R"({"metadata":{"name":"runc"},"handler":"runc"})")).has_value());
  const RuntimeOverheadFunc classes = [&](const std::string& name) -> std::optional<PodResources> {
    return name == "kata" ? overhead : std::nullopt;
  };

  api::SparkApplication app = App("etl");
  const PodResources before = ApplicationRequest(app, {}, classes);
  // Executors run in kata, with an init container that needs more CPU than the running containers (2000m).
  app.spec.executor.pod_template = {R"({"spec":{"runtimeClassName":"kata",)"
                                    R"("initContainers":[{"name":"warm","resources":{"requests":{"cpu":"3"}}}]}})"};
  PodResources r = ApplicationRequest(app, {}, classes);
  CHECK(r.cpu_millis == before.cpu_millis + 3 * (3000 - 2000 + 250));
  CHECK(r.memory_bytes == before.memory_bytes + 3 * 160 * kMiB);
  CHECK(r.pods == before.pods);
  // Without the lookup, or with a class that has no overhead (or does not exist), nothing is added.
  CHECK(ApplicationRequest(app).cpu_millis == before.cpu_millis + 3 * 1000);
  app.spec.driver.pod_template = {R"({"spec":{"runtimeClassName":"runc"}})"};
  CHECK(ApplicationRequest(app, {}, classes).cpu_millis == r.cpu_millis);
  app.spec.driver.pod_template = {R"({"spec":{"runtimeClassName":"kata"}})"};
  r = ApplicationRequest(app, {}, classes);
  CHECK(r.cpu_millis == before.cpu_millis + 3 * 1250 + 250);
  CHECK(r.memory_bytes == before.memory_bytes + 4 * 160 * kMiB);

  // Admission decides with the overhead: the tenant's budget carries the lookup.
  std::vector<kube::ObjectPtr> apps;
  TenantBudget budget;
  budget.cpu_millis = r.cpu_millis - 1;
  budget.runtime_overhead = classes;
  Admission admission([&](const std::string&) { return budget; }, [&](const std::string&) { return apps; });
  CHECK(admission.Decide(app).message ==
        "can never run in this tenant: cpu 10500m is more than the tenant's whole "
        "quota, 10499m");
}

TEST_CASE("admission: what fits goes, what does not is queued in creation order, what never fits fails") {
  std::vector<kube::ObjectPtr> apps;
  TenantBudget budget;
  budget.cpu_millis = 14'000;
  const auto add = [&](api::SparkApplication app, const char* state) {
    if (state != nullptr) app.status.application_state.state = api::EnumFromName<api::AppState>(state);
    apps.push_back(std::make_shared<const rapidjson::Document>(api::ToJson(app)));
  };
  Admission admission([&](const std::string&) { return budget; }, [&](const std::string&) { return apps; });
  using Verdict = AdmissionDecision::Verdict;

  add(App("running"), "RUNNING");  // 6500m of 14000m.
  CHECK(admission.Decide(App("first", "2026-01-01T00:00:01Z")).verdict == Verdict::kAdmit);
  // "first" counts from its admission on, while the cache still shows it NEW without an attempt.
  add(App("first", "2026-01-01T00:00:01Z"), nullptr);
  const AdmissionDecision third = admission.Decide(App("third", "2026-01-01T00:00:03Z"));
  CHECK(third.verdict == Verdict::kQueue);
  CHECK(third.message == "needs cpu 6500m, memory 29465Mi, pods 4; cpu 1 free");

  add(App("second", "2026-01-01T00:00:02Z"), "QUEUED");
  apps.erase(apps.begin());  // "running" finished: there is room, but "second" was queued first.
  CHECK(admission.Decide(App("third", "2026-01-01T00:00:03Z")).message.rfind("waiting behind second", 0) == 0);

  api::SparkApplication huge = App("huge");
  huge.spec.executor.instances = 10;
  const AdmissionDecision never = admission.Decide(huge);
  CHECK(never.verdict == Verdict::kNeverFits);
  CHECK(never.message == "can never run in this tenant: cpu 20500m is more than the tenant's whole quota, 14");

  budget.max_running = 1;
  CHECK(admission.Decide(App("second", "2026-01-01T00:00:02Z")).message.rfind("1 of maxRunningApplications 1", 0) == 0);
}

}  // namespace
}  // namespace spark_operator::controller
