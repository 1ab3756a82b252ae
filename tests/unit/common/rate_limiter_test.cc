#include "common/base/rate_limiter.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

namespace spark_operator {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("TokenBucketRateLimiter accepts a burst at once, then paces at qps", "[rate_limiter]") {
  FakeClock clock;
  TokenBucketRateLimiter limiter(10, 3, clock);
  CHECK(limiter.TryAccept());
  CHECK(limiter.TryAccept());
  CHECK(limiter.TryAccept());
  CHECK_FALSE(limiter.TryAccept());

  clock.Advance(milliseconds(50));  // Half a token at 10 qps.
  CHECK_FALSE(limiter.TryAccept());
  clock.Advance(milliseconds(50));
  CHECK(limiter.TryAccept());
  CHECK_FALSE(limiter.TryAccept());
}

TEST_CASE("TokenBucketRateLimiter saves up no more than burst while idle", "[rate_limiter]") {
  FakeClock clock;
  TokenBucketRateLimiter limiter(100, 5, clock);
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.TryAccept());
  clock.Advance(seconds(60));
  int accepted = 0;
  while (limiter.TryAccept()) ++accepted;
  CHECK(accepted == 5);
}

TEST_CASE("TokenBucketRateLimiter Wait returns at once within the burst and blocks until refilled", "[rate_limiter]") {
  FakeClock clock;
  TokenBucketRateLimiter limiter(1, 2, clock);
  REQUIRE(limiter.Wait().ok());
  REQUIRE(limiter.Wait().ok());

  std::atomic<bool> returned = false;
  auto waiter = std::async(std::launch::async, [&] {
    const Status status = limiter.Wait();
    returned = true;
    return status;
  });
  // Time does not move, so the waiter cannot get a token however long this takes.
  CHECK(waiter.wait_for(milliseconds(50)) == std::future_status::timeout);
  clock.Advance(milliseconds(500));
  CHECK(waiter.wait_for(milliseconds(50)) == std::future_status::timeout);
  CHECK_FALSE(returned);
  clock.Advance(milliseconds(500));
  REQUIRE(waiter.wait_for(seconds(10)) == std::future_status::ready);
  CHECK(waiter.get().ok());
}

TEST_CASE("TokenBucketRateLimiter Stop cancels waiting and later callers", "[rate_limiter]") {
  FakeClock clock;
  TokenBucketRateLimiter limiter(0.001, 1, clock);
  REQUIRE(limiter.Wait().ok());
  auto waiter = std::async(std::launch::async, [&] { return limiter.Wait(); });
  CHECK(waiter.wait_for(milliseconds(50)) == std::future_status::timeout);
  limiter.Stop();
  REQUIRE(waiter.wait_for(seconds(10)) == std::future_status::ready);
  CHECK(waiter.get().code() == StatusCode::kCancelled);
  CHECK(limiter.Wait().code() == StatusCode::kCancelled);
}

TEST_CASE("TokenBucketRateLimiter with the real clock releases a waiter once its token is due", "[rate_limiter]") {
  TokenBucketRateLimiter limiter(200, 1);
  for (int i = 0; i < 5; ++i) REQUIRE(limiter.Wait().ok());  // About 20ms of pacing.
}

TEST_CASE("TokenBucketRateLimiter with qps <= 0 is unlimited", "[rate_limiter]") {
  FakeClock clock;
  TokenBucketRateLimiter limiter(0, 1, clock);
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(limiter.TryAccept());
    REQUIRE(limiter.Wait().ok());
  }
}

}  // namespace
}  // namespace spark_operator
