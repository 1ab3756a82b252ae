// spark-operator-controller: runs SparkApplications with spark-submit and tracks them to completion.
#include <gflags/gflags.h>
#include <glog/logging.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "api/ingress_url.h"
#include "common/base/shutdown_signals.h"
#include "common/base/strings.h"
#include "common/storage/object_store.h"
#include "controller/convert/command.h"
#include "controller/manager.h"

DEFINE_string(kubeconfig, "",
              "Path to a kubeconfig; empty: $KUBECONFIG, the in-cluster service account, ~/.kube/config.");
DEFINE_string(namespaces, "", "Comma-separated namespaces to watch; empty: all namespaces.");
DEFINE_int32(workers, 4, "Reconcile workers.");
DEFINE_int32(malloc_arenas, 2,
             "Most glibc malloc arenas (M_ARENA_MAX; 0: glibc's 8 per core). Each of the ~60 threads would otherwise "
             "get its own, and memory a thread freed stays in its arena: at 1,000 apps 16 arenas held 51 MB for 23 MB "
             "in use. The MALLOC_ARENA_MAX environment variable wins when set.");
DEFINE_int32(
    malloc_mmap_threshold_kb, 64,
    "Allocations of at least this many KiB get their own mapping (M_MMAP_THRESHOLD; 0: glibc's dynamic "
    "threshold, 128 KiB and up). Every JSON document takes a 64 KiB first chunk (RapidJSON's constant) and most "
    "fill a few KiB of it: mapped alone, only the pages written count and all of them go back when the "
    "document does, instead of a whole recycled 64 KiB of the heap.");
DEFINE_int32(malloc_trim_seconds, 10,
             "Every this many seconds, give the memory malloc holds free back to the system (malloc_trim; 0: never). "
             "What a burst freed (lists, reconciles at once) stays in the arenas between the cache's objects "
             "otherwise: at 1,000 apps RSS went from 45 to 35 MB.");
DEFINE_double(kube_api_qps, 50, "Requests per second to the API server, on average; 0: no limit.");
DEFINE_int32(kube_api_burst, 100, "Requests to the API server allowed at once above --kube-api-qps.");
DEFINE_string(ui_service_type, "NodePort",
              "Service exposing each running driver's Spark UI: NodePort, ClusterIP (in-cluster only) or None; "
              "deleted when the driver ends.");
DEFINE_string(ingress_url_format, "",
              "An Ingress (networking.k8s.io/v1) to each running driver's UI Service at this address, with "
              "{{$appName}} and {{$appNamespace}} replaced: {{$appName}}.{{$appNamespace}}.example.com or "
              "example.com/{{$appNamespace}}/{{$appName}} (then spark.ui.proxyBase is set to the path). Empty: no "
              "Ingress unless an app's spec.sparkUIOptions.ingressURLFormat asks for one.");
DEFINE_string(ingress_class_name, "", "IngressClass of the UI Ingresses; empty: the cluster's default class.");
DEFINE_string(submitter, "native",
              "How applications are submitted: native (the driver's objects built in-process, as Spark 4.2's "
              "spark-submit builds them; apps using a setting it does not build go to spark-submit, with an Event) or "
              "spark-submit (one spark-submit process per submission).");
DEFINE_string(spark_submit, "",
              "Path of the spark-submit executable; required with --submitter=spark-submit. With "
              "--submitter=native and none, apps the native builder cannot build fail with a message naming why.");
DEFINE_int32(native_submission_concurrency, 16, "Native submissions at once (each is a few API requests).");
DEFINE_int32(submission_backlog, 256,
             "Native submissions queued or running at once; an app beyond them stays NEW, unmarked, until one has "
             "run.");
DEFINE_double(status_wait_while_submitting, 10,
              "Seconds a submitted app's progress (SUBMITTED, RUNNING, executors) may wait to be written while native "
              "submissions queue for a lane, so that the API server's time goes to the submissions; the write then "
              "carries every change made meanwhile. A driver's end and a UI just made are written at once. 0: never.");
DEFINE_int32(submission_concurrency, 2, "spark-submit processes allowed to run at once (each is a JVM).");
DEFINE_int32(submission_timeout, 180, "Seconds before a spark-submit run is killed (its whole process group).");
DEFINE_bool(leader_elect, false, "Run leader election so that only one replica reconciles.");
DEFINE_string(lease_namespace, "default", "Namespace of the leader-election Lease.");
DEFINE_string(lease_name, "spark-operator-controller", "Name of the leader-election Lease.");
DEFINE_string(identity, "", "Leader-election identity; empty: <hostname>_<pid>.");
DEFINE_int32(lease_duration, 15, "Seconds a standby waits, after it last saw the Lease renewed, before taking it.");
DEFINE_double(
    renew_deadline, 10,
    "Seconds after its last successful renewal was sent that the leader stops acting; below --lease-duration.");
DEFINE_double(retry_period, 2, "Seconds between attempts to acquire or renew the Lease.");
DEFINE_int32(metrics_port, 8080, "Port for /metrics, /healthz and /readyz; -1 disables the server.");
DEFINE_int32(resync_period, 300, "Seconds between full resyncs of the SparkApplication cache.");
DEFINE_int32(driver_startup_grace_period, 120,
             "Seconds a submitted application may wait for its driver pod before it is FAILED.");
DEFINE_bool(prepare_tenant, true,
            "Before submitting, apply the driver's ServiceAccount, the Role and RoleBinding spark-driver and (with "
            "quota flags) the ResourceQuota spark-quota in the app's namespace; false where admins manage RBAC.");
DEFINE_bool(tenants, true,
            "Run the SparkTenant controller: namespaces with RBAC, quota and defaults for each SparkTenant (needs "
            "the SparkTenant CRD and cluster-wide rights; see deploy/rbac). With --namespaces, only the tenants "
            "whose namespace is listed.");
DEFINE_bool(scheduled_applications, true,
            "Run the ScheduledSparkApplication controller: SparkApplications created on a cron schedule (needs the "
            "ScheduledSparkApplication CRD; see deploy/crd and deploy/rbac).");
DEFINE_int32(tenant_quota_pods, 0, "Hard pod limit of the spark-quota ResourceQuota; 0: no pod limit.");
DEFINE_string(tenant_quota_cpu, "", "Hard requests.cpu of spark-quota (\"16\", \"500m\"); empty: no CPU limit.");
DEFINE_string(tenant_quota_memory, "",
              "Hard requests.memory of spark-quota (\"64Gi\", or Spark's \"64g\"); empty: no memory limit.");

DEFINE_string(log_destination, "",
              "Where finished applications' driver and executor logs are copied: gs://bucket/prefix, "
              "s3://bucket/prefix or file:///directory; spec.logs.destination overrides it. Empty: only apps that "
              "name a destination ship logs.");
DEFINE_int32(log_shipping_timeout, 24 * 60 * 60,
             "Seconds after a run ends that its pods are kept while their logs cannot be stored; then they are let "
             "go and status.logs says the logs were lost.");
DEFINE_int32(log_shipping_concurrency, 4, "Log copies at once.");
DEFINE_string(log_credentials_secret, "",
              "namespace/name of a Secret with the log stores' credentials: key.json (GCS service-account key), "
              "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (S3). Empty: GOOGLE_APPLICATION_CREDENTIALS or the GCE "
              "metadata server; the AWS_* environment variables.");
DEFINE_string(gcs_endpoint, "", "Google Cloud Storage endpoint; empty: https://storage.googleapis.com.");
DEFINE_string(s3_endpoint, "", "S3 endpoint, e.g. http://minio:9000; empty: AWS in --s3-region.");
DEFINE_string(s3_region, "us-east-1", "S3 region, for request signing; unset: AWS_REGION, else us-east-1.");
DEFINE_bool(s3_path_style, false, "Address S3 buckets as <endpoint>/<bucket> (most S3-compatible stores).");

int main(int argc, char** argv) {
  // A tool, not the controller: its own arguments, no flags, no logging setup (controller/convert/command.h).
  if (argc > 1 && std::string(argv[1]) == "convert") {
    return spark_operator::controller::convert::RunConvertCommand(std::vector<std::string>(argv + 2, argv + argc),
                                                                  std::cin, std::cout, std::cerr);
  }
  gflags::SetUsageMessage("Kubernetes operator for Apache Spark: the SparkApplication controller.");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  if (FLAGS_malloc_arenas > 0 && std::getenv("MALLOC_ARENA_MAX") == nullptr) {
    mallopt(M_ARENA_MAX, FLAGS_malloc_arenas);  // Before any thread allocates.
  }
  if (FLAGS_malloc_mmap_threshold_kb > 0 && std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) {
    mallopt(M_MMAP_THRESHOLD, FLAGS_malloc_mmap_threshold_kb * 1024);
  }
  const spark_operator::ShutdownSignals signals;  // Before any thread starts.

  spark_operator::controller::ManagerOptions options;
  options.kubeconfig = FLAGS_kubeconfig;
  options.namespaces = spark_operator::SplitCommas(FLAGS_namespaces);
  options.workers = FLAGS_workers;
  options.kube_api_qps = FLAGS_kube_api_qps;
  options.kube_api_burst = FLAGS_kube_api_burst;
  const auto ui_service_type = spark_operator::controller::ParseUiServiceType(FLAGS_ui_service_type);
  if (!ui_service_type.ok()) {
    LOG(ERROR) << "starting the controller: " << ui_service_type.status().message();
    return 1;
  }
  options.ui_service_type = *ui_service_type;
  if (!FLAGS_ingress_url_format.empty()) {
    // Checked once here with sample names; an app name is a DNS subdomain, so what passes here passes for each.
    const auto url = spark_operator::api::ExpandIngressUrl(FLAGS_ingress_url_format, "app", "namespace");
    if (!url.ok()) {
      LOG(ERROR) << "--ingress-url-format: " << url.status().message();
      return 1;
    }
  }
  options.ingress_url_format = FLAGS_ingress_url_format;
  options.ingress_class_name = FLAGS_ingress_class_name;
  if (FLAGS_submitter != "native" && FLAGS_submitter != "spark-submit") {
    LOG(ERROR) << "--submitter=" << FLAGS_submitter << ": expected native or spark-submit";
    return 1;
  }
  options.native_submission = FLAGS_submitter == "native";
  options.native_concurrency = FLAGS_native_submission_concurrency;
  options.submission_backlog = FLAGS_submission_backlog;
  options.status_wait_while_submitting =
      std::chrono::milliseconds(static_cast<int64_t>(std::max(0.0, FLAGS_status_wait_while_submitting) * 1000));
  options.spark_submit = FLAGS_spark_submit;
  options.submission_concurrency = FLAGS_submission_concurrency;
  options.submission_timeout = std::chrono::seconds(FLAGS_submission_timeout);
  options.leader_elect = FLAGS_leader_elect;
  options.lease_namespace = FLAGS_lease_namespace;
  options.lease_name = FLAGS_lease_name;
  options.identity = FLAGS_identity;
  options.lease_duration = std::chrono::seconds(FLAGS_lease_duration);
  options.renew_deadline = std::chrono::milliseconds(static_cast<int64_t>(FLAGS_renew_deadline * 1000));
  options.retry_period = std::chrono::milliseconds(static_cast<int64_t>(FLAGS_retry_period * 1000));
  options.metrics_port = FLAGS_metrics_port;
  options.resync_period = std::chrono::seconds(FLAGS_resync_period);
  options.driver_startup_grace = std::chrono::seconds(FLAGS_driver_startup_grace_period);
  options.tenant.enabled = FLAGS_prepare_tenant;
  options.tenants = FLAGS_tenants;
  options.scheduled = FLAGS_scheduled_applications;
  options.tenant.quota_pods = FLAGS_tenant_quota_pods;
  options.tenant.quota_cpu = FLAGS_tenant_quota_cpu;
  options.tenant.quota_memory = FLAGS_tenant_quota_memory;
  options.logs.default_destination = FLAGS_log_destination;
  options.logs.timeout = std::chrono::seconds(FLAGS_log_shipping_timeout);
  options.log_shipping_concurrency = FLAGS_log_shipping_concurrency;
  options.log_credentials_secret = FLAGS_log_credentials_secret;
  if (const auto loaded = spark_operator::storage::LoadStoreOptionsFromEnvironment(options.logs.store); !loaded.ok()) {
    LOG(ERROR) << "starting the controller: " << loaded.ToString();
    return 1;
  }
  if (!FLAGS_gcs_endpoint.empty()) options.logs.store.gcs_endpoint = FLAGS_gcs_endpoint;
  if (!FLAGS_s3_endpoint.empty()) options.logs.store.s3_endpoint = FLAGS_s3_endpoint;
  // The flag's default must not hide AWS_REGION from the environment.
  if (!gflags::GetCommandLineFlagInfoOrDie("s3_region").is_default) options.logs.store.s3_region = FLAGS_s3_region;
  options.logs.store.s3_path_style = FLAGS_s3_path_style;
  if (!FLAGS_log_destination.empty()) {
    if (const auto url = spark_operator::storage::ParseObjectUrl(FLAGS_log_destination); !url.ok()) {
      LOG(ERROR) << "--log-destination: " << url.status().message();
      return 1;
    }
  }

  auto manager = spark_operator::controller::Manager::Create(std::move(options));
  if (!manager.ok()) {
    LOG(ERROR) << "starting the controller: " << manager.status().ToString();
    return 1;
  }
  if (const auto started = (*manager)->Start(); !started.ok()) {
    LOG(ERROR) << "starting the controller: " << started.ToString();
    return 1;
  }
  auto trimmed = std::chrono::steady_clock::now();
  const int signal_number = signals.Wait([&] {
    const auto now = std::chrono::steady_clock::now();
    if (FLAGS_malloc_trim_seconds > 0 && now - trimmed >= std::chrono::seconds(FLAGS_malloc_trim_seconds)) {
      malloc_trim(0);
      trimmed = now;
    }
    return (*manager)->Done();
  });
  if (signal_number == 0) {
    // The manager stops by itself only when it lost the leader-election lease. Exiting non-zero makes the
    // restart visible and lets the new process campaign again with a clean state.
    LOG(ERROR) << "lost the leader-election lease; exiting";
    // Writes and spark-submits are fenced already; a hung API server must not hold the exit up while requests
    // wait out their timeouts.
    constexpr std::chrono::seconds kGrace{5};
    if (!(*manager)->StopWithin(kGrace)) {
      LOG(ERROR) << "stopping took longer than " << kGrace.count() << " s; exiting anyway";
      std::_Exit(2);
    }
    return 2;
  }
  LOG(INFO) << "shutting down on signal " << signal_number;
  (*manager)->Stop();
  return 0;
}
