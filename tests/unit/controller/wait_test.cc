// The reconciler's waits saturate: no retry interval, TTL or clock skew gives the work queue a delay that is
// negative, zero or overflowed (each of which would reconcile the app again at once, spinning a worker).
#include "controller/wait.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>

namespace spark_operator::controller {
namespace {

using std::chrono::seconds;

const kube::WallTime kNow = kube::WallTime(seconds(1'800'000'000));

TEST_CASE("seconds left of a wait count down from its start and stop at zero") {
  const std::string start = kube::FormatTime(kNow - seconds(30));
  CHECK(SecondsLeft(start, 100, kNow) == 70);
  CHECK(SecondsLeft(start, 30, kNow) == 0);
  CHECK(SecondsLeft(start, 5, kNow) == 0);
  CHECK(SecondsLeft(start, 0, kNow) == 0);
  CHECK(SecondsLeft(start, -7, kNow) == 0);
  CHECK(SecondsLeft("", 100, kNow) == 0);  // Never started: nothing to wait for.
  CHECK(SecondsLeft("not a time", 100, kNow) == 0);
}

TEST_CASE("huge waits and starts in the future saturate instead of overflowing") {
  const std::string future = kube::FormatTime(kNow + seconds(3600));
  CHECK(SecondsLeft(future, INT64_MAX, kNow) == INT64_MAX);
  CHECK(SecondsLeft(future, 10, kNow) == 10);  // A clock ahead of ours counts as now.
  CHECK(SecondsLeft(kube::FormatTime(kNow), INT64_MAX, kNow) == INT64_MAX);
  CHECK(SecondsLeft("1970-01-01T00:00:00Z", INT64_MAX, kNow) > 0);
}

TEST_CASE("a requeue delay is between one second and an hour whatever the wait") {
  const Clock::Duration max = seconds(kMaxRequeueSeconds);
  for (const int64_t left :
       {INT64_MIN, int64_t{-1}, int64_t{0}, int64_t{1}, int64_t{59}, int64_t{86'400}, INT64_MAX / 1000, INT64_MAX}) {
    INFO("seconds left: " << left);
    const Clock::Duration delay = RequeueDelay(left);
    CHECK(delay >= seconds(1));
    CHECK(delay <= max);
  }
  CHECK(RequeueDelay(59) == seconds(59));
}

}  // namespace
}  // namespace spark_operator::controller
