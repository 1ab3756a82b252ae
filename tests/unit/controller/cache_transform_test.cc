// What the controller keeps of pods and SparkApplications in its caches: everything it reads, and its readers
// still see the same driver state, executors and mounts from a trimmed pod as from the whole one.
#include "controller/cache_transform.h"

#include <catch2/catch.hpp>

#include "api/spark_application.h"
#include "common/base/json.h"
#include "common/kube/store.h"
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
  CHECK(ToJson(pod) ==
        ToJson(Parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"pi-1-driver","namespace":"jobs",
  "uid":"p-1","resourceVersion":"42","creationTimestamp":"2026-12-01T10:00:00Z",
  "deletionTimestamp":"2026-12-01T10:05:00Z",
  "labels":{"spark-role":"driver","spark-app-selector":"spark-abc","spark-operator.k8s.io/app-name":"pi",
    "spark-operator.k8s.io/submission-attempt":"1"},
  "annotations":{"spark-operator.k8s.io/app-name":"pi"},
  "ownerReferences":[{"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication","name":"pi",
    "uid":"a-1","controller":true}]},
 "spec":{"nodeName":"kwok-node-0",
  "containers":[{"name":"spark-kubernetes-driver","volumeMounts":[{"mountPath":"/etc/spark/conf/"}]}]},
 "status":{"phase":"Failed","reason":"Evicted","message":"out of disk",
  "containerStatuses":[{"name":"spark-kubernetes-driver",
    "state":{"terminated":{"exitCode":3,"reason":"Error","message":"boom"}}}]}})")));
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
    "labels":{"spark-role":"driver","spark-app-selector":"spark-abc","spark-operator.k8s.io/app-name":"pi",
      "spark-operator.k8s.io/submission-attempt":"2","spark-operator.k8s.io/app-uid":"a-1"},
    "annotations":{"spark-operator.k8s.io/app-name":"pi","spark-operator.k8s.io/logs":"shipped"}},
   "spec":{"containers":[{"name":"spark-kubernetes-driver","volumeMounts":[{"mountPath":"/etc/c"}]}]}})")));
  CHECK(PodAppName(pod) == "pi");
  CHECK(AppPodsIndexValues(pod) == std::vector<std::string>{"jobs/pi"});
}

TEST_CASE("a trimmed executor keeps its containers' names and drops their mounts") {
  const char* executor = R"({"metadata":{"name":"pi-exec-1","namespace":"jobs",
    "labels":{"spark-role":"executor","spark-exec-id":"1","spark-operator.k8s.io/app-name":"pi",
      "spark-operator.k8s.io/submission-attempt":"1"}},
   "spec":{"containers":[{"name":"spark-kubernetes-executor","image":"apache/spark:4.2.0",
       "volumeMounts":[{"name":"spark-local-dir-1","mountPath":"/var/data"},{"name":"c","mountPath":"/etc/c"}]},
     {"name":"sidecar","volumeMounts":[{"name":"c","mountPath":"/etc/c"}]}]},
   "status":{"phase":"Running","containerStatuses":[{"name":"spark-kubernetes-executor",
     "state":{"running":{"startedAt":"2026-12-01T10:00:02Z"}}}]}})";
  const rapidjson::Document whole = Parse(executor);
  rapidjson::Document pod = Parse(executor);
  TrimPodForCache(pod);
  CHECK(ToJson(pod) == ToJson(Parse(R"({"metadata":{"name":"pi-exec-1","namespace":"jobs",
    "labels":{"spark-role":"executor","spark-operator.k8s.io/app-name":"pi",
      "spark-operator.k8s.io/submission-attempt":"1"}},
   "spec":{"containers":[{"name":"spark-kubernetes-executor"},{"name":"sidecar"}]},
   "status":{"phase":"Running","containerStatuses":[{"name":"spark-kubernetes-executor",
     "state":{"running":{"startedAt":"2026-12-01T10:00:02Z"}}}]}})")));
  CHECK(ObserveExecutors({kube::ParsePod(whole)}, 1) == ObserveExecutors({kube::ParsePod(pod)}, 1));
  CHECK(ObserveExecutors({kube::ParsePod(pod)}, 1).size() == 1);
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

}  // namespace
}  // namespace spark_operator::controller
