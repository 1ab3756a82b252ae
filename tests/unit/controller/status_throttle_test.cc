// Executor-only status changes wait for the ones that follow them: an app whose five executors appear one after
// another is written once, with all five, instead of once per executor.
#include "controller/status_throttle.h"

#include <catch2/catch.hpp>
#include <chrono>

namespace spark_operator::controller {
namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;
constexpr milliseconds kWait(2000);

struct FakeClock {
  TimePoint now = TimePoint(std::chrono::hours(1));
  StatusThrottle::Clock Get() {
    return [this] { return now; };
  }
};

TEST_CASE("the first executor-only change waits the interval and the write then goes") {
  FakeClock clock;
  StatusThrottle throttle(clock.Get());
  CHECK(throttle.Reserve("ns/app", kWait) == milliseconds(2001));
  clock.now += milliseconds(150);  // The second executor appears.
  CHECK(throttle.Reserve("ns/app", kWait) == milliseconds(1851));
  clock.now += milliseconds(1850);
  CHECK(throttle.Reserve("ns/app", kWait) == milliseconds(0));
  // Until the write is made, the change stays due.
  CHECK(throttle.Reserve("ns/app", kWait) == milliseconds(0));
  // Another app's first change waits its own 2 s.
  CHECK(throttle.Reserve("ns/other", kWait) == milliseconds(2001));
}

TEST_CASE("a status write starts the next executor-only change's wait afresh") {
  FakeClock clock;
  StatusThrottle throttle(clock.Get());
  CHECK(throttle.Reserve("ns/app", kWait) > milliseconds(0));
  clock.now += milliseconds(5000);
  CHECK(throttle.Reserve("ns/app", kWait) == milliseconds(0));
  throttle.Forget("ns/app");  // Written.
  clock.now += milliseconds(10);
  CHECK(throttle.Reserve("ns/app", kWait) == milliseconds(2001));
}

TEST_CASE("a change that may wait longer is held from the same first change, and a shorter wait ends sooner") {
  FakeClock clock;
  StatusThrottle throttle(clock.Get());
  CHECK(throttle.Reserve("ns/app", milliseconds(10000)) == milliseconds(10001));
  clock.now += milliseconds(3000);
  // Held 3 s already: a change that may wait only 2 s goes now, one that may wait 10 s has 7 s left.
  CHECK(throttle.Reserve("ns/app", kWait) == milliseconds(0));
  CHECK(throttle.Reserve("ns/app", milliseconds(10000)) == milliseconds(7001));
}

}  // namespace
}  // namespace spark_operator::controller
