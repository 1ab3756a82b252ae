// An injectable monotonic clock (and, below, a wall clock), so that code which waits (rate limiters, delayed work
// queues) can be tested with a FakeClock that only moves when the test says so, instead of depending on real timing.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace spark_operator {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;

  virtual TimePoint Now() const = 0;

  // Waits on `cv` (whose mutex `lock` holds) until it is notified or this clock reaches `deadline`. May return
  // early, as condition_variable::wait_until, so callers re-check their condition in a loop.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, TimePoint deadline) const = 0;

  // A clock that can jump (only FakeClock) calls `wake` after each jump so that objects blocked in WaitUntil
  // re-check the time. `wake` may lock the subscriber's mutex: callers must not hold that mutex while calling
  // Subscribe or Unsubscribe. After Unsubscribe returns, `wake` is not running and will not run again.
  virtual uint64_t Subscribe(std::function<void()> /*wake*/) { return 0; }
  virtual void Unsubscribe(uint64_t /*id*/) {}

  // The process-wide std::chrono::steady_clock.
  static Clock& Real();
};

class RealClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, TimePoint deadline) const override {
    // wait_until(time_point::max()) overflows in some standard libraries; "forever" is a plain wait.
    if (deadline == TimePoint::max()) {
      cv.wait(lock);
    } else {
      cv.wait_until(lock, deadline);
    }
  }
};

inline Clock& Clock::Real() {
  static RealClock clock;
  return clock;
}

// Time stands still until Advance. Must outlive every object that uses it.
class FakeClock final : public Clock {
 public:
  // Starts well after the epoch so that "now minus something" never underflows in the code under test.
  FakeClock() : now_(Duration(std::chrono::hours(1)).count()) {}

  // Lock-free so that subscribers may read the time while holding the mutex their `wake` callback takes.
  TimePoint Now() const override { return TimePoint(Duration(now_.load())); }

  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, TimePoint deadline) const override {
    // No real-time timeout: only Advance moves this clock, and Advance wakes every subscriber.
    if (Now() < deadline) cv.wait(lock);
  }

  void Advance(Duration d) {
    const std::lock_guard<std::mutex> lock(mu_);
    now_.fetch_add(d.count());
    for (const auto& [id, wake] : subscribers_) wake();
  }

  uint64_t Subscribe(std::function<void()> wake) override {
    const std::lock_guard<std::mutex> lock(mu_);
    subscribers_.emplace(++last_id_, std::move(wake));
    return last_id_;
  }
  void Unsubscribe(uint64_t id) override {
    const std::lock_guard<std::mutex> lock(mu_);
    subscribers_.erase(id);
  }

 private:
  std::atomic<Duration::rep> now_;
  std::mutex mu_;  // Guards subscribers_ and is held while they run, which makes Unsubscribe a barrier.
  std::map<uint64_t, std::function<void()>> subscribers_;
  uint64_t last_id_ = 0;
};

// The time of day, for what happens at calendar times (ScheduledSparkApplication runs). Separate from Clock,
// which is monotonic: a schedule needs the wall time, a wait must not jump with it.
class WallClock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~WallClock() = default;
  virtual TimePoint Now() const = 0;
  // std::chrono::system_clock.
  static WallClock& Real();
};

class RealWallClock final : public WallClock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

inline WallClock& WallClock::Real() {
  static RealWallClock clock;
  return clock;
}

// A wall clock that moves with a FakeClock: `start` plus how far the FakeClock was advanced since. A work queue
// on the same FakeClock then releases a key held back until a wall time exactly when the test reaches that time.
class FakeWallClock final : public WallClock {
 public:
  FakeWallClock(const FakeClock& steady, TimePoint start) : steady_(steady), origin_(steady.Now()), start_(start) {}
  TimePoint Now() const override {
    return start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(steady_.Now() - origin_);
  }

 private:
  const FakeClock& steady_;
  const Clock::TimePoint origin_;
  const TimePoint start_;
};

}  // namespace spark_operator
