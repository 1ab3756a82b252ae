#include "controller/logs/log_keeper.h"

#include <glog/logging.h>

#include <algorithm>
#include <set>

#include "common/base/json.h"
#include "common/kube/time_format.h"
#include "controller/finalizers.h"

namespace spark_operator::controller::logs {
namespace {

using std::chrono::milliseconds;

// While executors are still stopping: how often to look again.
constexpr milliseconds kWaitForPods{5'000};

// Errors a retry will not fix by itself (a credential, a bucket that does not exist): FAILED at once. The copy is
// still tried again until the timeout, since a fixed credential or a created bucket makes it work.
bool Permanent(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnauthenticated:
    case StatusCode::kForbidden:
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return true;
    default:
      return false;
  }
}

std::string Duration(std::chrono::seconds s) {
  if (s.count() % 3600 == 0) return std::to_string(s.count() / 3600) + "h";
  if (s.count() % 60 == 0) return std::to_string(s.count() / 60) + "m";
  return std::to_string(s.count()) + "s";
}

milliseconds Sooner(milliseconds a, milliseconds b) { return a.count() == 0 ? b : std::min(a, b); }

// status.logs about `attempt`, started afresh when it was about an earlier run.
void Own(api::LogsStatus& logs, int attempt, const std::string& destination) {
  if (logs.attempt.value_or(0) != attempt) logs = {};
  logs.attempt = attempt;
  logs.destination = destination;
}

}  // namespace

LogKeeper::LogKeeper(std::shared_ptr<kube::Client> client, LogShipper& shipper, LogKeeperOptions options)
    : client_(std::move(client)), shipper_(shipper), options_(std::move(options)) {}

std::string LogKeeper::DestinationOf(const api::SparkApplication* app, const api::LogsStatus& logs) const {
  if (app == nullptr) return logs.destination;  // The spec does not parse: where the logs went so far.
  if (!app->spec.logs.destination.empty()) return app->spec.logs.destination;
  return options_.default_destination;
}

Result<std::chrono::milliseconds> LogKeeper::Step(const LogView& view, api::LogsStatus& logs) {
  const std::string destination = DestinationOf(view, logs);
  const std::string key = ObjectKey(view.object);
  // An unparsable spec says nothing about logs: nothing is let go on its account.
  if (view.app == nullptr && destination.empty()) return milliseconds(0);
  if (destination.empty()) {
    // No destination (any more): nothing is owed, and pods kept for an earlier destination go.
    ReleaseOrphans(key, view.pods);
    RETURN_IF_ERROR(RemoveFinalizer(*client_, kube::resources::kSparkApplications, view.object, kLogsFinalizer));
    return milliseconds(0);
  }
  if (!HasFinalizer(view.object, kLogsFinalizer)) {
    RETURN_IF_ERROR(AddFinalizer(*client_, kube::resources::kSparkApplications, view.object, kLogsFinalizer)
                        .WithContext("adding the logs finalizer"));
  }
  const bool executors = view.app == nullptr || view.app->spec.logs.executors.value_or(true);
  bool protecting = false;
  for (const kube::Pod* pod : PodsToProtect(view.pods, executors)) {
    protecting = true;
    const Status added = AddFinalizer(*client_, kube::resources::kPods, pod->meta, kLogsFinalizer);
    if (!added.ok() && !IsNotFound(added)) {
      LOG(WARNING) << key << ": keeping pod " << pod->meta.name << " for its logs: " << added.ToString();
    }
  }
  // Pods held just now are not in this view's run yet: no copy starts before the cache shows them.
  return Follow(view, destination, /*deleting=*/false, /*may_start=*/!protecting, logs);
}

Result<std::chrono::milliseconds> LogKeeper::StepDeleting(const LogView& view, api::LogsStatus& logs) {
  const std::string key = ObjectKey(view.object);
  // Deleting the app stops its run: its pods go first (their finalizers keep them until their logs are stored).
  for (const kube::Pod& pod : view.pods) {
    if (pod.meta.Deleting()) continue;
    kube::DeleteOptions options;
    options.precondition_uid = pod.meta.uid;
    const Status deleted = client_->Delete(kube::resources::kPods, pod.meta.namespace_, pod.meta.name, options);
    if (!deleted.ok() && !IsNotFound(deleted) && !IsConflict(deleted)) return deleted;
  }
  const std::string destination = DestinationOf(view, logs);
  milliseconds wait(0);
  if (destination.empty()) {
    ReleaseOrphans(key, view.pods);
  } else {
    ASSIGN_OR_RETURN(wait, Follow(view, destination, /*deleting=*/true, /*may_start=*/true, logs));
  }
  const bool held = std::any_of(view.pods.begin(), view.pods.end(),
                                [](const kube::Pod& pod) { return pod.meta.HasFinalizer(kLogsFinalizer); });
  if (held) return Sooner(wait, milliseconds(1'000));
  LOG(INFO) << key << ": deleted; every pod's log is stored or given up, letting the application go";
  shipper_.Forget(UidOf(view.object));
  RETURN_IF_ERROR(RemoveFinalizer(*client_, kube::resources::kSparkApplications, view.object, kLogsFinalizer));
  return milliseconds(0);
}

Result<std::chrono::milliseconds> LogKeeper::Follow(const LogView& view, const std::string& destination, bool deleting,
                                                    bool may_start, api::LogsStatus& logs) {
  const std::string key = ObjectKey(view.object);
  const std::string uid = UidOf(view.object);
  const std::string ns = NamespaceOf(view.object);
  const kube::WallTime now = std::chrono::system_clock::now();
  const std::vector<AttemptLogs> owed =
      OwedAttempts(view.pods, view.current_attempt, deleting, now, options_.executor_grace);
  std::set<int> owed_attempts;
  for (const AttemptLogs& run : owed) owed_attempts.insert(run.attempt);

  // Finished copies first: the cache may already show their pods let go, so the owed runs do not list them.
  const std::map<int, LogShipper::Outcome> outcomes = shipper_.Outcomes(uid);
  for (const auto& [attempt, outcome] : outcomes) {
    const bool owed_still = owed_attempts.count(attempt) != 0;
    if (!outcome.result.ok()) {
      if (!owed_still) shipper_.Clear(uid, attempt);  // Given up, or let go otherwise.
      continue;
    }
    const bool recorded = logs.attempt.value_or(0) > attempt ||
                          (logs.attempt == attempt && logs.state == api::LogShippingState::kShipped);
    if (recorded) {
      // In the stored status (this view was read after it was written) and its pods let go: done with it.
      if (!owed_still) shipper_.Clear(uid, attempt);
      continue;
    }
    Own(logs, attempt, destination);
    logs.state = api::LogShippingState::kShipped;
    logs.objects = outcome.result->objects;
    logs.bytes = outcome.result->bytes;
    logs.error = outcome.result->missing == 0
                     ? ""
                     : std::to_string(outcome.result->missing) + " container log(s) were no longer available";
    logs.shipped_time = kube::FormatTime(now);
    view.events.Normal(view.object, "SparkApplicationLogsShipped",
                       "attempt " + std::to_string(attempt) + ": " + std::to_string(*logs.objects) + " log(s), " +
                           std::to_string(*logs.bytes) + " bytes, stored in " + destination);
  }

  milliseconds wait(0);
  for (const AttemptLogs& run : owed) {
    const bool record = logs.attempt.value_or(0) <= run.attempt;  // status.logs follows the latest run.
    // status.logs says `state` about this run, unless it is about a later one.
    const auto mark = [&](api::LogShippingState state) {
      if (!record) return;
      Own(logs, run.attempt, destination);
      logs.state = state;
    };
    const std::string attempt = "attempt " + std::to_string(run.attempt);
    if (!run.ended_at) {
      if (logs.attempt != run.attempt || !logs.state) mark(api::LogShippingState::kPending);
      continue;
    }
    if (shipper_.InFlight(uid, run.attempt)) continue;  // Its end enqueues the app.
    const auto found = outcomes.find(run.attempt);
    const LogShipper::Outcome* outcome = found == outcomes.end() ? nullptr : &found->second;
    if (outcome && outcome->result.ok()) continue;  // Recorded above; the cache has not seen its pods let go.
    const kube::WallTime deadline = *run.ended_at + options_.timeout;
    if (outcome) {
      const Status& error = outcome->result.status();
      if (now >= deadline) {
        ReleasePods(ns, run);
        shipper_.Clear(uid, run.attempt);
        const std::string message =
            "logs of " + attempt + " lost: " + error.message() + " (gave up after " + Duration(options_.timeout) + ")";
        LOG(WARNING) << key << ": " << message;
        view.events.Warning(view.object, "SparkApplicationLogsLost", message);
        mark(api::LogShippingState::kFailed);
        if (record) logs.error = message;
        continue;
      }
      const auto retry_in =
          std::chrono::duration_cast<milliseconds>(outcome->retry_at - std::chrono::steady_clock::now());
      if (record) {
        const api::LogShippingState state =
            Permanent(error) ? api::LogShippingState::kFailed : api::LogShippingState::kShipping;
        if (logs.attempt != run.attempt || logs.state != state || logs.error != error.message()) {
          view.events.Warning(view.object, "SparkApplicationLogShippingFailed",
                              attempt + ": storing the logs in " + destination + " failed: " + error.message() +
                                  "; retrying until the pods' logs are stored or " + Duration(options_.timeout) +
                                  " have passed");
        }
        mark(state);
        logs.error = error.message();
      }
      if (retry_in.count() > 0) {
        wait = Sooner(wait, retry_in);
        continue;
      }
    } else if (!run.ready) {
      mark(api::LogShippingState::kPending);
      wait = Sooner(wait, kWaitForPods);
      continue;
    }
    if (!may_start) {
      wait = Sooner(wait, milliseconds(1'000));
      continue;
    }
    ShipRequest request{ns, NameOf(view.object), uid, view.app_state, run};
    auto store = std::make_shared<Result<std::shared_ptr<storage::ObjectStore>>>(StoreFor(destination));
    shipper_.Ship(key, uid, run.attempt,
                  [client = client_, store, request = std::move(request)](const std::atomic<bool>& stop) {
                    if (!store->ok()) return Result<ShipSummary>(store->status());
                    return ShipAttempt(*client, ***store, request, stop);
                  });
    // A refused credential stays FAILED while it is tried again.
    if (logs.state != api::LogShippingState::kFailed || logs.attempt != run.attempt) {
      mark(api::LogShippingState::kShipping);
    }
  }
  return wait;
}

Result<std::shared_ptr<storage::ObjectStore>> LogKeeper::StoreFor(const std::string& destination) {
  const std::lock_guard lock(stores_mutex_);
  if (const auto it = stores_.find(destination); it != stores_.end()) return it->second;
  ASSIGN_OR_RETURN(const storage::ObjectUrl url, storage::ParseObjectUrl(destination));
  ASSIGN_OR_RETURN(std::unique_ptr<storage::ObjectStore> opened, storage::OpenObjectStore(url, options_.store));
  std::shared_ptr<storage::ObjectStore> store = std::move(opened);
  stores_.emplace(destination, store);
  return store;
}

void LogKeeper::ReleasePods(const std::string& ns, const AttemptLogs& run) {
  for (const PodLog& pod : run.pods) {
    Result<rapidjson::Document> fresh = client_->Get(kube::resources::kPods, ns, pod.name);
    if (!fresh.ok()) continue;
    const kube::ObjectMeta meta = kube::ParseObjectMeta(*fresh);
    if (meta.uid != pod.uid) continue;
    const Status removed =
        RemoveFinalizer(*client_, kube::resources::kPods, meta, kLogsFinalizer, {{kLogsAnnotation, "lost"}});
    if (!removed.ok()) LOG(WARNING) << ns << "/" << pod.name << ": letting the pod go: " << removed.ToString();
  }
}

void LogKeeper::ReleaseOrphans(const std::string& key, const std::vector<kube::Pod>& pods) {
  for (const kube::Pod& pod : pods) {
    if (!pod.meta.HasFinalizer(kLogsFinalizer)) continue;
    LOG(WARNING) << key << ": no log destination for pod " << pod.meta.name << " any more; letting it go unshipped";
    const Status removed =
        RemoveFinalizer(*client_, kube::resources::kPods, pod.meta, kLogsFinalizer, {{kLogsAnnotation, "lost"}});
    if (!removed.ok()) LOG(WARNING) << key << ": letting pod " << pod.meta.name << " go: " << removed.ToString();
  }
}

}  // namespace spark_operator::controller::logs
