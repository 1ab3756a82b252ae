// The Zstandard dictionaries of the controller's caches: objects as the transforms leave them, with made-up values.
// Zstandard finds the member names, label keys and usual values of a cached object here, so that what it stores of
// an object is mostly the object's own values (names, uids, times). It favours the end of a dictionary: the most
// common kind of object comes last.
#include <memory>

#include "controller/cache_transform.h"

namespace spark_operator::controller {
namespace {

constexpr char kPodDictionary[] =
    R"({"metadata":{"name":"report-7f3k2-1-driver","namespace":"default","uid":"1d5e4c2a-9b7f-4a31-8c6d-2e0f9a8b7c61",)"
    R"("resourceVersion":"84512","creationTimestamp":"2026-01-15T08:30:00Z","deletionTimestamp":"2026-01-15T09:30:00Z",)"
    R"("finalizers":["spark-operator.k8s.io/logs"],"labels":{"spark-role":"driver",)"
    R"("spark-app-selector":"spark-8c1f2e3d4b5a69788796a5b4c3d2e1f0","spark-operator.k8s.io/app-name":"report-7f3k2",)"
    R"("spark-operator.k8s.io/submission-attempt":"2","spark-operator.k8s.io/app-uid":)"
    R"("9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"},"annotations":{"spark-operator.k8s.io/app-name":"report-7f3k2",)"
    R"("spark-operator.k8s.io/logs":"shipped"},"ownerReferences":[{"kind":"SparkApplication","name":"report-7f3k2",)"
    R"("uid":"9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"}]},"spec":{"nodeName":"node-1","containers":[{"name":)"
    R"("spark-kubernetes-driver","volumeMounts":[{"mountPath":"/var/data/spark-0a1b2c3d-4e5f-6a7b-8c9d"},)"
    R"({"mountPath":"/opt/spark/conf"},{"mountPath":"/etc/spark/conf"},{"mountPath":"/opt/spark/pod-template"},)"
    R"({"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}]}]},"status":{"phase":"Succeeded",)"
    R"("reason":"Evicted","message":"The node was low on resource: ephemeral-storage.","containerStatuses":[{"name":)"
    R"("spark-kubernetes-driver","state":{"terminated":{"exitCode":0,"reason":"Completed","message":"",)"
    R"("finishedAt":"2026-01-15T08:34:12Z"}}}]}})"
    R"({"metadata":{"name":"report-7f3k2-1-driver","namespace":"spark","uid":"3f6a8d2e-7c1b-4e59-a0d4-5b8c9e1f2a3d",)"
    R"("resourceVersion":"84490","creationTimestamp":"2026-01-15T08:30:00Z","labels":{"spark-role":"driver",)"
    R"("spark-app-selector":"spark-4e3d2c1b0a9f8e7d6c5b4a3928171605","spark-operator.k8s.io/submission-attempt":"1",)"
    R"("spark-operator.k8s.io/app-uid":"5c4b3a29-1807-4f6e-9d5c-4b3a29180706"},"annotations":)"
    R"({"spark-operator.k8s.io/app-name":"etl-daily"},"ownerReferences":[{"kind":"SparkApplication","name":"etl-daily",)"
    R"("uid":"5c4b3a29-1807-4f6e-9d5c-4b3a29180706"}]},"spec":{"nodeName":"worker-2","containers":[{"name":)"
    R"("spark-kubernetes-driver","volumeMounts":[{"mountPath":"/var/data/spark-9f8e7d6c"},{"mountPath":)"
    R"("/opt/spark/conf"},{"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}]}]},"status":{"phase":)"
    R"("Running","containerStatuses":[{"name":"spark-kubernetes-driver","state":{}}]}})"
    R"({"metadata":{"name":"etl-daily-3a9c1f8e2b7d4a05-exec-3","namespace":"spark",)"
    R"("uid":"8e7d6c5b-4a39-4281-9f0e-d1c2b3a49586","resourceVersion":"84533","deletionTimestamp":)"
    R"("2026-01-15T08:40:00Z","finalizers":["spark-operator.k8s.io/logs"],"labels":{"spark-role":"executor",)"
    R"("spark-operator.k8s.io/submission-attempt":"1"},"annotations":{"spark-operator.k8s.io/app-name":"etl-daily"}},)"
    R"("spec":{"containers":[{"name":"spark-kubernetes-executor"}]},"status":{"phase":"Failed","containerStatuses":)"
    R"([{"name":"spark-kubernetes-executor","state":{"terminated":{"exitCode":137,"finishedAt":"2026-01-15T08:39:57Z")"
    R"(}}}]}})"
    R"({"metadata":{"name":"etl-daily-3a9c1f8e2b7d4a05-exec-1","namespace":"spark",)"
    R"("uid":"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e","resourceVersion":"84467","labels":{"spark-role":"executor",)"
    R"("spark-operator.k8s.io/submission-attempt":"1"},"annotations":{"spark-operator.k8s.io/app-name":"etl-daily"}},)"
    R"("status":{"phase":"Pending"}})"
    R"({"metadata":{"name":"pi-5d8e2a7c1f3b9046-exec-2","namespace":"default",)"
    R"("uid":"6f5e4d3c-2b1a-4098-8f7e-6d5c4b3a2918","resourceVersion":"84501","labels":{"spark-role":"executor",)"
    R"("spark-operator.k8s.io/submission-attempt":"1"},"annotations":{"spark-operator.k8s.io/app-name":"pi"}},)"
    R"("status":{"phase":"Running"}})";

constexpr char kAppDictionary[] =
    R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication","metadata":{"annotations":{},)"
    R"("creationTimestamp":"2026-01-15T08:29:58Z","deletionTimestamp":"2026-01-15T09:29:58Z","finalizers":[],)"
    R"("generation":2,"labels":{"app.kubernetes.io/name":"report"},"name":"report-7f3k2","namespace":"default",)"
    R"("ownerReferences":[{"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"ScheduledSparkApplication",)"
    R"("name":"report","uid":"2a3b4c5d-6e7f-4081-9a2b-3c4d5e6f7081","controller":true,"blockOwnerDeletion":true}],)"
    R"("resourceVersion":"84519","uid":"9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"},"spec":{"arguments":["1000"],)"
    R"("deps":{"jars":[],"files":[],"pyFiles":[],"packages":[],"repositories":[]},"driver":{"coreLimit":"1200m",)"
    R"("coreRequest":"500m","cores":1,"env":[{"name":"ENV","value":"prod"}],"javaOptions":"-XX:+UseG1GC",)"
    R"("labels":{"version":"4.2.0"},"memory":"1g","memoryOverhead":"512m","serviceAccount":"spark",)"
    R"("volumeMounts":[{"mountPath":"/data","name":"data"}]},"dynamicAllocation":{"enabled":true,"initialExecutors":1,)"
    R"("maxExecutors":10,"minExecutors":1},"executor":{"cores":2,"instances":2,"memory":"2g",)"
    R"("volumeMounts":[{"mountPath":"/data","name":"data"}]},"hadoopConf":{},"image":"apache/spark:4.2.0",)"
    R"("imagePullPolicy":"IfNotPresent","logs":{"destination":"s3://spark-logs/"},)"
    R"("mainApplicationFile":"local:///opt/spark/examples/jars/spark-examples.jar",)"
    R"("mainClass":"org.apache.spark.examples.SparkPi","mode":"cluster","restartPolicy":{"onFailureRetries":3,)"
    R"("onFailureRetryInterval":10,"onSubmissionFailureRetries":5,"onSubmissionFailureRetryInterval":20,)"
    R"("type":"OnFailure"},"sparkConf":{"spark.eventLog.enabled":"true","spark.kubernetes.allocation.batch.size":"5"},)"
    R"("sparkConfigMap":"spark-conf","sparkVersion":"4.2.0","timeToLiveSeconds":3600,"type":"Scala",)"
    R"("volumes":[{"name":"data","persistentVolumeClaim":{"claimName":"data-pvc"}}]},"status":{"appId":)"
    R"("spark-5c1e9a7b3d2f4e6081a9b7c5d3e1f2a4","applicationState":{"errorMessage":"driver pod failed","state":)"
    R"("FAILED"},"driverInfo":{"podName":"report-7f3k2-1-driver","webUIAddress":"10.96.0.12:4040",)"
    R"("webUIPort":4040,"webUIServiceName":"report-7f3k2-ui-svc"},"executionAttempts":2,"executorState":)"
    R"({"report-7f3k2-1-exec-1":"FAILED","report-7f3k2-1-exec-2":"RUNNING"},)"
    R"("lastSubmissionAttemptTime":"2026-01-15T08:30:01Z","observedGeneration":2,"submissionAttempts":1,)"
    R"("submissionNumber":2,"submissionTime":"2026-01-15T08:30:05Z","terminationTime":"2026-01-15T08:35:40Z"}})"
    R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkApplication","metadata":{"creationTimestamp":)"
    R"("2026-01-15T08:02:11Z","generation":1,"name":"etl-daily","namespace":"spark","resourceVersion":"84502",)"
    R"("uid":"5c4b3a29-1807-4f6e-9d5c-4b3a29180706"},"spec":{"driver":{"cores":0.5,"memory":"512m"},"executor":)"
    R"({"cores":1,"instances":5,"memory":"512m"},"image":"apache/spark:4.2.0","mainApplicationFile":)"
    R"("local:///opt/spark/examples/jars/spark-examples.jar","mainClass":"org.apache.spark.examples.SparkPi",)"
    R"("mode":"cluster","restartPolicy":{"type":"Never"},"type":"Scala"},"status":{"appId":)"
    R"("spark-0e1d2c3b4a5f69788796a5b4c3d2e1f0","applicationState":{"state":"COMPLETED"},"driverInfo":{"podName":)"
    R"("etl-daily-1-driver"},"executionAttempts":1,"executorState":{"etl-daily-1-exec-1":"COMPLETED",)"
    R"("etl-daily-1-exec-2":"COMPLETED","etl-daily-1-exec-3":"COMPLETED","etl-daily-1-exec-4":"RUNNING",)"
    R"("etl-daily-1-exec-5":"PENDING"},"lastSubmissionAttemptTime":"2026-01-15T08:02:12Z","observedGeneration":1,)"
    R"("submissionAttempts":1,"submissionNumber":1,"submissionTime":"2026-01-15T08:02:19Z","terminationTime":)"
    R"("2026-01-15T08:06:52Z"}})";

}  // namespace

std::shared_ptr<const kube::PackDictionary> PodCacheDictionary() {
  static const auto dictionary = std::make_shared<const kube::PackDictionary>(kPodDictionary);
  return dictionary;
}

std::shared_ptr<const kube::PackDictionary> AppCacheDictionary() {
  static const auto dictionary = std::make_shared<const kube::PackDictionary>(kAppDictionary);
  return dictionary;
}

}  // namespace spark_operator::controller
