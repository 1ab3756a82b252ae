// The ScheduledSparkApplication controller: for each object, decides with controller/scheduled_plan.h what is
// due, creates the run (a SparkApplication owned by it), deletes replaced and surplus runs, writes .status and
// asks the work queue back at status.nextRun. Informers on the objects and on their runs (by the label
// spark-operator.k8s.io/scheduled-app-name) queue an object again when it or one of its runs changes, so a run
// finishing updates the history and unblocks Forbid at once.
//
// Time comes from a WallClock and the work queue's Clock, both injectable: a test gives a FakeClock to the queue
// and a FakeWallClock on it, and advancing the one FakeClock both makes runs due and releases the requeue.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/base/clock.h"
#include "common/kube/client.h"
#include "common/runtime/controller.h"
#include "common/runtime/namespaced_informers.h"
#include "common/runtime/workqueue.h"
#include "controller/events.h"
#include "controller/scheduled_plan.h"

namespace spark_operator::controller {

inline const kube::Resource kScheduledSparkApplications{"spark-operator.k8s.io", "v1alpha1",
                                                        "scheduledsparkapplications"};

struct ScheduledControllerOptions {
  int workers = 2;
  std::chrono::seconds resync_period{300};
  std::vector<std::string> namespaces;   // Empty: all.
  WallClock* wall_clock = nullptr;       // Null: WallClock::Real(). Must outlive the controller.
  Clock* queue_clock = nullptr;          // The work queue's; null: Clock::Real(). Must outlive the controller.
  metrics::Registry* metrics = nullptr;  // The work queue's metrics; null: none. Must outlive the controller.
};

class ScheduledController {
 public:
  // `events` must outlive the controller.
  ScheduledController(std::shared_ptr<kube::Client> client, Events& events, ScheduledControllerOptions options);
  ~ScheduledController() { Stop(); }
  ScheduledController(const ScheduledController&) = delete;
  ScheduledController& operator=(const ScheduledController&) = delete;

  void StartInformers() { controller_->StartInformers(); }
  // Starts the workers once both caches are full, from a thread of its own, and returns at once: a reconcile
  // on a partial cache of runs could miss an unfinished run under Forbid. Without the CRD installed that is
  // never; the other controllers do not wait for it.
  void StartWorkersWhenSynced();
  // Idempotent.
  void Stop();
  bool Synced() const { return controller_->Synced(); }

  // `key` is "namespace/name".
  ReconcileResult Reconcile(const std::string& key);

 private:
  std::vector<ScheduledRun> RunsOf(const rapidjson::Value& object) const;
  void Record(const rapidjson::Value& object, const std::vector<PlannedEvent>& events, bool with_action);
  Status CreateRun(const rapidjson::Value& object, const std::string& name);
  Status DeleteRun(const std::string& ns, const std::string& name);
  Status WriteStatus(const rapidjson::Value& object, const api::ScheduledSparkApplicationStatus& status);

  const std::shared_ptr<kube::Client> client_;
  Events& events_;
  const ScheduledControllerOptions options_;
  WallClock& wall_clock_;
  WorkQueue queue_;
  std::unique_ptr<runtime::NamespacedInformers> scheduled_;
  std::unique_ptr<runtime::NamespacedInformers> runs_;
  std::unique_ptr<runtime::Controller> controller_;
  std::mutex start_mutex_;  // Orders StartWorkers against Stop.
  bool stopped_ = false;    // Guarded by start_mutex_.
  std::atomic<bool> stopping_{false};
  std::thread starter_;
};

}  // namespace spark_operator::controller
