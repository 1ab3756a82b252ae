// What the controller's integration tests share: the CRD installed, a real spark-submit, a Manager running
// in-process on a test namespace, and helpers to create apps and play the driver (finish its pod with an exit
// code, as the simulated node allows).
#pragma once

#include <sys/stat.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/base/json.h"
#include "common/base/yaml.h"
#include "controller/labels.h"
#include "controller/manager.h"
#include "tests/support/cluster.h"

namespace spark_operator::controller::testing {

using spark_operator::testing::AdminClient;
using spark_operator::testing::BinDir;
using spark_operator::testing::ClusterDir;
using spark_operator::testing::Eventually;
using spark_operator::testing::Json;
using spark_operator::testing::SourceDir;
using spark_operator::testing::TestNamespace;

// $SPARK_SUBMIT, else what tools/spark/fetch.sh installs for tools/versions.env's SPARK_VERSION.
inline std::string SparkSubmitPath() {
  if (const char* path = std::getenv("SPARK_SUBMIT"); path != nullptr) return path;
  std::string version = "4.2.0";
  if (Result<std::string> env = ReadFile(SourceDir() + "/tools/versions.env"); env.ok()) {
    const size_t at = env->find("SPARK_VERSION=");
    if (at != std::string::npos) version = env->substr(at + 14, env->find('\n', at) - at - 14);
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/root") + "/.cache/spark-operator/spark-" + version +
         "/bin/spark-submit";
}

// Every CRD: every Manager runs the SparkTenant and ScheduledSparkApplication controllers unless told not to.
inline void EnsureCrd(kube::Client& client) {
  for (const char* file : {"spark-operator.k8s.io_sparkapplications.yaml", "spark-operator.k8s.io_sparktenants.yaml",
                           "spark-operator.k8s.io_scheduledsparkapplications.yaml"}) {
    const Result<std::string> yaml = ReadFile(SourceDir() + "/deploy/crd/" + file);
    REQUIRE(yaml.ok());
    Result<rapidjson::Document> crd = YamlToJson(*yaml);
    REQUIRE(crd.ok());
    const auto created = client.Create(kube::resources::kCustomResourceDefinitions, "", *crd);
    if (created.ok()) continue;
    REQUIRE(IsAlreadyExists(created.status()));
    // A cluster kept from an earlier build may hold an older schema, which would prune newer status fields.
    const auto stored = client.Get(kube::resources::kCustomResourceDefinitions, "", NameOf(*crd));
    REQUIRE(stored.ok());
    SetString(*crd, {"metadata", "resourceVersion"}, ResourceVersionOf(*stored));
    const auto updated = client.Update(kube::resources::kCustomResourceDefinitions, *crd);
    if (!updated.ok()) REQUIRE(IsConflict(updated.status()));  // Another test updated it just now.
  }
  REQUIRE(Eventually([&] { return client.List(kube::resources::kSparkApplications, "default").ok(); }));
  REQUIRE(Eventually([&] {
    return client.List(kube::Resource{"spark-operator.k8s.io", "v1alpha1", "sparktenants", false}, "").ok();
  }));
  REQUIRE(Eventually([&] {
    return client.List(kube::Resource{"spark-operator.k8s.io", "v1alpha1", "scheduledsparkapplications"}, "default")
        .ok();
  }));
}

// A Manager on one namespace, stopped at the end of the test.
class RunningController {
 public:
  // `configure` changes the options further, e.g. a flag under test.
  explicit RunningController(const std::string& ns, std::chrono::seconds grace = std::chrono::seconds(60),
                             const std::string& spark_submit = SparkSubmitPath(),
                             const std::function<void(ManagerOptions&)>& configure = nullptr) {
    ManagerOptions options;
    options.kubeconfig = ClusterDir() + "/kubeconfig";
    options.namespaces = {ns};
    options.spark_submit = spark_submit;
    options.metrics_port = 0;
    options.driver_startup_grace = grace;
    options.submission_timeout = std::chrono::seconds(120);
    if (configure) configure(options);
    auto manager = Manager::Create(options);
    if (!manager.ok()) FAIL("creating the manager: " << manager.status().ToString());
    manager_ = std::move(*manager);
    REQUIRE(manager_->Start().ok());
  }
  ~RunningController() { manager_->Stop(); }
  Manager& operator*() { return *manager_; }
  Manager* operator->() { return manager_.get(); }

 private:
  std::unique_ptr<Manager> manager_;
};

// The example app (deploy/examples) under another name, with optional extra spec YAML merged in.
inline rapidjson::Document ExampleApp(const std::string& ns, const std::string& name) {
  const Result<std::string> yaml = ReadFile(SourceDir() + "/deploy/examples/spark-application-example.yaml");
  REQUIRE(yaml.ok());
  Result<rapidjson::Document> app = YamlToJson(*yaml);
  REQUIRE(app.ok());
  SetString(*app, {"metadata", "name"}, name);
  SetString(*app, {"metadata", "namespace"}, ns);
  return std::move(*app);
}

inline void CreateApp(kube::Client& client, const rapidjson::Value& app) {
  const auto created = client.Create(kube::resources::kSparkApplications, NamespaceOf(app), app);
  if (!created.ok()) FAIL("creating app: " << created.status().ToString());
}

inline rapidjson::Document GetApp(kube::Client& client, const std::string& ns, const std::string& name) {
  Result<rapidjson::Document> app = client.Get(kube::resources::kSparkApplications, ns, name);
  if (!app.ok()) return rapidjson::Document(rapidjson::kObjectType);
  return std::move(*app);
}

inline std::string State(kube::Client& client, const std::string& ns, const std::string& name) {
  return GetString(GetApp(client, ns, name), {"status", "applicationState", "state"});
}

inline std::string PodPhase(kube::Client& client, const std::string& ns, const std::string& pod) {
  const Result<rapidjson::Document> p = client.Get(kube::resources::kPods, ns, pod);
  return p.ok() ? GetString(*p, {"status", "phase"}) : "";
}

// Plays the driver: the simulated node ends the pod's container with `exit_code`.
inline void FinishPod(kube::Client& client, const std::string& ns, const std::string& pod, int exit_code) {
  const std::string patch =
      R"({"metadata":{"annotations":{"sim.spark-operator.k8s.io/exit-code":")" + std::to_string(exit_code) + "\"}}}";
  const auto patched = client.Patch(kube::resources::kPods, ns, pod, kube::PatchType::kMerge, patch);
  if (!patched.ok()) FAIL("finishing pod " << pod << ": " << patched.status().ToString());
}

inline std::vector<std::string> PodNames(kube::Client& client, const std::string& ns, const std::string& selector) {
  kube::ListOptions options;
  options.label_selector = selector;
  std::vector<std::string> names;
  const Result<rapidjson::Document> pods = client.List(kube::resources::kPods, ns, options);
  if (!pods.ok()) return names;
  for (const rapidjson::Value& pod : (*pods)["items"].GetArray()) names.push_back(NameOf(pod));
  return names;
}

// "type/reason: message" of every Event about `name`.
inline std::vector<std::string> Events(kube::Client& client, const std::string& ns, const std::string& name) {
  kube::ListOptions options;
  options.field_selector = "involvedObject.name=" + name;
  std::vector<std::string> out;
  const Result<rapidjson::Document> events = client.List(kube::resources::kEvents, ns, options);
  if (!events.ok()) return out;
  for (const rapidjson::Value& e : (*events)["items"].GetArray()) {
    out.push_back(GetString(e, {"type"}) + "/" + GetString(e, {"reason"}) + ": " + GetString(e, {"message"}));
  }
  return out;
}

inline bool HasEvent(kube::Client& client, const std::string& ns, const std::string& name, const std::string& prefix) {
  for (const std::string& e : Events(client, ns, name)) {
    if (e.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace spark_operator::controller::testing
