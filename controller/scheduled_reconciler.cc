#include "controller/scheduled_reconciler.h"

#include <glog/logging.h>

#include <algorithm>

#include "common/base/json.h"
#include "controller/cache_transform.h"

namespace spark_operator::controller {
namespace {

constexpr char kOwnerIndex[] = "scheduled-owner";  // Runs by "namespace/scheduled name".

std::string OwnerKey(const rapidjson::Value& run) {
  const std::string owner = GetString(run, {"metadata", "labels", kScheduledAppNameLabel});
  return owner.empty() ? "" : NamespaceOf(run) + "/" + owner;
}

// Whether `run` names `owner_uid` as its controller: a run left by an earlier object of the same name is not
// this one's (the garbage collector deletes it).
bool ControlledBy(const rapidjson::Value& run, const std::string& owner_uid) {
  const rapidjson::Value* refs = FindPath(run, {"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->IsArray()) return false;
  return std::any_of(refs->Begin(), refs->End(), [&](const rapidjson::Value& ref) {
    return GetString(ref, {"uid"}) == owner_uid && GetBool(ref, {"controller"});
  });
}

// Metadata and status alone, which parse leniently: what the controller last wrote, even when the spec does
// not parse.
api::ScheduledSparkApplication WithoutSpec(const rapidjson::Value& object) {
  rapidjson::Document doc(rapidjson::kObjectType);
  for (const char* member : {"metadata", "status"}) {
    if (const rapidjson::Value* v = FindPath(object, {member}); v != nullptr) {
      SetPath(doc, {member}, rapidjson::Value(*v, doc.GetAllocator()));
    }
  }
  Result<api::ScheduledSparkApplication> parsed = api::ParseScheduledSparkApplication(doc);
  return parsed.ok() ? std::move(*parsed) : api::ScheduledSparkApplication{};
}

Status WithContext(const Status& s, const std::string& context) {
  return Status(s.code(), context + ": " + s.message(), s.http_status());
}

}  // namespace

ScheduledController::ScheduledController(std::shared_ptr<kube::Client> client, Events& events,
                                         ScheduledControllerOptions options)
    : client_(std::move(client)),
      events_(events),
      options_(std::move(options)),
      wall_clock_(options_.wall_clock != nullptr ? *options_.wall_clock : WallClock::Real()),
      queue_(WorkQueueOptions{.name = "scheduledsparkapplications",
                              .backoff_base = std::chrono::milliseconds(5),
                              .backoff_max = std::chrono::seconds(60),
                              .clock = options_.queue_clock,
                              .metrics = options_.metrics}) {
  kube::InformerOptions scheduled;
  scheduled.resource = kScheduledSparkApplications;
  scheduled.resync_period = options_.resync_period;
  scheduled_ = std::make_unique<runtime::NamespacedInformers>(client_, scheduled, options_.namespaces);
  kube::EventHandlers scheduled_events;
  scheduled_events.on_add = [this](const kube::ObjectPtr& o) { queue_.Add(ObjectKey(*o)); };
  scheduled_events.on_update = [this](const kube::ObjectPtr&, const kube::ObjectPtr& o) { queue_.Add(ObjectKey(*o)); };
  scheduled_events.on_delete = [this](const kube::ObjectPtr& o) { queue_.Add(ObjectKey(*o)); };
  scheduled_->AddHandlers(scheduled_events);

  kube::InformerOptions runs;
  runs.resource = kube::resources::kSparkApplications;
  runs.label_selector = kScheduledAppNameLabel;
  runs.resync_period = options_.resync_period;
  runs.transform = TrimAppForCache;
  runs_ = std::make_unique<runtime::NamespacedInformers>(client_, runs, options_.namespaces);
  runs_->AddIndex(kOwnerIndex, [](const rapidjson::Value& run) -> std::vector<std::string> {
    std::string owner = OwnerKey(run);
    if (owner.empty()) return {};
    return {std::move(owner)};
  });
  kube::EventHandlers run_events;
  const auto enqueue_owner = [this](const rapidjson::Value& run) {
    if (const std::string owner = OwnerKey(run); !owner.empty()) queue_.Add(owner);
  };
  run_events.on_add = [enqueue_owner](const kube::ObjectPtr& o) { enqueue_owner(*o); };
  run_events.on_update = [enqueue_owner](const kube::ObjectPtr&, const kube::ObjectPtr& o) { enqueue_owner(*o); };
  run_events.on_delete = [enqueue_owner](const kube::ObjectPtr& o) { enqueue_owner(*o); };
  runs_->AddHandlers(run_events);

  controller_ = std::make_unique<runtime::Controller>(queue_, options_.workers,
                                                      [this](const std::string& key) { return Reconcile(key); });
  // Both caches before any worker: a run missing from the cache could be created twice under Allow, or an
  // unfinished one overlooked under Forbid.
  controller_->Watch(*scheduled_, /*wait_for_sync=*/true);
  controller_->Watch(*runs_, /*wait_for_sync=*/true);
}

void ScheduledController::StartWorkersWhenSynced() {
  starter_ = std::thread([this] {
    while (!controller_->WaitForSync(std::chrono::seconds(30), [this] { return stopping_.load(); })) {
      if (stopping_) return;
      LOG(WARNING) << "scheduledsparkapplications: caches not synced after 30 s (is the CRD installed?); waiting";
    }
    const std::lock_guard lock(start_mutex_);
    if (!stopped_) controller_->StartWorkers();
  });
}

void ScheduledController::Stop() {
  stopping_ = true;
  {
    const std::lock_guard lock(start_mutex_);
    stopped_ = true;
  }
  if (starter_.joinable()) starter_.join();
  controller_->Stop();
}

std::vector<ScheduledRun> ScheduledController::RunsOf(const rapidjson::Value& object) const {
  std::vector<ScheduledRun> runs;
  const std::string uid = UidOf(object);
  for (const kube::ObjectPtr& run : runs_->ByIndex(NamespaceOf(object), kOwnerIndex, ObjectKey(object))) {
    if (!ControlledBy(*run, uid)) continue;
    ScheduledRun r;
    r.name = NameOf(*run);
    r.state = api::EnumFromName<api::AppState>(GetString(*run, {"status", "applicationState", "state"}));
    r.deleting = !GetString(*run, {"metadata", "deletionTimestamp"}).empty();
    runs.push_back(std::move(r));
  }
  return runs;
}

ReconcileResult ScheduledController::Reconcile(const std::string& key) {
  const kube::ObjectPtr object = scheduled_->Get(key);
  if (object == nullptr) return OkStatus();  // Deleted: the garbage collector deletes its runs.
  if (!GetString(*object, {"metadata", "deletionTimestamp"}).empty()) return OkStatus();
  const WallTime now = wall_clock_.Now();
  Result<api::ScheduledSparkApplication> parsed = api::ParseScheduledSparkApplication(*object);
  api::ScheduledSparkApplication scheduled;
  Result<CronSchedule> schedule = InvalidArgumentError("");
  if (parsed.ok()) {
    scheduled = std::move(*parsed);
    api::ApplyDefaults(scheduled);
    schedule = CheckScheduled(scheduled, now);
  } else {
    // A spec the schema let through and the parser refuses (a newer operator's field): invalid like any other.
    scheduled = WithoutSpec(*object);
    schedule = parsed.status();
  }
  const SchedulePlan plan = PlanSchedule(scheduled, schedule, RunsOf(*object), now);

  const std::string ns = NamespaceOf(*object);
  for (const std::string& name : plan.delete_unfinished) RETURN_IF_ERROR(DeleteRun(ns, name));
  if (!plan.create.empty()) {
    RETURN_IF_ERROR(CreateRun(*object, plan.create));
    LOG(INFO) << "scheduledsparkapplication " << key << ": created run " << plan.create;
  }
  Record(*object, plan.events, /*with_action=*/true);
  for (const std::string& name : plan.delete_finished) RETURN_IF_ERROR(DeleteRun(ns, name));
  // The other Events only once the status saying the same is written: a lost write is planned again, Events
  // included.
  RETURN_IF_ERROR(WriteStatus(*object, plan.status));
  Record(*object, plan.events, /*with_action=*/false);
  if (!plan.requeue_at) return OkStatus();
  // From the time now, not the reconcile's start: the API requests took some of it. At least a second, so that a
  // due time just passed is handled by this reconcile, not a tight loop.
  const auto wait = std::max<Clock::Duration>(
      std::chrono::duration_cast<Clock::Duration>(*plan.requeue_at - wall_clock_.Now()), std::chrono::seconds(1));
  return RequeueAfter(wait);
}

void ScheduledController::Record(const rapidjson::Value& object, const std::vector<PlannedEvent>& events,
                                 bool with_action) {
  for (const PlannedEvent& e : events) {
    if (e.with_action != with_action) continue;
    if (e.warning) {
      LOG(WARNING) << "scheduledsparkapplication " << ObjectKey(object) << ": " << e.reason << ": " << e.message;
      events_.Warning(object, e.reason, e.message);
    } else {
      events_.Normal(object, e.reason, e.message);
    }
  }
}

Status ScheduledController::CreateRun(const rapidjson::Value& object, const std::string& name) {
  rapidjson::Document run(rapidjson::kObjectType);
  auto& a = run.GetAllocator();
  run.AddMember("apiVersion", rapidjson::StringRef(api::kApiVersion), a);
  run.AddMember("kind", rapidjson::StringRef(api::kKind), a);
  SetString(run, {"metadata", "name"}, name);
  SetString(run, {"metadata", "namespace"}, NamespaceOf(object));
  SetString(run, {"metadata", "labels", kScheduledAppNameLabel}, NameOf(object));
  rapidjson::Value owner(rapidjson::kObjectType);
  owner.AddMember("apiVersion", rapidjson::StringRef(api::kApiVersion), a);
  owner.AddMember("kind", rapidjson::StringRef(api::kScheduledKind), a);
  owner.AddMember("name", JsonString(NameOf(object), a), a);
  owner.AddMember("uid", JsonString(UidOf(object), a), a);
  owner.AddMember("controller", true, a);
  owner.AddMember("blockOwnerDeletion", true, a);
  rapidjson::Value owners(rapidjson::kArrayType);
  owners.PushBack(owner, a);
  SetPath(run, {"metadata", "ownerReferences"}, std::move(owners));
  // The template as written, not as defaulted: the run gets the SparkApplication defaults of its own reader.
  if (const rapidjson::Value* spec = FindPath(object, {"spec", "template"}); spec != nullptr) {
    SetPath(run, {"spec"}, rapidjson::Value(*spec, a));
  }
  const Result<rapidjson::Document> created =
      client_->Create(kube::resources::kSparkApplications, NamespaceOf(object), run);
  // The name is the scheduled time's: one already there is this run, made before a restart or a lost write.
  if (!created.ok() && !IsAlreadyExists(created.status())) {
    return WithContext(created.status(), "creating run " + name);
  }
  return OkStatus();
}

Status ScheduledController::DeleteRun(const std::string& ns, const std::string& name) {
  kube::DeleteOptions options;
  options.propagation = kube::Propagation::kBackground;
  const Status deleted = client_->Delete(kube::resources::kSparkApplications, ns, name, options);
  if (!deleted.ok() && !IsNotFound(deleted)) return WithContext(deleted, "deleting run " + name);
  return OkStatus();
}

Status ScheduledController::WriteStatus(const rapidjson::Value& object,
                                        const api::ScheduledSparkApplicationStatus& status) {
  if (WithoutSpec(object).status == status) return OkStatus();
  rapidjson::Document updated;
  updated.CopyFrom(object, updated.GetAllocator());
  rapidjson::Document json = api::ScheduledStatusToJson(status);
  SetPath(updated, {"status"}, rapidjson::Value(json, updated.GetAllocator()));
  const Result<rapidjson::Document> written = client_->UpdateStatus(kScheduledSparkApplications, updated);
  if (!written.ok()) return WithContext(written.status(), "writing the status of " + ObjectKey(object));
  return OkStatus();
}

}  // namespace spark_operator::controller
