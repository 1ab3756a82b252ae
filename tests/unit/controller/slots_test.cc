// Slots (controller/slots.h): how many reconciles may wait on one kind of request at once, and which waiter a
// freed slot wakes.
#include "controller/slots.h"

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

namespace spark_operator::controller {
namespace {

TEST_CASE("slots: as many as configured at once, each given back when its holder ends, waiters woken once") {
  std::vector<std::string> woken;
  Slots slots(2, [&woken](const std::string& key) { woken.push_back(key); });
  std::optional<Slots::Slot> first = slots.TryTake("ns/a");
  {
    const std::optional<Slots::Slot> second = slots.TryTake("ns/b");
    CHECK(first.has_value());
    CHECK(second.has_value());
    CHECK_FALSE(slots.TryTake("ns/c").has_value());
    CHECK_FALSE(slots.TryTake("ns/c").has_value());  // Waits once, however often it asks.
    CHECK_FALSE(slots.TryTake("ns/d").has_value());
    CHECK(woken.empty());
  }
  CHECK(woken == std::vector<std::string>{"ns/c"});  // The second's slot freed: the first waiter is woken.
  const std::optional<Slots::Slot> c = slots.TryTake("ns/c");
  CHECK(c.has_value());
  first.reset();
  CHECK(woken == std::vector<std::string>{"ns/c", "ns/d"});
  const std::optional<Slots::Slot> d = slots.TryTake("ns/d");
  CHECK(d.has_value());
  CHECK_FALSE(slots.TryTake("ns/e").has_value());
}

TEST_CASE("slots: a waiter that took a freed slot by itself is not woken for the next one, the waiter after it is") {
  std::vector<std::string> woken;
  Slots slots(1, [&woken](const std::string& key) { woken.push_back(key); });
  std::optional<Slots::Slot> held = slots.TryTake("ns/a");
  CHECK_FALSE(slots.TryTake("ns/b").has_value());
  CHECK_FALSE(slots.TryTake("ns/c").has_value());
  held.reset();
  CHECK(woken == std::vector<std::string>{"ns/b"});
  // c asks again first (its safety-net retry) and gets the slot b was woken for; b waits again behind it.
  std::optional<Slots::Slot> c = slots.TryTake("ns/c");
  CHECK(c.has_value());
  CHECK_FALSE(slots.TryTake("ns/b").has_value());
  c.reset();
  CHECK(woken == std::vector<std::string>{"ns/b", "ns/b"});
}

}  // namespace
}  // namespace spark_operator::controller
