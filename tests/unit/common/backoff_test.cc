#include "common/base/backoff.h"

#include <catch2/catch.hpp>
#include <chrono>

namespace spark_operator {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("ItemExponentialBackoff doubles each failure and caps at max", "[backoff]") {
  ItemExponentialBackoff backoff(milliseconds(5), milliseconds(100));
  CHECK(backoff.When("ns/a") == milliseconds(5));
  CHECK(backoff.When("ns/a") == milliseconds(10));
  CHECK(backoff.When("ns/a") == milliseconds(20));
  CHECK(backoff.When("ns/a") == milliseconds(40));
  CHECK(backoff.When("ns/a") == milliseconds(80));
  CHECK(backoff.When("ns/a") == milliseconds(100));
  CHECK(backoff.When("ns/a") == milliseconds(100));
  CHECK(backoff.NumRequeues("ns/a") == 7);
}

TEST_CASE("ItemExponentialBackoff saturates instead of overflowing on long failure streaks", "[backoff]") {
  ItemExponentialBackoff backoff;  // 5ms .. 1000s, client-go's defaults.
  for (int i = 0; i < 200; ++i) backoff.When("ns/a");
  CHECK(backoff.When("ns/a") == seconds(1000));
}

TEST_CASE("ItemExponentialBackoff Forget resets one key only", "[backoff]") {
  ItemExponentialBackoff backoff(milliseconds(1), seconds(1));
  backoff.When("ns/a");
  backoff.When("ns/a");
  backoff.When("ns/b");
  backoff.Forget("ns/a");
  CHECK(backoff.NumRequeues("ns/a") == 0);
  CHECK(backoff.When("ns/a") == milliseconds(1));
  CHECK(backoff.NumRequeues("ns/b") == 1);
  CHECK(backoff.When("ns/b") == milliseconds(2));
  CHECK(backoff.NumRequeues("ns/never") == 0);
}

TEST_CASE("ExponentialBackoff grows by its factor, caps, and Reset starts over", "[backoff]") {
  ExponentialBackoff backoff(milliseconds(100), 3.0, seconds(1));
  CHECK(backoff.Next() == milliseconds(100));
  CHECK(backoff.Next() == milliseconds(300));
  CHECK(backoff.Next() == milliseconds(900));
  CHECK(backoff.Next() == seconds(1));
  CHECK(backoff.Next() == seconds(1));
  CHECK(backoff.attempts() == 5);
  backoff.Reset();
  CHECK(backoff.attempts() == 0);
  CHECK(backoff.Next() == milliseconds(100));
}

TEST_CASE("ExponentialBackoff jitter adds at most jitter times the delay, also at the cap", "[backoff]") {
  ExponentialBackoff backoff(milliseconds(100), 2.0, milliseconds(400), 0.5);
  const milliseconds expected[] = {milliseconds(100), milliseconds(200), milliseconds(400), milliseconds(400),
                                   milliseconds(400)};
  for (const milliseconds base : expected) {
    const auto delay = backoff.Next();
    CHECK(delay >= base);
    CHECK(delay <= base + base / 2);
  }
}

}  // namespace
}  // namespace spark_operator
