// What the controller keeps of pods and SparkApplications in its caches: everything it reads, and its readers
// still see the same driver state, executors and mounts from a trimmed pod as from the whole one.
#include "controller/cache_transform.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "api/spark_application.h"
#include "common/base/json.h"
#include "common/kube/store.h"
#include "controller/labels.h"
#include "controller/logs/log_plan.h"
#include "controller/mount_check.h"
#include "controller/pod_state.h"

namespace spark_operator::controller {
namespace {

// A driver pod roughly as the API server returns it after spark-submit and the initializer (shortened).
constexpr char kDriver[] = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"pi-1-driver","namespace":"jobs",
  "uid":"p-1","resourceVersion":"42","generation":1,"creationTimestamp":"2026-12-01T10:00:00Z",
  "deletionTimestamp":"2026-12-01T10:05:00Z",
  "labels":{"spark-role":"driver","spark-app-selector":"spark-abc","spark-operator.k8s.io/app-name":"pi",
    "spark-operator.k8s.io/submission-attempt":"1"},
  "annotations":{"spark-operator.k8s.io/app-name":"pi","kubectl.kubernetes.io/last-applied-configuration":"{...}"},
  "ownerReferences":[{"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication","name":"pi",
    "uid":"a-1","controller":true}],
  "managedFields":[{"manager":"spark-submit","operation":"Update","fieldsV1":{"f:metadata":{"f:labels":{}}}}]},
 "spec":{"nodeName":"kwok-node-0","serviceAccountName":"spark","enableServiceLinks":false,
  "volumes":[{"name":"spark-conf-volume","configMap":{"name":"pi-conf"}},{"name":"conf","configMap":{"name":"c"}}],
  "containers":[{"name":"spark-kubernetes-driver","image":"apache/spark:4.2.0","args":["driver","--class","Pi"],
    "env":[{"name":"SPARK_USER","value":"root"},{"name":"SPARK_CONF_DIR","value":"/etc/spark/conf"}],
    "resources":{"requests":{"cpu":"100m","memory":"896Mi"}},
    "volumeMounts":[{"name":"conf","mountPath":"/etc/spark/conf/"}]}],
  "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists"}]},
 "status":{"phase":"Failed","reason":"Evicted","message":"out of disk","hostIP":"10.0.0.1","podIP":"10.1.0.5",
  "conditions":[{"type":"Ready","status":"False"}],
  "containerStatuses":[{"name":"spark-kubernetes-driver","image":"apache/spark:4.2.0","restartCount":0,
    "state":{"terminated":{"exitCode":3,"reason":"Error","message":"boom"}}}]}})";

rapidjson::Document Parse(const char* text) {
  Result<rapidjson::Document> doc = ParseJson(text);
  REQUIRE(doc.ok());
  return std::move(*doc);
}

TEST_CASE("a trimmed pod keeps exactly the fields the controller reads") {
  rapidjson::Document pod = Parse(kDriver);
  TrimPodForCache(pod);
  CHECK(ToJson(pod) == ToJson(Parse(R"({"metadata":{"name":"pi-1-driver","namespace":"jobs",
  "uid":"p-1","resourceVersion":"42","creationTimestamp":"2026-12-01T10:00:00Z",
  "deletionTimestamp":"2026-12-01T10:05:00Z",
  "labels":{"spark-role":"driver","spark-app-selector":"spark-abc","spark-operator.k8s.io/submission-attempt":"1"},
  "annotations":{"spark-operator.k8s.io/app-name":"pi"},
  "ownerReferences":[{"kind":"SparkApplication","name":"pi","uid":"a-1"}]},
 "spec":{"nodeName":"kwok-node-0",
  "containers":[{"name":"spark-kubernetes-driver","volumeMounts":[{"mountPath":"/etc/spark/conf/"}]}]},
 "status":{"phase":"Failed","reason":"Evicted","message":"out of disk",
  "containerStatuses":[{"name":"spark-kubernetes-driver",
    "state":{"terminated":{"exitCode":3,"reason":"Error","message":"boom"}}}]}})")));
  // What the readers see of it: the owner (driver_pod.cc) and the metadata the finalizer patches use.
  const kube::Pod whole = kube::ParsePod(Parse(kDriver));
  const kube::Pod kept = kube::ParsePod(pod);
  CHECK(kept.meta.owner_references.size() == 1);
  CHECK(kept.meta.owner_references[0].kind == whole.meta.owner_references[0].kind);
  CHECK(kept.meta.owner_references[0].name == whole.meta.owner_references[0].name);
  CHECK(kept.meta.owner_references[0].uid == whole.meta.owner_references[0].uid);
  CHECK(kept.meta.namespace_ == whole.meta.namespace_);
  CHECK(kept.meta.name == whole.meta.name);
  CHECK(kept.meta.resource_version == whole.meta.resource_version);
  CHECK(kept.meta.creation_timestamp == whole.meta.creation_timestamp);
  CHECK(PodAppName(pod) == "pi");
}

TEST_CASE("the controller reads the same from a trimmed pod as from the whole pod") {
  const rapidjson::Document whole = Parse(kDriver);
  rapidjson::Document trimmed = Parse(kDriver);
  TrimPodForCache(trimmed);
  const DriverObservation a = ObserveDriver(kube::ParsePod(whole));
  const DriverObservation b = ObserveDriver(kube::ParsePod(trimmed));
  CHECK(a.state == b.state);
  CHECK(a.error_message == b.error_message);
  CHECK(a.app_id == b.app_id);
  CHECK(a.exit_code == b.exit_code);
  CHECK(a.node_name == b.node_name);
  CHECK(b.exit_code == 3);

  Result<rapidjson::Document> app_json = ParseJson(R"({"apiVersion":"spark-operator.k8s.io/v1alpha1",
      "kind":"SparkApplication","metadata":{"name":"pi","namespace":"jobs","uid":"a-1"},
      "spec":{"type":"Scala","mode":"cluster","mainClass":"Pi","image":"apache/spark:4.2.0",
        "mainApplicationFile":"local:///x.jar","sparkConfigMap":"c","hadoopConfigMap":"h"}})");
  REQUIRE(app_json.ok());
  Result<api::SparkApplication> app = api::ParseSparkApplication(*app_json);
  REQUIRE(app.ok());
  api::ApplyDefaults(*app);
  const std::vector<std::string> missing = MissingInitializerMounts(*app, kube::ParsePod(whole));
  CHECK_FALSE(missing.empty());  // The Hadoop ConfigMap is not mounted.
  CHECK(MissingInitializerMounts(*app, kube::ParsePod(trimmed)) == missing);
}

TEST_CASE("a trimmed pod keeps only the labels and annotations the controller reads") {
  rapidjson::Document pod = Parse(R"({"metadata":{"name":"pi-1-driver","namespace":"jobs",
    "labels":{"spark-role":"driver","spark-app-selector":"spark-abc","spark-app-name":"pi","spark-version":"4.2.0",
      "spark-operator.k8s.io/app-name":"pi","spark-operator.k8s.io/submission-attempt":"2",
      "spark-operator.k8s.io/launched-by-spark-operator":"true","spark-operator.k8s.io/app-uid":"a-1",
      "team":"data","sparkoperator.k8s.io/metrics":"true"},
    "annotations":{"spark-operator.k8s.io/app-name":"pi","spark-operator.k8s.io/logs":"shipped",
      "spark-operator.k8s.io/sparkConfigMap":"conf","prometheus.io/scrape":"true","owner":"someone"}},
   "spec":{"containers":[{"name":"spark-kubernetes-driver","volumeMounts":[{"name":"c","mountPath":"/etc/c"}]}]}})");
  TrimPodForCache(pod);
  CHECK(ToJson(pod) == ToJson(Parse(R"({"metadata":{"name":"pi-1-driver","namespace":"jobs",
    "labels":{"spark-role":"driver","spark-app-selector":"spark-abc",
      "spark-operator.k8s.io/submission-attempt":"2","spark-operator.k8s.io/app-uid":"a-1"},
    "annotations":{"spark-operator.k8s.io/app-name":"pi","spark-operator.k8s.io/logs":"shipped"}},
   "spec":{"containers":[{"name":"spark-kubernetes-driver","volumeMounts":[{"mountPath":"/etc/c"}]}]}})")));
  CHECK(PodAppName(pod) == "pi");
  CHECK(AppPodsIndexValues(pod) == std::vector<std::string>{"jobs/pi"});
}

// An executor roughly as the API server returns it (shortened); `extra_meta` adds metadata members.
std::string Executor(const std::string& extra_meta, const std::string& state) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"pi-exec-1","namespace":"jobs","uid":"e-1",
    "resourceVersion":"7","creationTimestamp":"2026-12-01T10:00:01Z",)" +
         extra_meta + R"("labels":{"spark-role":"executor","spark-exec-id":"1","spark-app-selector":"spark-abc",
      "spark-operator.k8s.io/app-name":"pi","spark-operator.k8s.io/submission-attempt":"1",
      "spark-operator.k8s.io/app-uid":"a-1"},
    "ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"pi-1-driver","uid":"p-1","controller":true}]},
   "spec":{"nodeName":"kwok-node-0","containers":[{"name":"spark-kubernetes-executor","image":"apache/spark:4.2.0",
       "volumeMounts":[{"name":"spark-local-dir-1","mountPath":"/var/data"},{"name":"c","mountPath":"/etc/c"}]},
     {"name":"sidecar","volumeMounts":[{"name":"c","mountPath":"/etc/c"}]}]},
   "status":{"phase":"Running","reason":"r","message":"m","containerStatuses":[{"name":"spark-kubernetes-executor",
     "state":)" +
         state + R"(,"restartCount":0}]}})";
}

TEST_CASE("a trimmed executor keeps what its app's state and its deletion read, and no containers") {
  const std::string executor = Executor(R"("annotations":{"spark-operator.k8s.io/app-name":"pi","other":"x"},)",
                                        R"({"running":{"startedAt":"2026-12-01T10:00:02Z"}})");
  const rapidjson::Document whole = Parse(executor.c_str());
  rapidjson::Document pod = Parse(executor.c_str());
  TrimPodForCache(pod);
  CHECK(ToJson(pod) == ToJson(Parse(R"({"metadata":{"name":"pi-exec-1","namespace":"jobs","uid":"e-1",
    "resourceVersion":"7","annotations":{"spark-operator.k8s.io/app-name":"pi"},
    "labels":{"spark-role":"executor","spark-operator.k8s.io/submission-attempt":"1"}},
   "status":{"phase":"Running"}})")));
  CHECK(ObserveExecutors({kube::ParsePod(whole)}, 1) == ObserveExecutors({kube::ParsePod(pod)}, 1));
  CHECK(ObserveExecutors({kube::ParsePod(pod)}, 1).size() == 1);
  CHECK(ObserveExecutors({kube::ParsePod(pod)}, 2).empty());
  CHECK(AppPodsIndexValues(pod) == std::vector<std::string>{"jobs/pi"});
  // Deleting it when its app goes (controller/logs/log_keeper.cc) and holding it for its logs read these.
  const kube::Pod kept = kube::ParsePod(pod);
  CHECK(kept.meta.uid == "e-1");
  CHECK(kept.meta.resource_version == "7");
  CHECK(logs::PodsToProtect({kept}, true).size() == 1);
  CHECK(logs::AttemptOf(kept, 5) == 1);
}

TEST_CASE("a trimmed executor without the app-name annotation keeps the label the app is found by") {
  rapidjson::Document pod = Parse(Executor("", R"({"running":{}})").c_str());
  TrimPodForCache(pod);
  CHECK(ToJson(*FindPath(pod, {"metadata", "labels"})) ==
        ToJson(Parse(R"({"spark-role":"executor","spark-operator.k8s.io/app-name":"pi",
      "spark-operator.k8s.io/submission-attempt":"1"})")));
  CHECK(PodAppName(pod) == "pi");
}

TEST_CASE("a trimmed executor held for its logs keeps its containers' names and how they ended") {
  for (const std::string meta : {std::string(R"("finalizers":["spark-operator.k8s.io/logs"],)"),
                                 std::string(R"("annotations":{"spark-operator.k8s.io/logs":"shipped"},)")}) {
    const std::string executor = Executor(
        meta, R"({"terminated":{"exitCode":137,"reason":"Error","message":"m","startedAt":"2026-12-01T10:00:02Z",
          "finishedAt":"2026-12-01T10:01:00Z","containerID":"c"}})");
    const rapidjson::Document whole = Parse(executor.c_str());
    rapidjson::Document pod = Parse(executor.c_str());
    TrimPodForCache(pod);
    CHECK(ToJson(*FindPath(pod, {"spec"})) ==
          ToJson(Parse(R"({"containers":[{"name":"spark-kubernetes-executor"},{"name":"sidecar"}]})")));
    CHECK(ToJson(*FindPath(pod, {"status"})) ==
          ToJson(Parse(R"({"phase":"Running","containerStatuses":[{"name":"spark-kubernetes-executor",
            "state":{"terminated":{"exitCode":137,"finishedAt":"2026-12-01T10:01:00Z"}}}]})")));
    // The run's logs see the same pod (controller/logs/log_plan.cc).
    const auto whole_runs =
        logs::OwedAttempts({kube::ParsePod(whole)}, 1, true, kube::WallTime{}, std::chrono::seconds(0));
    const auto kept_runs =
        logs::OwedAttempts({kube::ParsePod(pod)}, 1, true, kube::WallTime{}, std::chrono::seconds(0));
    REQUIRE(whole_runs.size() == kept_runs.size());
    CHECK(kept_runs.size() == (meta.find("finalizers") != std::string::npos ? 1u : 0u));
    for (size_t i = 0; i < whole_runs.size(); ++i) {
      CHECK(whole_runs[i].ready == kept_runs[i].ready);
      CHECK(whole_runs[i].ended_at == kept_runs[i].ended_at);
      REQUIRE(whole_runs[i].pods.size() == kept_runs[i].pods.size());
      for (size_t p = 0; p < whole_runs[i].pods.size(); ++p) {
        CHECK(whole_runs[i].pods[p].uid == kept_runs[i].pods[p].uid);
        CHECK(whole_runs[i].pods[p].phase == kept_runs[i].pods[p].phase);
        REQUIRE(whole_runs[i].pods[p].containers.size() == kept_runs[i].pods[p].containers.size());
        for (size_t c = 0; c < whole_runs[i].pods[p].containers.size(); ++c) {
          CHECK(whole_runs[i].pods[p].containers[c].name == kept_runs[i].pods[p].containers[c].name);
          CHECK(whole_runs[i].pods[p].containers[c].exit_code == kept_runs[i].pods[p].containers[c].exit_code);
        }
      }
    }
  }
}

TEST_CASE("a trimmed pod comes out of the cache as the same JSON") {
  rapidjson::Document pod = Parse(kDriver);
  TrimPodForCache(pod);
  kube::Store store(PodCacheDictionary());
  store.AddIndex(kAppPodsIndex, AppPodsIndexValues);
  store.Upsert(pod);
  const kube::ObjectPtr cached = store.Get("jobs/pi-1-driver");
  REQUIRE(cached != nullptr);
  CHECK(ToJson(*cached) == ToJson(pod));
  REQUIRE(store.ByIndex(kAppPodsIndex, "jobs/pi").size() == 1);
  CHECK(ToJson(*store.ByIndex(kAppPodsIndex, "jobs/pi").front()) == ToJson(pod));
}

TEST_CASE("a trimmed pod missing whole sections, or with odd types, stays as it is") {
  for (const char* text : {R"({"metadata":{"name":"p","namespace":"n"}})",
                           R"({"metadata":{"name":"p","namespace":"n"},"spec":[],"status":"x"})",
                           R"({"metadata":{"name":"p","namespace":"n"},"spec":{"containers":[1,{"name":"c"}]}})"}) {
    rapidjson::Document pod = Parse(text);
    TrimPodForCache(pod);
    CHECK(ToJson(pod) == ToJson(Parse(text)));
  }
}

TEST_CASE("a trimmed SparkApplication loses only managedFields and kubectl's last-applied copy") {
  rapidjson::Document app = Parse(R"({"kind":"SparkApplication","metadata":{"name":"pi","namespace":"jobs",
      "generation":3,"managedFields":[{"manager":"kubectl"}],
      "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{...}","keep":"me"}},
      "spec":{"type":"Scala"},"status":{"applicationState":{"state":"RUNNING"}}})");
  TrimAppForCache(app);
  CHECK(ToJson(app) == ToJson(Parse(R"({"kind":"SparkApplication","metadata":{"name":"pi","namespace":"jobs",
      "generation":3,"annotations":{"keep":"me"}},
      "spec":{"type":"Scala"},"status":{"applicationState":{"state":"RUNNING"}}})")));
}

TEST_CASE("a cached SparkApplication is the same JSON") {
  const char* text = R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication",
      "metadata":{"name":"pi","namespace":"jobs","creationTimestamp":"2026-12-01T10:00:00Z","resourceVersion":"5"},
      "spec":{"type":"Scala","mainApplicationFile":"local:///x.jar","sparkConf":{"lastSubmissionAttemptTime":"x"},
        "driver":{"cores":0.1,"podTemplate":{"spec":{"containers":[{"name":"c","securityContext":{}}]}}}},
      "status":{"lastSubmissionAttemptTime":"2026-12-01T10:00:00Z","submissionAttempts":1,
        "applicationState":{"state":"RUNNING"},"executorState":{"pi-1-exec-1":"RUNNING"}}})";
  rapidjson::Document app = Parse(text);
  TrimAppForCache(app);
  kube::Store store(AppCacheDictionary());
  store.Upsert(app);
  const kube::ObjectPtr cached = store.Get("jobs/pi");
  REQUIRE(cached != nullptr);
  CHECK(ToJson(*cached) == ToJson(Parse(text)));
  CHECK(*cached == Parse(text));
  const Result<api::SparkApplication> parsed = api::ParseSparkApplication(*cached);
  REQUIRE(parsed.ok());
  CHECK(parsed->metadata.name == "pi");
}

}  // namespace
}  // namespace spark_operator::controller
