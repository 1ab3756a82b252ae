#include "controller/manager.h"

#include <glog/logging.h>
#include <unistd.h>

#include "common/json.h"
#include "controller/labels.h"

namespace spark_operator::controller {
namespace {

constexpr char kAppIndex[] = "app";  // Pods by "namespace/app name".

std::string PodAppName(const rapidjson::Value& pod) {
  std::string app = GetString(pod, {"metadata", "annotations", kAppNameAnnotation});
  if (app.empty()) app = GetString(pod, {"metadata", "labels", kAppNameLabel});
  return app;
}

std::string DefaultIdentity() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "_" + std::to_string(getpid());
}

}  // namespace

Result<std::unique_ptr<Manager>> Manager::Create(ManagerOptions options) {
  if (options.spark_submit.empty()) return InvalidArgumentError("--spark-submit is required");
  if (access(options.spark_submit.c_str(), X_OK) != 0) {
    return InvalidArgumentError("spark-submit " + options.spark_submit + " is not an executable file");
  }
  RETURN_IF_ERROR(ValidateTenantOptions(options.tenant));
  std::unique_ptr<Manager> m(new Manager(std::move(options)));
  ASSIGN_OR_RETURN(const kube::RestConfig config, kube::LoadRestConfig(m->options_.kubeconfig));
  kube::ClientOptions client_options;
  client_options.user_agent = "spark-operator-controller/" + m->Identity();
  ASSIGN_OR_RETURN(m->client_, kube::Client::Create(config, client_options));
  ASSIGN_OR_RETURN(m->auth_, PrepareSubmitAuth(config));
  m->metrics_ = std::make_unique<ControllerMetrics>(m->registry_);
  m->recorder_ = std::make_shared<kube::EventRecorder>(m->client_);
  m->events_ = std::make_unique<RecorderEvents>(m->recorder_);
  WorkQueueOptions queue_options;
  queue_options.name = "sparkapplications";
  queue_options.backoff_max = std::chrono::seconds(60);
  m->queue_ = std::make_unique<WorkQueue>(queue_options);

  Manager* self = m.get();
  SubmitterOptions submitter;
  submitter.concurrency = m->options_.submission_concurrency;
  submitter.timeout = m->options_.submission_timeout;
  submitter.extra_env = m->auth_.env;
  submitter.on_done = [self](const std::string& key) { self->queue_->Add(key); };
  submitter.on_result = [self](const ProcessResult& r) {
    self->metrics_->submit_seconds.Observe(static_cast<double>(r.duration.count()) / 1000.0);
  };
  m->submitter_ = std::make_unique<Submitter>(std::move(submitter));

  std::vector<std::string> namespaces = m->options_.namespaces;
  if (namespaces.empty()) namespaces.push_back("");
  for (const std::string& ns : namespaces) {
    kube::InformerOptions apps;
    apps.resource = kube::resources::kSparkApplications;
    apps.ns = ns;
    apps.resync_period = m->options_.resync_period;
    m->app_informers_.push_back(std::make_unique<kube::Informer>(m->client_, apps));
    kube::InformerOptions pods;
    pods.resource = kube::resources::kPods;
    pods.ns = ns;
    pods.label_selector = std::string(kLaunchedByLabel) + "=true";
    m->pod_informers_.push_back(std::make_unique<kube::Informer>(m->client_, pods));
  }
  for (auto& informer : m->app_informers_) {
    kube::EventHandlers h;
    h.on_add = [self](const kube::ObjectPtr& o) { self->queue_->Add(ObjectKey(*o)); };
    h.on_update = [self](const kube::ObjectPtr&, const kube::ObjectPtr& o) { self->queue_->Add(ObjectKey(*o)); };
    h.on_delete = [self](const kube::ObjectPtr& o) { self->queue_->Add(ObjectKey(*o)); };
    informer->AddHandlers(std::move(h));
  }
  for (auto& informer : m->pod_informers_) {
    informer->AddIndex(kAppIndex, [](const rapidjson::Value& pod) -> std::vector<std::string> {
      const std::string app = PodAppName(pod);
      if (app.empty()) return {};
      return {NamespaceOf(pod) + "/" + app};
    });
    kube::EventHandlers h;
    h.on_add = [self](const kube::ObjectPtr& o) { self->EnqueuePod(o); };
    h.on_update = [self](const kube::ObjectPtr&, const kube::ObjectPtr& o) { self->EnqueuePod(o); };
    h.on_delete = [self](const kube::ObjectPtr& o) { self->EnqueuePod(o); };
    informer->AddHandlers(std::move(h));
  }

  CacheView caches;
  caches.app = [self](const std::string& key) -> kube::ObjectPtr {
    kube::Informer* informer = self->InformerFor(self->app_informers_, key.substr(0, key.find('/')));
    return informer != nullptr ? informer->store().Get(key) : nullptr;
  };
  caches.pod = [self](const std::string& key) -> kube::ObjectPtr {
    kube::Informer* informer = self->InformerFor(self->pod_informers_, key.substr(0, key.find('/')));
    return informer != nullptr ? informer->store().Get(key) : nullptr;
  };
  caches.app_pods = [self](const std::string& ns, const std::string& app) -> std::vector<kube::ObjectPtr> {
    kube::Informer* informer = self->InformerFor(self->pod_informers_, ns);
    return informer != nullptr ? informer->store().ByIndex(kAppIndex, ns + "/" + app)
                               : std::vector<kube::ObjectPtr>{};
  };
  ReconcilerOptions reconciler;
  reconciler.spark_submit = m->options_.spark_submit;
  reconciler.master = m->auth_.master;
  reconciler.auth_confs = m->auth_.confs;
  reconciler.driver_startup_grace = m->options_.driver_startup_grace;
  if (m->options_.tenant.enabled) {
    m->tenant_ = std::make_unique<TenantPreparer>(m->client_, m->options_.tenant);
    reconciler.prepare_tenant = [self](const api::SparkApplication& app) { return self->tenant_->Prepare(app); };
  }
  m->reconciler_ = std::make_unique<Reconciler>(m->client_, std::move(caches), *m->submitter_, *m->events_,
                                                *m->metrics_, std::move(reconciler));
  return m;
}

Manager::~Manager() {
  Stop();
  CleanupSubmitAuth(auth_);
}

kube::Informer* Manager::InformerFor(const std::vector<std::unique_ptr<kube::Informer>>& informers,
                                     const std::string& ns) const {
  const std::vector<std::string>& namespaces = options_.namespaces;
  if (namespaces.empty()) return informers.front().get();
  for (size_t i = 0; i < namespaces.size(); ++i) {
    if (namespaces[i] == ns) return informers[i].get();
  }
  return nullptr;
}

std::string Manager::Identity() const {
  return options_.identity.empty() ? DefaultIdentity() : options_.identity;
}

void Manager::EnqueuePod(const kube::ObjectPtr& pod) {
  const std::string app = PodAppName(*pod);
  if (!app.empty()) queue_->Add(NamespaceOf(*pod) + "/" + app);
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
      registry_.AddGauge("spark_operator_workqueue_depth", "Keys waiting for a worker.").WithLabels({}).Set(
          static_cast<double>(queue_->Len()));
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
  kube::LeaderElectionConfig election;
  election.lease_namespace = options_.lease_namespace;
  election.lease_name = options_.lease_name;
  election.identity = Identity();
  election.lease_duration = options_.lease_duration;
  election.renew_deadline = options_.renew_deadline;
  election.retry_period = options_.retry_period;
  // The elector's thread must return quickly; starting informers and threads is quick.
  election.on_started_leading = [this] {
    LOG(INFO) << "became the leader; starting controllers";
    StartControllers();
  };
  election.on_stopped_leading = [this] {
    LOG(WARNING) << "leadership ended; stopping";
    stopped_ = true;
  };
  ASSIGN_OR_RETURN(elector_, kube::LeaderElector::Create(client_, election));
  elector_->Start();
  return OkStatus();
}

void Manager::StartControllers() {
  const std::lock_guard lock(start_mutex_);
  if (controllers_started_ || stopped_) return;
  for (auto& informer : pod_informers_) informer->Start();
  for (auto& informer : app_informers_) informer->Start();
  // Reconciling before the pod cache is filled would look for driver pods in an empty cache; the reconciler
  // asks the server in that case anyway, so waiting only saves requests.
  for (auto& informer : pod_informers_) informer->WaitForSync(std::chrono::seconds(30));
  workers_ = std::thread([this] {
    RunWorkers(*queue_, options_.workers, [this](const std::string& key) { return reconciler_->Reconcile(key); });
  });
  controllers_started_ = true;
  LOG(INFO) << "controllers started: " << options_.workers << " workers, submission concurrency "
            << options_.submission_concurrency;
}

bool Manager::Ready() const {
  if (options_.leader_elect && !controllers_started_) return true;  // A standby replica is healthy.
  if (!controllers_started_) return false;
  for (const auto& i : app_informers_) {
    if (!i->HasSynced()) return false;
  }
  for (const auto& i : pod_informers_) {
    if (!i->HasSynced()) return false;
  }
  return true;
}

int Manager::metrics_port() const { return server_ != nullptr ? server_->port() : -1; }

void Manager::Stop() {
  {
    const std::lock_guard lock(start_mutex_);
    stopped_ = true;  // StartControllers does nothing from now on.
    if (torn_down_) return;
    torn_down_ = true;
  }
  if (elector_ != nullptr) elector_->Stop();
  if (queue_ != nullptr) queue_->ShutDown();  // Null when Create failed before making it.
  if (workers_.joinable()) workers_.join();
  for (auto& informer : app_informers_) informer->Stop();
  for (auto& informer : pod_informers_) informer->Stop();
  submitter_.reset();  // Waits for running spark-submits (bounded by the submission timeout).
  if (server_ != nullptr) server_->Stop();
  if (recorder_ != nullptr) recorder_->Flush(std::chrono::seconds(2));
}

}  // namespace spark_operator::controller
