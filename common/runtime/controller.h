// A controller in controller-runtime's sense: informers that feed a work queue, and workers that take keys from
// the queue and reconcile them. The three steps of starting are separate so that the owner (a manager, which may
// have to give up leadership meanwhile) decides under its own lock whether to go on with each.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/runtime/namespaced_informers.h"
#include "common/runtime/workqueue.h"

namespace spark_operator::runtime {

class Controller {
 public:
  // `queue` must outlive the controller; informers passed to Watch() too.
  Controller(WorkQueue& queue, int workers, ReconcileFunc reconcile)
      : queue_(queue), workers_(workers), reconcile_(std::move(reconcile)) {}
  ~Controller() { Stop(); }
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Before StartInformers(). `wait_for_sync`: the reconciler reads this cache, so workers wait until it is full.
  void Watch(NamespacedInformers& informers, bool wait_for_sync);

  void StartInformers();
  // Bounded by `timeout`; gives up early when `cancelled` turns true. Whether every awaited cache synced.
  bool WaitForSync(std::chrono::milliseconds timeout, const std::function<bool()>& cancelled);
  void StartWorkers();
  // Shuts the queue down, joins the workers, stops the informers. Idempotent.
  void Stop();

  // Whether every cache the workers wait for (Watch's wait_for_sync) has synced.
  bool Synced() const;

 private:
  struct Watched {
    NamespacedInformers* informers;
    bool wait_for_sync;
  };
  WorkQueue& queue_;
  const int workers_;
  const ReconcileFunc reconcile_;
  std::vector<Watched> watched_;
  std::thread worker_pool_;
};

}  // namespace spark_operator::runtime
