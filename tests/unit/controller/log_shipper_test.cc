// The log shipper's queue: one copy per run at a time, outcomes kept until collected, back-off after failures,
// and copies told to stop at shutdown.
#include "controller/logs/log_shipper.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <set>

namespace spark_operator::controller::logs {
namespace {

// Counts on_done calls and lets a test wait for the n-th.
struct Done {
  std::mutex mu;
  std::condition_variable cv;
  int count = 0;
  void Add() {
    const std::lock_guard lock(mu);
    ++count;
    cv.notify_all();
  }
  bool WaitFor(int n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return count >= n; });
  }
};

TEST_CASE("a run's copy runs once at a time and its outcome stays until cleared") {
  Done done;
  LogShipper shipper({.concurrency = 2, .on_done = [&](const std::string&) { done.Add(); }});
  std::atomic<int> runs{0};
  const auto job = [&](const std::atomic<bool>&) -> Result<ShipSummary> {
    ++runs;
    return ShipSummary{.objects = 3, .bytes = 42};
  };
  shipper.Ship("ns/a", "uid-a", 1, job);
  REQUIRE(done.WaitFor(1));
  const auto outcome = shipper.Peek("uid-a", 1);
  REQUIRE(outcome);
  REQUIRE(outcome->result.ok());
  CHECK(outcome->result->objects == 3);
  // A successful outcome not yet collected is not copied again.
  shipper.Ship("ns/a", "uid-a", 1, job);
  CHECK_FALSE(shipper.InFlight("uid-a", 1));
  CHECK(runs == 1);
  CHECK(shipper.Outcomes("uid-a").count(1) == 1);
  CHECK(shipper.Outcomes("uid-b").empty());
  shipper.Clear("uid-a", 1);
  CHECK_FALSE(shipper.Peek("uid-a", 1));
}

TEST_CASE("failed copies back off longer each time and may be shipped again") {
  Done done;
  LogShipper shipper({.concurrency = 1, .on_done = [&](const std::string&) { done.Add(); }});
  const auto failing = [](const std::atomic<bool>&) -> Result<ShipSummary> { return UnavailableError("store down"); };
  shipper.Ship("ns/a", "uid-a", 1, failing);
  REQUIRE(done.WaitFor(1));
  const auto first = shipper.Peek("uid-a", 1);
  REQUIRE(first);
  CHECK(first->failures == 1);
  CHECK(first->result.status().message() == "store down");
  shipper.Ship("ns/a", "uid-a", 1, failing);
  REQUIRE(done.WaitFor(2));
  const auto second = shipper.Peek("uid-a", 1);
  CHECK(second->failures == 2);
  CHECK(second->retry_at - first->retry_at >= std::chrono::seconds(4));  // 5 s, then 10 s.
  shipper.Ship("ns/a", "uid-a", 1, [](const std::atomic<bool>&) -> Result<ShipSummary> { return ShipSummary{}; });
  REQUIRE(done.WaitFor(3));
  CHECK(shipper.Peek("uid-a", 1)->failures == 0);
}

TEST_CASE("destroying the shipper tells a running copy to stop") {
  std::atomic<bool> started{false};
  std::atomic<bool> saw_stop{false};
  {
    LogShipper shipper({.concurrency = 1, .on_done = nullptr});
    shipper.Ship("ns/a", "uid-a", 1, [&](const std::atomic<bool>& stop) -> Result<ShipSummary> {
      started = true;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while (!stop && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      saw_stop = stop.load();
      return CancelledError("stopping");
    });
    while (!started) std::this_thread::yield();
  }
  CHECK(saw_stop);
}

}  // namespace
}  // namespace spark_operator::controller::logs
