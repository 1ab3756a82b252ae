
#include "common/runtime/controller.h"

#include <algorithm>

namespace spark_operator::runtime {

void Controller::Watch(NamespacedInformers& informers, bool wait_for_sync) {
  watched_.push_back({&informers, wait_for_sync});
}

void Controller::StartInformers() {
  for (const Watched& w : watched_) w.informers->Start();
}

bool Controller::WaitForSync(std::chrono::milliseconds timeout, const std::function<bool()>& cancelled) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const Watched& w : watched_) {
    if (!w.wait_for_sync) continue;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!w.informers->WaitForSync(std::max(left, std::chrono::milliseconds(0)), cancelled)) return false;
  }
  return true;
}

void Controller::StartWorkers() {
  worker_pool_ = std::thread([this] { RunWorkers(queue_, workers_, reconcile_); });
}

void Controller::Stop() {
  queue_.ShutDown();
  if (worker_pool_.joinable()) worker_pool_.join();
  for (const Watched& w : watched_) w.informers->Stop();
}

bool Controller::Synced() const {
  for (const Watched& w : watched_) {
    if (w.wait_for_sync && !w.informers->HasSynced()) return false;
  }
  return true;
}

}  // namespace spark_operator::runtime
