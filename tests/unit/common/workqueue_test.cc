#include "common/runtime/workqueue.h"

#include <array>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace spark_operator {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

WorkQueueOptions FakeClockOptions(FakeClock& clock) {
  WorkQueueOptions options;
  options.clock = &clock;
  return options;
}

TEST_CASE("WorkQueue holds a waiting key once however often it is added", "[workqueue]") {
  WorkQueue queue;
  queue.Add("ns/a");
  queue.Add("ns/b");
  queue.Add("ns/a");
  CHECK(queue.Len() == 2);
  CHECK(queue.Get() == "ns/a");
  CHECK(queue.Get() == "ns/b");
  CHECK(queue.Len() == 0);
  CHECK(queue.Stats().adds == 2);
}

TEST_CASE("WorkQueue puts a key added first ahead of the waiting ones, and one already waiting keeps its place",
          "[workqueue]") {
  WorkQueue queue;
  queue.Add("ns/a");
  queue.Add("ns/b");
  queue.AddFirst("ns/woken");
  queue.AddFirst("ns/b");  // Already waiting: not moved, not queued twice.
  CHECK(queue.Len() == 3);
  CHECK(queue.Get() == "ns/woken");
  CHECK(queue.Get() == "ns/a");
  CHECK(queue.Get() == "ns/b");
  // One being processed is queued again by Done, as with Add.
  queue.AddFirst("ns/a");
  CHECK(queue.Len() == 0);
  queue.Done("ns/a");
  CHECK(queue.Get() == "ns/a");
}

TEST_CASE("WorkQueue reprocesses a key added during processing exactly once, after Done", "[workqueue]") {
  WorkQueue queue;
  queue.Add("ns/a");
  REQUIRE(queue.Get() == "ns/a");
  queue.Add("ns/a");
  queue.Add("ns/a");
  CHECK(queue.Len() == 0);  // Not handed to a second worker while the first holds it.
  queue.Done("ns/a");
  CHECK(queue.Len() == 1);
  REQUIRE(queue.Get() == "ns/a");
  queue.Done("ns/a");
  CHECK(queue.Len() == 0);
  CHECK(queue.Stats().processing == 0);
}

TEST_CASE("WorkQueue never gives one key to two workers and misses no add", "[workqueue]") {
  constexpr int kKeys = 50;
  constexpr int kAdds = 1000;
  WorkQueue queue;
  std::array<std::atomic<int>, kKeys> in_flight{};
  std::array<std::atomic<int>, kKeys> adds_made{};
  std::array<int, kKeys> adds_seen{};  // Written only by the worker holding the key.
  std::atomic<int> overlaps = 0;
  std::atomic<int> workers_busy = 0;
  std::atomic<int> max_workers_busy = 0;

  std::thread workers([&] {
    RunWorkers(queue, 8, [&](const std::string& key) -> ReconcileResult {
      const int k = std::stoi(key);
      if (in_flight[k].fetch_add(1) != 0) ++overlaps;
      const int busy = ++workers_busy;
      int seen_max = max_workers_busy.load();
      while (busy > seen_max && !max_workers_busy.compare_exchange_weak(seen_max, busy)) {
      }
      // Everything added before this point must be covered by this reconcile or a later one.
      adds_seen[k] = adds_made[k].load();
      std::this_thread::yield();
      --workers_busy;
      in_flight[k].fetch_sub(1);
      return OkStatus();
    });
  });

  std::vector<std::thread> adders;
  for (int t = 0; t < 4; ++t) {
    adders.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < kAdds / 4; ++i) {
        const int k = static_cast<int>(rng() % kKeys);
        ++adds_made[k];
        queue.Add(std::to_string(k));
      }
    });
  }
  for (std::thread& adder : adders) adder.join();
  // Shutting down drops what is queued, so wait until the workers have taken and finished every key.
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const WorkQueueStats stats = queue.Stats();
    if (stats.depth == 0 && stats.processing == 0) break;
    std::this_thread::yield();
  }
  queue.ShutDownWithDrain();
  workers.join();

  CHECK(overlaps == 0);
  CHECK(max_workers_busy <= 8);
  for (int k = 0; k < kKeys; ++k) {
    INFO("key " << k);
    CHECK(adds_seen[k] == adds_made[k]);
  }
  CHECK(queue.Stats().processing == 0);
}

TEST_CASE("WorkQueue exports depth, adds, retries, time queued and time held under client-go's names", "[workqueue]") {
  FakeClock clock;
  metrics::Registry registry;
  WorkQueueOptions options = FakeClockOptions(clock);
  options.name = "apps";
  options.metrics = &registry;
  WorkQueue queue(options);
  const auto depth = [&] { return registry.AddGauge("workqueue_depth", "", {"name"}).WithLabels({"apps"}).Value(); };
  const auto counter = [&](const char* name) {
    return registry.AddCounter(name, "", {"name"}).WithLabels({"apps"}).Value();
  };
  const auto histogram = [&](const char* name) {
    return registry.AddHistogram(name, "", {"name"}).WithLabels({"apps"}).Snap();
  };

  queue.Add("ns/a");
  queue.Add("ns/b");
  queue.Add("ns/a");
  CHECK(depth() == 2);
  CHECK(counter("workqueue_adds_total") == 2);
  clock.Advance(seconds(3));
  REQUIRE(queue.Get() == "ns/a");
  CHECK(depth() == 1);
  CHECK(histogram("workqueue_queue_duration_seconds").count == 1);
  CHECK(histogram("workqueue_queue_duration_seconds").sum == 3);

  clock.Advance(seconds(2));
  queue.Add("ns/a");  // While held: queued again by Done, its wait counted from then.
  queue.Done("ns/a");
  CHECK(histogram("workqueue_work_duration_seconds").count == 1);
  CHECK(histogram("workqueue_work_duration_seconds").sum == 2);
  CHECK(depth() == 2);
  clock.Advance(seconds(1));
  REQUIRE(queue.Get() == "ns/b");
  REQUIRE(queue.Get() == "ns/a");
  CHECK(histogram("workqueue_queue_duration_seconds").sum == 3 + 6 + 1);

  queue.AddRateLimited("ns/c");
  CHECK(counter("workqueue_retries_total") == 1);
  queue.Add("ns/d");
  queue.ShutDown();
  CHECK(depth() == 0);
  CHECK(registry.Render().find("workqueue_depth{name=\"apps\"} 0") != std::string::npos);
}

TEST_CASE("WorkQueue AddAfter releases keys in due order when the clock reaches them", "[workqueue]") {
  FakeClock clock;
  WorkQueue queue(FakeClockOptions(clock));
  queue.AddAfter("ns/late", seconds(3));
  queue.AddAfter("ns/early", seconds(1));
  queue.AddAfter("ns/middle", seconds(2));
  queue.AddAfter("ns/now", seconds(0));
  CHECK(queue.Get() == "ns/now");
  CHECK(queue.Len() == 0);
  CHECK(queue.Stats().waiting == 3);

  clock.Advance(seconds(1));
  CHECK(queue.Get() == "ns/early");  // Blocks until the delay thread has moved it.
  clock.Advance(seconds(5));
  CHECK(queue.Get() == "ns/middle");
  CHECK(queue.Get() == "ns/late");
  CHECK(queue.Stats().waiting == 0);
}

TEST_CASE("WorkQueue AddAfter of a held-back key keeps the earlier time", "[workqueue]") {
  FakeClock clock;
  WorkQueue queue(FakeClockOptions(clock));
  queue.AddAfter("ns/a", seconds(10));
  queue.AddAfter("ns/a", seconds(1));
  queue.AddAfter("ns/a", seconds(5));
  CHECK(queue.Stats().waiting == 1);
  clock.Advance(seconds(1));
  CHECK(queue.Get() == "ns/a");
  queue.Done("ns/a");
  CHECK(queue.Stats().waiting == 0);
}

TEST_CASE("WorkQueue AddRateLimited backs off exponentially and Forget resets", "[workqueue]") {
  FakeClock clock;
  WorkQueueOptions options = FakeClockOptions(clock);
  options.backoff_base = milliseconds(10);
  WorkQueue queue(options);

  queue.AddRateLimited("ns/a");
  CHECK(queue.NumRequeues("ns/a") == 1);
  clock.Advance(milliseconds(10));
  REQUIRE(queue.Get() == "ns/a");
  queue.Done("ns/a");

  queue.AddRateLimited("ns/a");  // Second failure: 20ms.
  CHECK(queue.NumRequeues("ns/a") == 2);
  clock.Advance(milliseconds(10));
  queue.Add("ns/b");
  CHECK(queue.Get() == "ns/b");  // "ns/a" is still held back; had it been due it would come first.
  CHECK(queue.Stats().waiting == 1);
  clock.Advance(milliseconds(10));
  REQUIRE(queue.Get() == "ns/a");
  queue.Done("ns/a");
  CHECK(queue.Stats().retries == 2);

  queue.Forget("ns/a");
  CHECK(queue.NumRequeues("ns/a") == 0);
  queue.AddRateLimited("ns/a");
  clock.Advance(milliseconds(10));
  CHECK(queue.Get() == "ns/a");
}

TEST_CASE("WorkQueue ShutDown wakes blocked Get and drops what is queued", "[workqueue]") {
  WorkQueue queue;
  auto blocked = std::async(std::launch::async, [&] { return queue.Get(); });
  CHECK(blocked.wait_for(milliseconds(20)) == std::future_status::timeout);
  queue.ShutDown();
  REQUIRE(blocked.wait_for(seconds(10)) == std::future_status::ready);
  CHECK(blocked.get() == std::nullopt);
  CHECK(queue.ShuttingDown());

  WorkQueue stopping;
  stopping.Add("ns/a");
  stopping.AddAfter("ns/later", seconds(1000));
  stopping.Add("ns/held");
  REQUIRE(stopping.Get() == "ns/a");
  stopping.Add("ns/a");  // Added again while processing: would be queued again by Done.
  stopping.ShutDown();
  stopping.Add("ns/b");  // Ignored.
  CHECK(stopping.Get() == std::nullopt);
  CHECK(stopping.Len() == 0);
  CHECK(stopping.Stats().waiting == 0);
  stopping.Done("ns/a");
  CHECK(stopping.Get() == std::nullopt);
  CHECK(stopping.Len() == 0);
}

TEST_CASE("RunWorkers stops after the keys in hand, with thousands queued", "[workqueue]") {
  WorkQueue queue;
  for (int i = 0; i < 10000; ++i) queue.Add("ns/app-" + std::to_string(i));
  std::atomic<int> reconciled = 0;
  std::promise<void> first;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto run = std::async(std::launch::async, [&] {
    RunWorkers(queue, 4, [&](const std::string&) -> ReconcileResult {
      if (++reconciled == 1) first.set_value();
      released.wait();
      return OkStatus();
    });
  });
  REQUIRE(first.get_future().wait_for(seconds(10)) == std::future_status::ready);
  queue.ShutDown();
  release.set_value();
  REQUIRE(run.wait_for(seconds(10)) == std::future_status::ready);
  CHECK(reconciled <= 4);  // Only what the 4 workers held when the queue shut down.
}

TEST_CASE("WorkQueue ShutDownWithDrain waits for keys being processed", "[workqueue]") {
  WorkQueue queue;
  queue.Add("ns/a");
  REQUIRE(queue.Get() == "ns/a");
  auto drain = std::async(std::launch::async, [&] { queue.ShutDownWithDrain(); });
  CHECK(drain.wait_for(milliseconds(20)) == std::future_status::timeout);
  queue.Done("ns/a");
  CHECK(drain.wait_for(seconds(10)) == std::future_status::ready);
}

TEST_CASE("RunWorkers retries errors with back-off and forgets the key on success", "[workqueue]") {
  WorkQueueOptions options;
  options.backoff_base = milliseconds(1);
  WorkQueue queue(options);
  std::mutex mu;
  std::vector<int> requeues_seen;
  std::promise<void> succeeded;

  std::thread workers([&] {
    RunWorkers(queue, 2, [&](const std::string& key) -> ReconcileResult {
      const std::lock_guard<std::mutex> lock(mu);
      requeues_seen.push_back(queue.NumRequeues(key));
      if (requeues_seen.size() < 3) return UnavailableError("API server down");
      succeeded.set_value();
      return OkStatus();
    });
  });
  queue.Add("ns/a");
  REQUIRE(succeeded.get_future().wait_for(seconds(10)) == std::future_status::ready);
  queue.ShutDownWithDrain();
  workers.join();

  CHECK(requeues_seen == std::vector<int>{0, 1, 2});
  CHECK(queue.NumRequeues("ns/a") == 0);
  CHECK(queue.Stats().retries == 2);
}

TEST_CASE("RunWorkers requeues a key after the delay a reconcile asks for", "[workqueue]") {
  WorkQueue queue;
  std::atomic<int> calls = 0;
  std::promise<void> second_call;

  std::thread workers([&] {
    RunWorkers(queue, 1, [&](const std::string&) -> ReconcileResult {
      if (++calls == 1) return RequeueAfter(milliseconds(1));
      second_call.set_value();
      return OkStatus();
    });
  });
  queue.Add("ns/a");
  REQUIRE(second_call.get_future().wait_for(seconds(10)) == std::future_status::ready);
  queue.ShutDownWithDrain();
  workers.join();

  CHECK(calls == 2);
  CHECK(queue.Stats().retries == 0);
  CHECK(queue.NumRequeues("ns/a") == 0);
}

TEST_CASE("RunWorkers returns once the queue is shut down", "[workqueue]") {
  WorkQueue queue;
  auto run = std::async(std::launch::async,
                        [&] { RunWorkers(queue, 4, [](const std::string&) { return ReconcileResult(); }); });
  queue.ShutDown();
  CHECK(run.wait_for(seconds(10)) == std::future_status::ready);
}

}  // namespace
}  // namespace spark_operator
