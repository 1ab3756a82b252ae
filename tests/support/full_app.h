// A SparkApplication with every field set, shared by the api tests (reading, writing, validation) and the
// controller tests (what spark-submit is given).
#pragma once

namespace spark_operator::testing {

// Every spec and status field set, nothing defaulted, valid.
inline constexpr char kFullApplication[] = R"(
apiVersion: spark-operator.k8s.io/v1alpha1
kind: SparkApplication
metadata:
  name: full
  namespace: jobs
  uid: 0f7c7c2e-1111-2222-3333-444455556666
  resourceVersion: "42"
  generation: 3
  creationTimestamp: "2025-01-02T03:04:05Z"
  labels: {team: data}
  annotations: {note: hello}
  finalizers: [spark-operator.k8s.io/cleanup]
spec:
  type: Python
  mode: cluster
  mainClass: org.example.Main
  mainApplicationFile: local:///opt/app/main.py
  arguments: ["--input", "s3a://bucket/in", "42"]
  deps:
    jars: [local:///opt/jars/a.jar]
    files: [local:///opt/files/f.txt]
    pyFiles: [local:///opt/py/lib.zip]
  driver:
    cores: 0.5
    coreLimit: 1200m
    memory: 2Gi
    memoryOverhead: 512m
    image: example/driver:1
    configMaps: [{name: driver-conf, path: /etc/driver}]
    secrets: [{name: gcp-key, path: /etc/gcp, secretType: GCPServiceAccount}]
    env: [{name: MODE, value: test}, {name: UNSET}]
    labels: {role: driver}
    annotations: {example.com/owner: me}
    nodeSelector: {disk: ssd}
    serviceAccount: spark
  executor:
    cores: 2
    coreLimit: "2"
    memory: 4g
    memoryOverhead: 1G
    image: example/executor:1
    configMaps: [{name: exec-conf, path: /etc/exec}]
    secrets: [{name: creds, path: /etc/creds, secretType: Generic}]
    env: [{name: LEVEL, value: "3"}]
    labels: {role: executor}
    annotations: {a: b}
    nodeSelector: {zone: a}
    instances: 4
  submissionByUser: true
  sparkVersion: 4.2.0
  image: example/spark:1
  imagePullPolicy: Always
  imagePullSecrets: [registry-key]
  sparkConf: {spark.eventLog.enabled: "true"}
  hadoopConf: {fs.s3a.endpoint: "http://minio:9000"}
  sparkConfigMap: spark-defaults
  hadoopConfigMap: hadoop-site
  nodeSelector: {pool: spark}
  restartPolicy:
    type: OnFailure
    onFailureRetries: 2
    onFailureRetryInterval: 30
    onSubmissionFailureRetries: 1
    onSubmissionFailureRetryInterval: 10
  timeToLiveSeconds: 3600
  logs: {destination: "s3://spark-logs/prod", executors: false}
  sparkUIOptions:
    servicePort: 80
    servicePortName: http
    serviceType: ClusterIP
    serviceAnnotations: {example.com/svc: "yes"}
    serviceLabels: {expose: ui}
    ingressURLFormat: "example.com/{{$appNamespace}}/{{$appName}}"
    ingressClassName: nginx
    ingressAnnotations: {example.com/ing: "yes"}
    ingressTLS: [{hosts: [example.com], secretName: example-tls}]
  monitoring:
    exposeDriverMetrics: true
    exposeExecutorMetrics: true
    metricsProperties: "driver.source.jvm.class=org.apache.spark.metrics.source.JvmSource\n"
    metricsPropertiesFile: /etc/metrics/metrics.properties
status:
  appId: spark-123
  applicationState: {state: RUNNING, errorMessage: "none yet"}
  driverInfo: {podName: full-driver, webUIPort: 4040, webUIServiceName: full-ui-svc, webUIURL: "http://full:4040",
               webUIIngressName: full-ui-ingress, webUIIngressAddress: "https://example.com/jobs/full"}
  executorState: {full-exec-1: RUNNING, full-exec-2: PENDING}
  submissionAttempts: 1
  executionAttempts: 1
  lastSubmissionAttemptTime: "2025-01-02T03:04:06Z"
  submissionTime: "2025-01-02T03:04:07Z"
  terminationTime: "2025-01-02T03:05:07Z"
  logs:
    state: SHIPPED
    destination: "s3://spark-logs/prod"
    attempt: 1
    objects: 3
    bytes: 123456
    error: "1 container log(s) were no longer available"
    shippedTime: "2025-01-02T03:05:09Z"
)";

}  // namespace spark_operator::testing
