// How both services wait for SIGINT or SIGTERM. Construct it first thing in main, before any thread starts:
// it blocks the two signals in the calling thread, threads started later inherit the mask, and so only Wait()
// ever sees them (no handler runs at an arbitrary point in another thread). Destruction restores the mask.
#pragma once

#include <signal.h>

#include <chrono>
#include <functional>

namespace spark_operator {

class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Waits for SIGINT or SIGTERM and returns its number, or returns 0 as soon as `stopped_by_itself` turns true
  // (checked every `poll`): a service that ends on its own, such as a controller that lost its lease.
  int Wait(const std::function<bool()>& stopped_by_itself = nullptr,
           std::chrono::milliseconds poll = std::chrono::milliseconds(200)) const;

 private:
  sigset_t signals_;
  sigset_t previous_;
};

}  // namespace spark_operator
