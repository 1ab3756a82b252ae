// Executor-only status changes wait for the ones that follow them: an app whose five executors appear one after
// another is written once, with all five, instead of once per executor.
#include "controller/status_throttle.h"

#include <catch2/catch.hpp>
#include <chrono>

namespace spark_operator::controller {
namespace {

using std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;

struct FakeClock {
  TimePoint now = TimePoint(std::chrono::hours(1));
  StatusThrottle::Clock Get() {
    return [this] { return now; };
  }
};

TEST_CASE("the first executor-only change waits the interval and the write then goes") {
  FakeClock clock;
  StatusThrottle throttle(milliseconds(2000), clock.Get());
  CHECK(throttle.Reserve("ns/app") == milliseconds(2001));
  clock.now += milliseconds(150);  // The second executor appears.
  CHECK(throttle.Reserve("ns/app") == milliseconds(1851));
  clock.now += milliseconds(1850);
  CHECK(throttle.Reserve("ns/app") == milliseconds(0));
  // Until the write is made, the change stays due.
  CHECK(throttle.Reserve("ns/app") == milliseconds(0));
  // Another app's first change waits its own 2 s.
  CHECK(throttle.Reserve("ns/other") == milliseconds(2001));
}

TEST_CASE("a status write starts the next executor-only change's wait afresh") {
  FakeClock clock;
  StatusThrottle throttle(milliseconds(2000), clock.Get());
  CHECK(throttle.Reserve("ns/app") > milliseconds(0));
  clock.now += milliseconds(5000);
  CHECK(throttle.Reserve("ns/app") == milliseconds(0));
  throttle.Forget("ns/app");  // Written.
  clock.now += milliseconds(10);
  CHECK(throttle.Reserve("ns/app") == milliseconds(2001));
}

}  // namespace
}  // namespace spark_operator::controller
