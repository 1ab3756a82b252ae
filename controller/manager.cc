#include "controller/manager.h"

#include <glog/logging.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "common/base/json.h"
#include "controller/cache_transform.h"
#include "controller/labels.h"
#include "controller/logs/store_credentials.h"

namespace spark_operator::controller {
namespace {

std::string StateOf(const rapidjson::Value& app) { return GetString(app, {"status", "applicationState", "state"}); }

// Each network step of a write (connect, TLS handshake, send, receive; twice over when a pooled connection
// turns out stale) gets a sixth of the gap between the gate closing and the Lease expiring, so that a write
// sent just before the gate closed has landed or been abandoned before a successor can take over.
std::chrono::milliseconds WriteTimeout(const ManagerOptions& o) {
  const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(o.lease_duration) - o.renew_deadline;
  return std::max(std::chrono::milliseconds(1), gap / 6);
}

std::string DefaultIdentity() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "_" + std::to_string(getpid());
}

}  // namespace

Result<std::unique_ptr<Manager>> Manager::Create(ManagerOptions options) {
  if (options.spark_submit.empty() && !options.native_submission) {
    return InvalidArgumentError("--spark-submit is required with --submitter=spark-submit");
  }
  if (!options.spark_submit.empty() && access(options.spark_submit.c_str(), X_OK) != 0) {
    return InvalidArgumentError("spark-submit " + options.spark_submit + " is not an executable file");
  }
  RETURN_IF_ERROR(ValidateTenantOptions(options.tenant));
  if (options.kube_api_qps < 0) return InvalidArgumentError("--kube-api-qps must be 0 (no limit) or more");
  if (options.kube_api_burst < 1) return InvalidArgumentError("--kube-api-burst must be at least 1");
  if (options.workers < 1) return InvalidArgumentError("--workers must be at least 1");
  std::unique_ptr<Manager> m(new Manager(std::move(options)));
  ASSIGN_OR_RETURN(kube::RestConfig config, kube::LoadRestConfig(m->options_.kubeconfig));
  config.qps = m->options_.kube_api_qps;
  config.burst = m->options_.kube_api_burst;
  kube::ClientOptions client_options;
  client_options.user_agent = "spark-operator-controller/" + m->Identity();
  client_options.metrics = &m->registry_;
  if (m->options_.leader_elect) {
    RETURN_IF_ERROR(kube::ValidateLeaderElectionConfig(m->ElectionConfig()));
    m->gate_ = std::make_shared<kube::LeaderGate>();
    // The elector's own client: a renewal never waits behind the controller's requests in the rate limiter,
    // and a hung request is abandoned after a retry period, leaving time for another before the deadline.
    kube::RestConfig elector_config = config;
    elector_config.qps = 0;
    elector_config.timeout = m->options_.retry_period;
    kube::ClientOptions elector_options;
    elector_options.user_agent = client_options.user_agent + " (leader election)";
    elector_options.connect_timeout = m->options_.retry_period;
    ASSIGN_OR_RETURN(m->elector_client_, kube::Client::Create(elector_config, elector_options));
    client_options.write_gate = [gate = m->gate_] { return gate->Check(); };
    client_options.write_timeout = WriteTimeout(m->options_);
  }
  ASSIGN_OR_RETURN(m->client_, kube::Client::Create(config, client_options));
  ASSIGN_OR_RETURN(m->auth_, PrepareSubmitAuth(config));
  m->metrics_ = std::make_unique<ControllerMetrics>(m->registry_);
  kube::EventRecorderOptions recorder_options;
  recorder_options.metrics = &m->registry_;
  m->recorder_ = std::make_shared<kube::EventRecorder>(m->client_, recorder_options);
  m->events_ = std::make_unique<RecorderEvents>(m->recorder_);
  WorkQueueOptions queue_options;
  queue_options.name = "sparkapplications";
  queue_options.backoff_max = std::chrono::seconds(60);
  queue_options.metrics = &m->registry_;
  m->queue_ = std::make_unique<WorkQueue>(queue_options);

  Manager* self = m.get();
  SubmitterOptions submitter;
  submitter.concurrency = m->options_.submission_concurrency;
  if (m->options_.native_submission) submitter.native_concurrency = std::max(1, m->options_.native_concurrency);
  submitter.timeout = m->options_.submission_timeout;
  submitter.extra_env = m->auth_.env;
  if (m->gate_ != nullptr) submitter.may_start = [gate = m->gate_] { return gate->Check(); };
  submitter.on_done = [self](const std::string& key) { self->queue_->Add(key); };
  submitter.on_result = [self](const ProcessResult& r, bool native) {
    (native ? self->metrics_->native_submit_seconds : self->metrics_->submit_seconds)
        .Observe(static_cast<double>(r.duration.count()) / 1000.0);
  };
  m->submitter_ = std::make_unique<Submitter>(std::move(submitter));
  logs::LogKeeperOptions log_options = m->options_.logs;
  if (!m->options_.log_credentials_secret.empty()) {
    RETURN_IF_ERROR(logs::ReadStoreCredentials(*m->client_, m->options_.log_credentials_secret, log_options.store)
                        .WithContext("--log-credentials-secret"));
  }
  m->log_shipper_ = std::make_unique<logs::LogShipper>(
      logs::ShipperOptions{.concurrency = m->options_.log_shipping_concurrency,
                           .on_done = [self](const std::string& key) { self->queue_->Add(key); }});
  m->log_keeper_ = std::make_unique<logs::LogKeeper>(m->client_, *m->log_shipper_, std::move(log_options));

  kube::InformerOptions apps;
  apps.resource = kube::resources::kSparkApplications;
  apps.resync_period = m->options_.resync_period;
  apps.transform = TrimAppForCache;
  apps.dictionary = AppCacheDictionary();
  m->apps_ = std::make_unique<runtime::NamespacedInformers>(m->client_, apps, m->options_.namespaces);
  // AppsIn: admission and the tenant controller count a namespace's apps.
  m->apps_->AddIndex(kube::Store::kNamespaceIndex, kube::Store::NamespaceIndexFunc);
  kube::InformerOptions pods;
  pods.resource = kube::resources::kPods;
  // Only the Spark pods the operator launched, and only what the controller reads of them.
  pods.label_selector = std::string(kLaunchedByLabel) + "=true," + kSparkRoleLabel + " in (driver,executor)";
  pods.transform = TrimPodForCache;
  pods.dictionary = PodCacheDictionary();
  m->pods_ = std::make_unique<runtime::NamespacedInformers>(m->client_, pods, m->options_.namespaces);
  kube::EventHandlers app_events;
  app_events.on_add = [self](const kube::ObjectPtr& o) { self->queue_->Add(ObjectKey(*o)); };
  app_events.on_update = [self](const kube::ObjectPtr& old, const kube::ObjectPtr& o) {
    self->queue_->Add(ObjectKey(*o));
    if (StateOf(*old) != StateOf(*o)) self->AppStateChanged(NamespaceOf(*o));
  };
  app_events.on_delete = [self](const kube::ObjectPtr& o) {
    self->queue_->Add(ObjectKey(*o));
    self->AppStateChanged(NamespaceOf(*o));
  };
  m->apps_->AddHandlers(app_events);
  m->pods_->AddIndex(kAppPodsIndex, AppPodsIndexValues);
  kube::EventHandlers pod_events;
  pod_events.on_add = [self](const kube::ObjectPtr& o) { self->EnqueuePod(o); };
  pod_events.on_update = [self](const kube::ObjectPtr&, const kube::ObjectPtr& o) { self->EnqueuePod(o); };
  pod_events.on_delete = [self](const kube::ObjectPtr& o) { self->EnqueuePod(o); };
  m->pods_->AddHandlers(pod_events);

  CacheView caches;
  caches.app = [self](const std::string& key) { return self->apps_->Get(key); };
  caches.pod = [self](const std::string& key) { return self->pods_->Get(key); };
  caches.app_pods = [self](const std::string& ns, const std::string& app) {
    return self->pods_->ByIndex(ns, kAppPodsIndex, ns + "/" + app);
  };
  caches.pods_listed = [self] { return self->pods_listed_.load(); };
  ReconcilerOptions reconciler;
  reconciler.native_submission = m->options_.native_submission;
  reconciler.spark_submit = m->options_.spark_submit;
  reconciler.master = m->auth_.master;
  reconciler.auth_confs = m->auth_.confs;
  reconciler.pod_template_dir = m->auth_.dir;
  reconciler.driver_startup_grace = m->options_.driver_startup_grace;
  reconciler.submission_backlog = m->options_.submission_backlog;
  reconciler.status_wait_while_submitting = m->options_.status_wait_while_submitting;
  reconciler.ui = {m->options_.ui_service_type, m->options_.ingress_url_format, m->options_.ingress_class_name};
  reconciler.logs = m->log_keeper_.get();
  // A freed slot's waiter goes ahead of the pod events of a burst (at N = 10,000 behind them: all drivers after
  // 774 s; ahead: 677 s).
  reconciler.enqueue = [self](const std::string& key) { self->queue_->AddFirst(key); };
  if (m->options_.tenants) {
    m->tenants_ = std::make_unique<TenantController>(
        m->client_, TenantControllerOptions{.workers = 2,
                                            .resync_period = m->options_.resync_period,
                                            .namespaces = m->options_.namespaces,
                                            .applications = [self](const std::string& ns) { return self->AppsIn(ns); },
                                            .on_budget_change = [self](const std::string& ns) { self->WakeQueued(ns); },
                                            .metrics = &m->registry_});
  }
  if (m->options_.scheduled) {
    m->scheduled_ = std::make_unique<ScheduledController>(
        m->client_, *m->events_,
        ScheduledControllerOptions{.workers = 2,
                                   .resync_period = m->options_.resync_period,
                                   .namespaces = m->options_.namespaces,
                                   .wall_clock = m->options_.scheduled_wall_clock,
                                   .queue_clock = m->options_.scheduled_queue_clock,
                                   .metrics = &m->registry_});
  }
  if (m->options_.tenant.enabled) {
    m->tenant_ = std::make_unique<TenantPreparer>(m->client_, m->options_.tenant);
    reconciler.prepare_tenant = [self](const api::SparkApplication& app) {
      // A tenant's namespace is the tenant controller's: two appliers under one field manager would undo each
      // other's fields.
      if (self->tenants_ != nullptr && self->tenants_->IsTenantNamespace(app.metadata.namespace_)) return OkStatus();
      return self->tenant_->Prepare(app);
    };
  }
  if (m->tenants_ != nullptr) {
    m->admission_ = std::make_unique<Admission>([self](const std::string& ns) { return self->tenants_->BudgetFor(ns); },
                                                [self](const std::string& ns) { return self->AppsIn(ns); });
    reconciler.admit = [self](const api::SparkApplication& app, api::SparkApplicationStatus& status) {
      const AdmissionDecision decision = self->admission_->Decide(app);
      if (decision.verdict == AdmissionDecision::Verdict::kQueue) self->metrics_->admission_queued.Increment();
      return ApplyAdmission(app, decision, status);
    };
  }
  m->reconciler_ = std::make_unique<Reconciler>(m->client_, std::move(caches), *m->submitter_, *m->events_,
                                                *m->metrics_, std::move(reconciler));
  m->controller_ = std::make_unique<runtime::Controller>(
      *m->queue_, m->options_.workers, [self](const std::string& key) { return self->reconciler_->Reconcile(key); });
  // Workers start once every app is known (admission counts a namespace's apps), not when every pod is: 60,000
  // pods take the API server a minute to send, in which new apps are submitted; a reconcile that must know an
  // app's pods waits for them (CacheView::pods_listed) and the app is queued again once they are listed. The pods
  // are listed after the apps (AwaitPods), which then have the server to themselves.
  m->controller_->Watch(*m->apps_, /*wait_for_sync=*/true);
  return m;
}

Manager::~Manager() {
  Stop();
  CleanupSubmitAuth(auth_);
}

std::string Manager::Identity() const { return options_.identity.empty() ? DefaultIdentity() : options_.identity; }

std::vector<kube::ObjectPtr> Manager::AppsIn(const std::string& ns) const {
  return apps_->ByIndex(ns, kube::Store::kNamespaceIndex, ns);
}

void Manager::AppStateChanged(const std::string& ns) {
  if (tenants_ == nullptr || !tenants_->IsTenantNamespace(ns)) return;
  tenants_->ApplicationsChanged(ns);
  WakeQueued(ns);
}

void Manager::WakeQueued(const std::string& ns) {
  for (const kube::ObjectPtr& app : AppsIn(ns)) {
    if (StateOf(*app) == "QUEUED") queue_->Add(ObjectKey(*app));
  }
}

void Manager::EnqueuePod(const kube::ObjectPtr& pod) {
  for (const std::string& key : AppPodsIndexValues(*pod)) {
    // While the pods are listed, an app in the cache would only wait for them: it is queued once, after. The pods
    // of an app not (or no longer) in the cache go on, for their logs' finalizer (Reconciler::ReleaseOrphanPods).
    if (!pods_listed_ && apps_->Contains(key)) continue;
    queue_->Add(key);
  }
}

Status Manager::Start() {
  if (options_.metrics_port >= 0) {
    http::ServerOptions server;
    server.port = static_cast<uint16_t>(options_.metrics_port);
    http::Server::Routes routes;
    routes["/healthz"] = [](const http::ServerRequest&) { return http::ServerResponse::Text(200, "ok"); };
    routes["/readyz"] = [this](const http::ServerRequest&) {
      return Ready() ? http::ServerResponse::Text(200, "ok") : http::ServerResponse::Text(503, "not ready");
    };
    routes["/metrics"] = [this](const http::ServerRequest&) {
      registry_.AddGauge("spark_operator_submissions_running", "spark-submit processes running.")
          .WithLabels({})
          .Set(static_cast<double>(submitter_->Running()));
      http::ServerResponse response = http::ServerResponse::Text(200, registry_.Render());
      response.content_type = metrics::Registry::kContentType;
      return response;
    };
    ASSIGN_OR_RETURN(server_, http::Server::Start(server, std::move(routes)));
    LOG(INFO) << "serving /metrics, /healthz and /readyz on port " << server_->port();
  }
  if (!options_.leader_elect) {
    StartControllers();
    return OkStatus();
  }
  kube::LeaderElectionConfig election = ElectionConfig();
  election.gate = gate_;
  // The elector must go on renewing while the caches fill: the start runs on a thread of its own.
  election.on_started_leading = [this] {
    LOG(INFO) << "became the leader; starting controllers";
    const std::lock_guard lock(start_mutex_);
    if (!stopped_) starter_ = std::thread([this] { StartControllers(); });
  };
  election.on_stopped_leading = [this] {
    LOG(WARNING) << "leadership ended; stopping";
    stopped_ = true;
  };
  ASSIGN_OR_RETURN(elector_, kube::LeaderElector::Create(elector_client_, election));
  elector_->Start();
  return OkStatus();
}

kube::LeaderElectionConfig Manager::ElectionConfig() const {
  kube::LeaderElectionConfig election;
  election.lease_namespace = options_.lease_namespace;
  election.lease_name = options_.lease_name;
  election.identity = Identity();
  election.lease_duration = options_.lease_duration;
  election.renew_deadline = options_.renew_deadline;
  election.retry_period = options_.retry_period;
  return election;
}

void Manager::StartControllers() {
  {
    const std::lock_guard lock(start_mutex_);
    if (controllers_started_ || stopped_) return;
    controller_->StartInformers();
    if (tenants_ != nullptr) tenants_->StartInformers();
    if (scheduled_ != nullptr) scheduled_->StartInformers();
  }
  // Not under the lock, so that Stop need not wait for it.
  const auto start = std::chrono::steady_clock::now();
  for (int waited = 30; !controller_->WaitForSync(std::chrono::seconds(30), [this] { return Done(); }); waited += 30) {
    if (Done()) return;
    LOG(WARNING) << "the SparkApplication cache is not full after " << waited << " s; no reconcile starts before it is";
  }
  {
    const std::lock_guard lock(start_mutex_);
    if (controllers_started_ || Done()) return;
    controller_->StartWorkers();
    // Without waiting for the tenant caches: a tenant's first reconcile comes with its informer's add event.
    if (tenants_ != nullptr) tenants_->StartWorkers();
    if (scheduled_ != nullptr) scheduled_->StartWorkersWhenSynced();
    controllers_started_ = true;
    pod_lister_ = std::thread([this, start] { AwaitPods(start); });
  }
  LOG(INFO) << "controllers started: " << options_.workers << " workers, submission concurrency "
            << options_.submission_concurrency;
}

void Manager::AwaitPods(std::chrono::steady_clock::time_point start) {
  pods_->Start();
  for (int waited = 30; !pods_->WaitForSync(std::chrono::seconds(30), [this] { return Done(); }); waited += 30) {
    if (Done()) return;
    LOG(WARNING) << "the pod cache is not full after " << waited << " s; apps that must know their pods wait for it";
  }
  // Set before the apps are queued: a reconcile that still found it unset is queued again here.
  pods_listed_ = true;
  const std::vector<std::string> apps = apps_->Keys();
  for (const std::string& key : apps) queue_->Add(key);
  LOG(INFO) << "the pod cache is full after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
            << " ms; " << apps.size() << " apps queued again";
}

bool Manager::Ready() const {
  if (options_.leader_elect && !controllers_started_) return true;  // A standby replica is healthy.
  // A pod list that keeps failing (no RBAC to list pods, a server error) holds every app that must know its pods.
  return controllers_started_ && controller_->Synced() && (pods_listed_ || !pods_->Failing());
}

int Manager::metrics_port() const { return server_ != nullptr ? server_->port() : -1; }

void Manager::Stop() {
  {
    const std::lock_guard lock(start_mutex_);
    stopped_ = true;  // StartControllers does nothing from now on.
    if (torn_down_) return;
    torn_down_ = true;
  }
  if (submitter_ != nullptr) submitter_->StopStarting();
  if (elector_ != nullptr) elector_->Stop();
  if (starter_.joinable()) starter_.join();         // The elector, stopped, starts no other.
  if (pod_lister_.joinable()) pod_lister_.join();   // Made under start_mutex_, before stopped_ was set.
  if (controller_ != nullptr) controller_->Stop();  // Null when Create failed before making it.
  if (pods_ != nullptr) pods_->Stop();
  if (tenants_ != nullptr) tenants_->Stop();
  if (scheduled_ != nullptr) scheduled_->Stop();
  submitter_.reset();    // Waits for running spark-submits (bounded by the submission timeout).
  log_shipper_.reset();  // Running copies stop between two pieces; their pods keep the finalizer.
  if (server_ != nullptr) server_->Stop();
  if (recorder_ != nullptr) recorder_->Flush(std::chrono::seconds(2));
}

bool Manager::StopWithin(std::chrono::milliseconds grace) {
  auto stopped = std::make_shared<std::atomic<bool>>(false);
  std::thread([this, stopped] {
    Stop();
    *stopped = true;
  }).detach();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!*stopped && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (*stopped) return true;
  CleanupSubmitAuth(auth_);
  return false;
}

}  // namespace spark_operator::controller
