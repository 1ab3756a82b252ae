// The pod cache's memory for N synthetic Spark pods (a driver and executors, as the API server sends them after
// spark-submit and the initializer: managedFields, volumes, environment, conditions), stored these ways:
//   whole    - each watch event's Document as parsed, what the informer stored before transforms;
//   packed   - the whole pod packed (kube::PackedObject: its minified JSON text compressed, in one allocation);
//   trimmed  - the pods trimmed as the controller's informer trims them (TrimPodForCache), then packed against
//              the pod cache's dictionary (PodCacheDictionary);
//   stored   - those trimmed pods in a kube::Store with the manager's app index: what the controller really
//              holds, its table and index included;
//   held     - as stored, but every pod held for its logs (the logs finalizer, as with a log destination):
//              executors then keep their containers and how they ended;
//   apps     - N / 6 SparkApplications (1 driver and 5 executors each) as bench/scale.sh leaves them COMPLETED,
//              trimmed (TrimAppForCache) in a kube::Store with the manager's namespace index and dictionary;
//   decode   - not memory: the time a read takes, decoding a stored trimmed executor, driver and app.
// --nodictionary packs without the dictionaries. Prints heap bytes in use (mallinfo2) and resident memory per way;
// asserts nothing.
//   build/bin/cache_memory [--pods=60000] [--only=whole|packed|trimmed|stored|held|apps|decode] [--nodictionary]
#include <gflags/gflags.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/base/json.h"
#include "common/kube/store.h"
#include "controller/cache_transform.h"

DEFINE_int32(pods, 60000, "Pods to store.");
DEFINE_bool(dictionary, true, "Pack against the caches' dictionaries, as the controller does.");
DEFINE_string(
    only, "",
    "whole, packed, trimmed, stored, held, apps or decode: only that way, in a fresh process, for a clean RSS "
    "figure.");

namespace {

size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * 4096;
}

std::string PodJson(int i, bool held) {
  const std::string app = "app-" + std::to_string(i / 6);
  const bool driver = i % 6 == 0;
  const std::string name = driver ? app + "-1-driver" : app + "-exec-" + std::to_string(i % 6);
  const std::string role = driver ? "driver" : "executor";
  return R"({"type":"MODIFIED","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"(","namespace":"spark-jobs","uid":"5b1c7f0e-3a4d-4c55-9a5e-)" + std::to_string(100000000000 + i) +
         R"(","resourceVersion":")" + std::to_string(1000000 + i) + R"(","creationTimestamp":"2026-12-01T10:00:00Z",)" +
         (held ? R"("finalizers":["spark-operator.k8s.io/logs"],)" : "") + R"(
  "labels":{"spark-role":")" +
         role + R"(","spark-app-selector":"spark-0f5c8e6d2b7a4e1f9c3d5a7b9e1f3a5c","spark-app-name":")" + app +
         R"(","spark-exec-id":"1","spark-exec-resourceprofile-id":"0","spark-operator.k8s.io/app-name":")" + app +
         R"(","spark-operator.k8s.io/launched-by-spark-operator":"true","spark-operator.k8s.io/submission-attempt":"1",
    "spark-operator.k8s.io/app-uid":"0f5c8e6d-2b7a-4e1f-9c3d-5a7b9e1f3a5c"},
  "annotations":{"spark-operator.k8s.io/sparkConfigMap":"my-spark-conf","spark-operator.k8s.io/app-name":")" +
         app +
         R"("},
  "ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":")" +
         app +
         R"(-1-driver","uid":"7e2f9a1c-5b3d-4e6f-8a9b-0c1d2e3f4a5b","controller":true}],
  "managedFields":[{"manager":"spark-submit","operation":"Update","apiVersion":"v1","time":"2026-12-01T10:00:00Z",
    "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:spark-app-name":{},"f:spark-app-selector":{},
    "f:spark-exec-id":{},"f:spark-role":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"7e2f\"}":{}}},"f:spec":{
    "f:containers":{"k:{\"name\":\"spark-kubernetes-executor\"}":{".":{},"f:args":{},"f:env":{".":{},
    "k:{\"name\":\"SPARK_DRIVER_URL\"}":{".":{},"f:name":{},"f:value":{}},"k:{\"name\":\"SPARK_EXECUTOR_CORES\"}":{},
    "k:{\"name\":\"SPARK_EXECUTOR_MEMORY\"}":{},"k:{\"name\":\"SPARK_APPLICATION_ID\"}":{}},"f:image":{},
    "f:imagePullPolicy":{},"f:name":{},"f:ports":{},"f:resources":{},"f:volumeMounts":{}}},"f:volumes":{}}}},
   {"manager":"kwok","operation":"Update","apiVersion":"v1","time":"2026-12-01T10:00:02Z","fieldsType":"FieldsV1",
    "subresource":"status","fieldsV1":{"f:status":{"f:conditions":{},"f:containerStatuses":{},"f:hostIP":{},
    "f:phase":{},"f:podIP":{},"f:podIPs":{},"f:startTime":{}}}}]},
 "spec":{"nodeName":"kwok-node-0","serviceAccountName":"spark","restartPolicy":"Never","enableServiceLinks":false,
  "schedulerName":"default-scheduler","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
  "securityContext":{},"priority":0,"preemptionPolicy":"PreemptLowerPriority",
  "volumes":[{"name":"spark-local-dir-1","emptyDir":{}},{"name":"spark-conf-volume-exec","configMap":{
    "name":"spark-exec-conf-map","defaultMode":420}},{"name":"my-spark-conf","configMap":{"name":"my-spark-conf",
    "defaultMode":420}},{"name":"kube-api-access-x2k9p","projected":{"defaultMode":420,"sources":[
    {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt",
    "items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{
    "apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}]}}],
  "containers":[{"name":"spark-kubernetes-)" +
         role + R"(","image":"apache/spark:4.2.0","imagePullPolicy":"IfNotPresent",
    "args":["executor"],"ports":[{"name":"blockmanager","containerPort":7079,"protocol":"TCP"}],
    "env":[{"name":"SPARK_USER","value":"root"},{"name":"SPARK_DRIVER_URL",
      "value":"spark://CoarseGrainedScheduler@app-svc.spark-jobs.svc:7078"},{"name":"SPARK_EXECUTOR_CORES","value":"1"},
      {"name":"SPARK_EXECUTOR_MEMORY","value":"512m"},{"name":"SPARK_APPLICATION_ID",
      "value":"spark-0f5c8e6d2b7a4e1f9c3d5a7b9e1f3a5c"},{"name":"SPARK_CONF_DIR","value":"/etc/spark/conf"},
      {"name":"SPARK_EXECUTOR_POD_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}},
      {"name":"SPARK_LOCAL_DIRS","value":"/var/data/spark-6f3c1a2b-8d4e-4f5a-9b6c-7d8e9f0a1b2c"}],
    "resources":{"limits":{"memory":"896Mi"},"requests":{"cpu":"1","memory":"896Mi"}},
    "volumeMounts":[{"name":"spark-local-dir-1","mountPath":"/var/data/spark-6f3c1a2b"},{"name":"my-spark-conf",
      "mountPath":"/etc/spark/conf"},{"name":"kube-api-access-x2k9p","readOnly":true,
      "mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],
    "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
  "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",
    "tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute",
    "tolerationSeconds":300}]},
 "status":{"phase":"Running","hostIP":"10.240.0.1","podIP":"10.0.1.)" +
         std::to_string(i % 250) + R"(","podIPs":[{"ip":"10.0.1.7"}],
  "startTime":"2026-12-01T10:00:01Z","qosClass":"Burstable",
  "conditions":[{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-01T10:00:01Z"},
    {"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-01T10:00:02Z"},
    {"type":"ContainersReady","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-01T10:00:02Z"},
    {"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-12-01T10:00:00Z"}],
  "containerStatuses":[{"name":"spark-kubernetes-)" +
         role + R"(","state":{"running":{"startedAt":"2026-12-01T10:00:02Z"}},
    "lastState":{},"ready":true,"restartCount":0,"image":"apache/spark:4.2.0","imageID":"docker-pullable://apache/spark@sha256:0123",
    "containerID":"containerd://0123456789abcdef","started":true}]}}})";
}

// A SparkApplication as the API server sends it once bench/scale.sh's app has COMPLETED (its managedFields included).
std::string AppJson(int i) {
  const std::string app = "app-" + std::to_string(i);
  std::string executors;
  for (int e = 1; e <= 5; ++e) {
    executors += (e > 1 ? "," : "") + std::string(R"(")") + app + "-1-exec-" + std::to_string(e) + R"(":"COMPLETED")";
  }
  std::string executor_fields;
  for (int e = 1; e <= 5; ++e) executor_fields += R"(,"f:)" + app + "-1-exec-" + std::to_string(e) + R"(":{})";
  return R"({"type":"MODIFIED","object":{"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication",
  "metadata":{"creationTimestamp":"2026-12-03T11:02:29Z","generation":1,"managedFields":[{"apiVersion":
  "spark-operator.k8s.io/v1alpha1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{".":{},"f:driver":{".":{},"f:cores":{},
  "f:memory":{}},"f:executor":{".":{},"f:cores":{},"f:instances":{},"f:memory":{}},"f:image":{},"f:mainApplicationFile":{},
  "f:mainClass":{},"f:mode":{},"f:restartPolicy":{".":{},"f:type":{}},"f:type":{}}},"manager":"kubectl","operation":
  "Update","time":"2026-12-03T11:02:29Z"},{"apiVersion":"spark-operator.k8s.io/v1alpha1","fieldsType":"FieldsV1",
  "fieldsV1":{"f:status":{".":{},"f:appId":{},"f:applicationState":{".":{},"f:state":{}},"f:driverInfo":{".":{},
  "f:podName":{}},"f:executionAttempts":{},"f:executorState":{".":{})" +
         executor_fields + R"(},"f:lastSubmissionAttemptTime":{},"f:observedGeneration":{},"f:submissionAttempts":{},
  "f:submissionNumber":{},"f:submissionTime":{},"f:terminationTime":{}}},"manager":"spark-operator-controller",
  "operation":"Update","subresource":"status","time":"2026-12-03T11:06:54Z"}],"name":")" +
         app + R"(","namespace":"spark-jobs","resourceVersion":")" + std::to_string(20000 + i) +
         R"(","uid":"3d36393a-bf4a-4959-8bfe-)" + std::to_string(700000000000 + i) + R"("},
  "spec":{"driver":{"cores":0.1,"memory":"512m"},"executor":{"cores":1,"instances":5,"memory":"512m"},
  "image":"apache/spark:4.2.0","mainApplicationFile":"local:///opt/spark/examples/jars/spark-examples.jar",
  "mainClass":"org.apache.spark.examples.SparkPi","mode":"cluster","restartPolicy":{"type":"Never"},"type":"Scala"},
  "status":{"appId":"spark-66beca093a43b1fe994a9d6036861161","applicationState":{"state":"COMPLETED"},
  "driverInfo":{"podName":")" +
         app + R"(-1-driver"},"executionAttempts":1,"executorState":{)" + executors +
         R"(},"lastSubmissionAttemptTime":"2026-12-03T11:02:29Z","observedGeneration":1,"submissionAttempts":1,
  "submissionNumber":1,"submissionTime":"2026-12-03T11:02:49Z","terminationTime":"2026-12-03T11:06:52Z"}}})";
}

enum class Way { kWhole, kPacked, kTrimmed, kStored, kHeld, kApps };

// As the watch does (common/kube/client.cc): the event parsed, its object copied into a Document of its own.
rapidjson::Document EventObject(const std::string& text) {
  const spark_operator::Result<rapidjson::Document> event = spark_operator::ParseJson(text);
  return spark_operator::CopyJson((*event)["object"]);
}

// Stores every pod the given way; prints what it cost.
void Measure(Way way, const char* label) {
  malloc_trim(0);
  const size_t heap_before = HeapInUse();
  const size_t rss_before = ResidentBytes();
  const bool in_store = way == Way::kStored || way == Way::kHeld || way == Way::kApps;
  const int count = way == Way::kApps ? FLAGS_pods / 6 : FLAGS_pods;
  std::vector<std::shared_ptr<const rapidjson::Document>> documents;
  std::vector<spark_operator::kube::PackedObject> packed;
  if (way == Way::kWhole) documents.reserve(count);
  if (way == Way::kPacked || way == Way::kTrimmed) packed.reserve(count);
  std::shared_ptr<const spark_operator::kube::PackDictionary> dictionary;
  if (FLAGS_dictionary && way != Way::kPacked) {
    dictionary = way == Way::kApps ? spark_operator::controller::AppCacheDictionary()
                                   : spark_operator::controller::PodCacheDictionary();
  }
  std::unique_ptr<spark_operator::kube::Store> informer_store;
  if (in_store) informer_store = std::make_unique<spark_operator::kube::Store>(dictionary);
  if (way == Way::kApps) {
    informer_store->AddIndex(spark_operator::kube::Store::kNamespaceIndex,
                             spark_operator::kube::Store::NamespaceIndexFunc);
  } else if (in_store) {
    informer_store->AddIndex(spark_operator::controller::kAppPodsIndex, spark_operator::controller::AppPodsIndexValues);
  }
  size_t bytes = 0;
  for (int i = 0; i < count; ++i) {
    const std::string text = way == Way::kApps ? AppJson(i) : PodJson(i, way == Way::kHeld);
    bytes += text.size();
    rapidjson::Document pod = EventObject(text);
    if (way == Way::kWhole) {
      documents.push_back(std::make_shared<const rapidjson::Document>(std::move(pod)));
      continue;
    }
    if (way == Way::kApps) {
      spark_operator::controller::TrimAppForCache(pod);
    } else if (way != Way::kPacked) {
      spark_operator::controller::TrimPodForCache(pod);
    }
    if (in_store) {
      informer_store->Upsert(pod);
    } else {
      packed.push_back(spark_operator::kube::PackedObject::Pack(spark_operator::ObjectKey(pod), pod, dictionary.get()));
    }
  }
  const size_t heap = HeapInUse() - heap_before;
  const size_t rss = ResidentBytes() > rss_before ? ResidentBytes() - rss_before : 0;
  const char* unit = way == Way::kApps ? "apps" : "pods";
  std::printf("%-8s %8d %s  heap %8.1f MB (%6.0f B/%.3s)  RSS +%8.1f MB  (JSON as sent: %.1f MB)\n", label, count, unit,
              static_cast<double>(heap) / 1e6, static_cast<double>(heap) / count, unit, static_cast<double>(rss) / 1e6,
              static_cast<double>(bytes) / 1e6);
}

// Decodes one stored object over and over; prints the time a read takes and the object's packed size.
void TimeDecode(const std::string& text, bool app, const char* label) {
  rapidjson::Document object = EventObject(text);
  if (app) {
    spark_operator::controller::TrimAppForCache(object);
  } else {
    spark_operator::controller::TrimPodForCache(object);
  }
  std::shared_ptr<const spark_operator::kube::PackDictionary> dictionary;
  if (FLAGS_dictionary) {
    dictionary =
        app ? spark_operator::controller::AppCacheDictionary() : spark_operator::controller::PodCacheDictionary();
  }
  spark_operator::kube::Store store(dictionary);
  store.Upsert(object);
  const std::string key = spark_operator::ObjectKey(object);
  const spark_operator::kube::PackedObject packed =
      spark_operator::kube::PackedObject::Pack(key, object, dictionary.get());
  constexpr int kReads = 200000;
  size_t names = 0;  // Read, so that nothing is optimised away.
  // CPU time of this thread: what a read costs, whatever else the machine runs.
  const auto cpu_now = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return std::chrono::seconds(t.tv_sec) + std::chrono::nanoseconds(t.tv_nsec);
  };
  const auto start = cpu_now();
  for (int i = 0; i < kReads; ++i) names += spark_operator::NameOf(*store.Get(key)).size();
  const auto took = cpu_now() - start;
  std::printf("decode   %-9s %4zu B text, %4zu B packed  Store::Get %6.2f us CPU  (%zu)\n", label,
              packed.Text(dictionary.get()).size(), packed.allocated(),
              std::chrono::duration<double, std::micro>(took).count() / kReads, names / kReads);
}

}  // namespace

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (FLAGS_only.empty() || FLAGS_only == "whole") Measure(Way::kWhole, "whole");
  if (FLAGS_only.empty() || FLAGS_only == "packed") Measure(Way::kPacked, "packed");
  if (FLAGS_only.empty() || FLAGS_only == "trimmed") Measure(Way::kTrimmed, "trimmed");
  if (FLAGS_only.empty() || FLAGS_only == "stored") Measure(Way::kStored, "stored");
  if (FLAGS_only.empty() || FLAGS_only == "held") Measure(Way::kHeld, "held");
  if (FLAGS_only.empty() || FLAGS_only == "apps") Measure(Way::kApps, "apps");
  if (FLAGS_only.empty() || FLAGS_only == "decode") {
    TimeDecode(PodJson(1, false), false, "executor");
    TimeDecode(PodJson(0, false), false, "driver");
    TimeDecode(AppJson(0), true, "app");
  }
  return 0;
}
