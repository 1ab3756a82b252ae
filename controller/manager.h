// Wires the controller together, controller-runtime style: informers on SparkApplications and on the pods the
// operator launched, a work queue fed by both, N reconcile workers, the spark-submit pool, optional leader
// election (fenced: writes and spark-submits stop before the Lease can expire), and an HTTP server with
// /metrics, /healthz and /readyz.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/http/server.h"
#include "common/kube/client.h"
#include "common/kube/event_recorder.h"
#include "common/kube/informer.h"
#include "common/kube/leader_election.h"
#include "common/metrics/metrics.h"
#include "common/runtime/controller.h"
#include "common/runtime/namespaced_informers.h"
#include "common/runtime/workqueue.h"
#include "controller/admission.h"
#include "controller/controller_metrics.h"
#include "controller/events.h"
#include "controller/logs/log_keeper.h"
#include "controller/logs/log_shipper.h"
#include "controller/reconciler.h"
#include "controller/scheduled_reconciler.h"
#include "controller/submit/submit_auth.h"
#include "controller/submit/submitter.h"
#include "controller/tenant.h"
#include "controller/tenant_reconciler.h"
#include "controller/ui_service.h"

namespace spark_operator::controller {

struct ManagerOptions {
  std::string kubeconfig;               // Empty: $KUBECONFIG, in-cluster, ~/.kube/config.
  std::vector<std::string> namespaces;  // Empty: all.
  int workers = 4;
  // The client's rate limit on requests to the API server (client-go's QPS and Burst); qps 0: no limit.
  double kube_api_qps = 50;
  int kube_api_burst = 100;
  UiServiceType ui_service_type = UiServiceType::kNodePort;
  std::string ingress_url_format;  // --ingress-url-format: an Ingress to each UI Service; empty: none.
  std::string ingress_class_name;  // --ingress-class-name.
  std::string spark_submit;        // Required unless native_submission; then used for what the native builder lacks.
  int submission_concurrency = 2;
  bool native_submission = false;
  int native_concurrency = 16;   // Native submissions at once: each is a few API requests.
  int submission_backlog = 256;  // Native submissions queued or running at once (ReconcilerOptions).
  // ReconcilerOptions::status_wait_while_submitting.
  std::chrono::milliseconds status_wait_while_submitting{10000};
  std::chrono::seconds submission_timeout{180};
  std::chrono::seconds resync_period{300};
  std::chrono::seconds driver_startup_grace{120};
  bool leader_elect = false;
  std::string lease_namespace = "default";
  std::string lease_name = "spark-operator-controller";
  std::string identity;  // Empty: <hostname>_<pid>.
  std::chrono::seconds lease_duration{15};
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
  int metrics_port = -1;  // -1: no HTTP server; 0: any free port.
  TenantOptions tenant;   // Namespace preparation before submission (--prepare-tenant).
  // The SparkTenant controller (--tenants): with `namespaces`, only the tenants whose namespace is listed.
  bool tenants = true;
  // The ScheduledSparkApplication controller (--scheduled-applications), on `namespaces`, and its clocks: null
  // means the real ones; tests pass a FakeClock and a FakeWallClock on it.
  bool scheduled = true;
  WallClock* scheduled_wall_clock = nullptr;
  Clock* scheduled_queue_clock = nullptr;
  logs::LogKeeperOptions logs;       // --log-destination, the stores' endpoints and credentials, the timeout.
  int log_shipping_concurrency = 4;  // Log copies at once.
  // "namespace/name" of a Secret with the stores' credentials (key.json for GCS; AWS_ACCESS_KEY_ID,
  // AWS_SECRET_ACCESS_KEY and optionally AWS_SESSION_TOKEN for S3); read at start, over the environment's.
  std::string log_credentials_secret;
};

class Manager {
 public:
  static Result<std::unique_ptr<Manager>> Create(ManagerOptions options);
  ~Manager();  // Stop().
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // Returns at once: the controllers start now, or when this replica becomes the leader.
  Status Start();
  // Idempotent. With leader election, losing the lease also stops (and `Done()` turns true).
  void Stop();
  // Stop, given at most `grace`: false when it is still waiting (on requests to a hung API server, or on running
  // spark-submits). The credentials made for spark-submit are removed either way; after false the caller must
  // exit without destroying the manager.
  bool StopWithin(std::chrono::milliseconds grace);
  // Stopped, or leadership lapsed: from then on no write and no spark-submit starts.
  bool Done() const { return stopped_ || LeadershipLost(); }

  // True once this replica runs its controllers (at once, or after winning the election).
  bool Active() const { return controllers_started_; }
  int metrics_port() const;
  const ControllerMetrics& metrics() const { return *metrics_; }
  metrics::Registry& registry() { return registry_; }

 private:
  explicit Manager(ManagerOptions options) : options_(std::move(options)) {}
  void StartControllers();
  // Waits for the pod cache (informers started at `start`), then queues every app: those that needed pods waited.
  void AwaitPods(std::chrono::steady_clock::time_point start);
  bool LeadershipLost() const { return gate_ != nullptr && gate_->EverHeld() && !gate_->Held(); }
  void EnqueuePod(const kube::ObjectPtr& pod);
  std::vector<kube::ObjectPtr> AppsIn(const std::string& ns) const;
  // An app of `ns` changed state or went: in a tenant's namespace, its tenant recounts and the queued apps
  // there are decided again (room may have freed).
  void AppStateChanged(const std::string& ns);
  void WakeQueued(const std::string& ns);  // Queues the QUEUED apps of `ns`.
  bool Ready() const;
  // --identity, else <hostname>_<pid>: names this replica in the Lease and in its requests' User-Agent.
  std::string Identity() const;
  kube::LeaderElectionConfig ElectionConfig() const;  // Without callbacks and gate.

  const ManagerOptions options_;
  metrics::Registry registry_;  // First: every client, queue and recorder below counts into it.
  // With leader election, every write of client_ and every spark-submit checks it (see LeaderGate).
  std::shared_ptr<kube::LeaderGate> gate_;
  std::shared_ptr<kube::Client> client_;
  std::shared_ptr<kube::Client> elector_client_;  // Short timeouts, no rate limit: renewals never queue.
  SubmitAuth auth_;
  std::unique_ptr<ControllerMetrics> metrics_;
  std::shared_ptr<kube::EventRecorder> recorder_;
  std::unique_ptr<Events> events_;
  std::unique_ptr<WorkQueue> queue_;
  std::unique_ptr<Submitter> submitter_;
  std::unique_ptr<logs::LogShipper> log_shipper_;
  std::unique_ptr<logs::LogKeeper> log_keeper_;
  std::unique_ptr<TenantPreparer> tenant_;  // Null with --prepare-tenant=false.
  std::unique_ptr<Reconciler> reconciler_;
  std::unique_ptr<runtime::NamespacedInformers> apps_;
  std::unique_ptr<runtime::NamespacedInformers> pods_;
  std::unique_ptr<runtime::Controller> controller_;
  std::unique_ptr<TenantController> tenants_;       // Null with --tenants=false.
  std::unique_ptr<Admission> admission_;            // With tenants_.
  std::unique_ptr<ScheduledController> scheduled_;  // Null with --scheduled-applications=false.
  std::unique_ptr<kube::LeaderElector> elector_;
  std::unique_ptr<http::Server> server_;
  std::thread starter_;     // With leader election: starts the controllers off the elector's thread.
  std::thread pod_lister_;  // AwaitPods.
  std::mutex start_mutex_;
  std::atomic<bool> controllers_started_{false};
  std::atomic<bool> pods_listed_{false};  // The pod cache is full (CacheView::pods_listed).
  std::atomic<bool> stopped_{false};
  bool torn_down_ = false;  // Guarded by start_mutex_.
};

}  // namespace spark_operator::controller
