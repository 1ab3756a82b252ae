// Bounds how many reconcile workers wait on the API server for a driver UI's Service at once. Creating or
// deleting a NodePort or ClusterIP Service goes through the API server's allocators, which take one at a time:
// in bench/scale.sh at N = 10,000 the UI Services' creates took 10-45 s each at the server (the drivers' headless
// Services, which allocate nothing, 0.3 s), and the 64 workers waiting on them reconciled nothing else. A worker
// that finds every slot taken leaves the UI for a later reconcile and goes on with the application's state.
#pragma once

#include <atomic>
#include <optional>
#include <utility>

namespace spark_operator::controller {

class UiSlots {
 public:
  explicit UiSlots(int slots) : free_(slots) {}
  UiSlots(const UiSlots&) = delete;
  UiSlots& operator=(const UiSlots&) = delete;

  // One slot, given back when destroyed.
  class Slot {
   public:
    explicit Slot(std::atomic<int>& free) : free_(&free) {}
    Slot(Slot&& other) noexcept : free_(std::exchange(other.free_, nullptr)) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (free_ != nullptr) free_->fetch_add(1);
    }

   private:
    std::atomic<int>* free_;
  };

  // A slot if one is free; never waits.
  std::optional<Slot> TryTake() {
    int free = free_.load();
    while (free > 0) {
      if (free_.compare_exchange_weak(free, free - 1)) return std::optional<Slot>(std::in_place, free_);
    }
    return std::nullopt;
  }

 private:
  std::atomic<int> free_;
};

}  // namespace spark_operator::controller
