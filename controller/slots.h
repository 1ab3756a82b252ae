// Bounds how many reconciles hold something at once, and wakes the apps that found none, in the order they asked.
// Two uses in the reconciler:
// - the driver UI's Service: creating or deleting a NodePort or ClusterIP Service goes through the API server's
//   allocators, which take one at a time: in bench/scale.sh at N = 10,000 the UI Services' creates took 10-45 s
//   each at the server (the drivers' headless Services, which allocate nothing, 0.3 s), and the 64 workers
//   waiting on them reconciled nothing else. A worker that finds every slot taken leaves the UI for a later
//   reconcile and goes on with the application's state.
// - the native submissions queued or running: an app is marked and its submission queued only with a slot,
//   held until the submission has run. Without the bound, 10,000 apps created at once were all marked within
//   minutes and waited in the submitter's queue for the 16 lanes, each job holding its arguments.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

namespace spark_operator::controller {

class Slots {
 public:
  // `wake` (may be empty) is called with the key of an app that found no slot, once one frees.
  Slots(int slots, std::function<void(const std::string& key)> wake) : wake_(std::move(wake)), free_(slots) {}
  Slots(const Slots&) = delete;
  Slots& operator=(const Slots&) = delete;

  // One slot, given back when destroyed.
  class Slot {
   public:
    explicit Slot(Slots& slots) : slots_(&slots) {}
    Slot(Slot&& other) noexcept : slots_(std::exchange(other.slots_, nullptr)) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (slots_ != nullptr) slots_->Release();
    }

   private:
    Slots* slots_;
  };

  // A slot if one is free; never waits. Without one, `key` is woken when one frees (once, however often asked).
  std::optional<Slot> TryTake(const std::string& key) {
    const std::lock_guard lock(mu_);
    if (free_ > 0) {
      --free_;
      // It waits no longer: a slot freed later goes to the next waiter, not to it (its queue entry is skipped).
      waiting_keys_.erase(key);
      return std::optional<Slot>(std::in_place, *this);
    }
    if (waiting_keys_.insert(key).second) waiting_.push_back(key);
    return std::nullopt;
  }

 private:
  void Release() {
    std::string woken;
    {
      const std::lock_guard lock(mu_);
      ++free_;
      while (woken.empty() && !waiting_.empty()) {
        std::string key = std::move(waiting_.front());
        waiting_.pop_front();
        if (waiting_keys_.erase(key) > 0) woken = std::move(key);
      }
    }
    if (!woken.empty() && wake_) wake_(woken);
  }

  const std::function<void(const std::string&)> wake_;
  std::mutex mu_;
  int free_;                                      // Guarded by mu_.
  std::deque<std::string> waiting_;               // Guarded by mu_; in the order they asked.
  std::unordered_set<std::string> waiting_keys_;  // Guarded by mu_; those of waiting_ still waiting.
};

}  // namespace spark_operator::controller
