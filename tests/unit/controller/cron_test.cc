#include "controller/cron.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/kube/time_format.h"
#include "tests/unit/controller/wall_time.h"

namespace spark_operator::controller {
namespace {

using testing::At;

CronSchedule Parse(const std::string& spec, const std::string& zone = "") {
  Result<CronSchedule> s = CronSchedule::Parse(spec, zone);
  if (!s.ok()) FAIL(spec << ": " << s.status().message());
  return *s;
}

// The next `n` times after `from`, as RFC 3339 in UTC.
std::vector<std::string> Times(const std::string& spec, const std::string& from, int n, const std::string& zone = "") {
  const CronSchedule schedule = Parse(spec, zone);
  std::vector<std::string> out;
  WallTime t = At(from);
  for (int i = 0; i < n; ++i) {
    const std::optional<WallTime> next = schedule.Next(t);
    if (!next) break;
    out.push_back(kube::FormatTime(*next));
    t = *next;
  }
  return out;
}

std::string Error(const std::string& spec, const std::string& zone = "") {
  const Result<CronSchedule> s = CronSchedule::Parse(spec, zone);
  return s.ok() ? "" : s.status().message();
}

using V = std::vector<std::string>;

TEST_CASE("cron: values, ranges, steps and lists in each field") {
  CHECK(Times("30 2 * * *", "2024-03-01T00:00:00Z", 2) == V{"2024-03-01T02:30:00Z", "2024-03-02T02:30:00Z"});
  CHECK(Times("*/20 * * * *", "2024-03-01T00:05:00Z", 3) ==
        V{"2024-03-01T00:20:00Z", "2024-03-01T00:40:00Z", "2024-03-01T01:00:00Z"});
  CHECK(Times("0 9-17/4 * * *", "2024-03-01T10:00:00Z", 3) ==
        V{"2024-03-01T13:00:00Z", "2024-03-01T17:00:00Z", "2024-03-02T09:00:00Z"});
  CHECK(Times("15,45 1 * * *", "2024-03-01T00:00:00Z", 3) ==
        V{"2024-03-01T01:15:00Z", "2024-03-01T01:45:00Z", "2024-03-02T01:15:00Z"});
  CHECK(Times("50/5 0 * * *", "2024-03-01T00:00:00Z", 3) ==
        V{"2024-03-01T00:50:00Z", "2024-03-01T00:55:00Z", "2024-03-02T00:50:00Z"});
  CHECK(Times("0 0 1 */3 *", "2024-02-10T00:00:00Z", 2) == V{"2024-04-01T00:00:00Z", "2024-07-01T00:00:00Z"});
  // Strictly after: a time that matches is not its own next time.
  CHECK(Times("0 * * * *", "2024-03-01T05:00:00Z", 1) == V{"2024-03-01T06:00:00Z"});
  CHECK(Times("0 * * * *", "2024-03-01T05:00:00.5Z", 1) == V{"2024-03-01T06:00:00Z"});
}

TEST_CASE("cron: month and weekday names in any case, and 7 is Sunday") {
  // 2024-03-01 is a Friday.
  CHECK(Times("0 8 * * MON-fri", "2024-03-01T09:00:00Z", 2) == V{"2024-03-04T08:00:00Z", "2024-03-05T08:00:00Z"});
  CHECK(Times("0 0 1 jan,Jul *", "2024-03-01T00:00:00Z", 2) == V{"2024-07-01T00:00:00Z", "2025-01-01T00:00:00Z"});
  CHECK(Times("0 0 * * 7", "2024-03-01T00:00:00Z", 1) == V{"2024-03-03T00:00:00Z"});
  CHECK(Times("0 0 * * sun", "2024-03-01T00:00:00Z", 1) == V{"2024-03-03T00:00:00Z"});
}

TEST_CASE("cron: with both day fields restricted a day matches either, with one a star only the other") {
  // The 13th, or any Friday (2024-03-01 is a Friday): Vixie cron's and robfig's OR rule.
  CHECK(Times("0 0 13 * fri", "2024-03-01T00:00:00Z", 4) ==
        V{"2024-03-08T00:00:00Z", "2024-03-13T00:00:00Z", "2024-03-15T00:00:00Z", "2024-03-22T00:00:00Z"});
  CHECK(Times("0 0 13 * *", "2024-03-01T00:00:00Z", 1) == V{"2024-03-13T00:00:00Z"});
  CHECK(Times("0 0 ? * fri", "2024-03-02T00:00:00Z", 1) == V{"2024-03-08T00:00:00Z"});
  // A stepped star restricts the field (robfig): the first of the month or a Monday.
  CHECK(Times("0 0 */40 * mon", "2024-03-01T00:00:00Z", 2) == V{"2024-03-04T00:00:00Z", "2024-03-11T00:00:00Z"});
}

TEST_CASE("cron: descriptors and @every") {
  CHECK(Times("@hourly", "2024-03-01T00:30:00Z", 1) == V{"2024-03-01T01:00:00Z"});
  CHECK(Times("@daily", "2024-03-01T00:30:00Z", 1) == V{"2024-03-02T00:00:00Z"});
  CHECK(Times("@midnight", "2024-03-01T00:30:00Z", 1) == V{"2024-03-02T00:00:00Z"});
  CHECK(Times("@weekly", "2024-03-01T00:30:00Z", 1) == V{"2024-03-03T00:00:00Z"});
  CHECK(Times("@monthly", "2024-03-01T00:30:00Z", 1) == V{"2024-04-01T00:00:00Z"});
  CHECK(Times("@yearly", "2024-03-01T00:30:00Z", 1) == V{"2025-01-01T00:00:00Z"});
  CHECK(Times("@annually", "2024-03-01T00:30:00Z", 1) == V{"2025-01-01T00:00:00Z"});
  CHECK(Times("@every 1h30m", "2024-03-01T00:00:10.7Z", 2) == V{"2024-03-01T01:30:10Z", "2024-03-01T03:00:10Z"});
  CHECK(Times("@every 1.5s", "2024-03-01T00:00:00Z", 2) == V{"2024-03-01T00:00:01Z", "2024-03-01T00:00:02Z"});
  // The zone does not move an interval.
  CHECK(Times("@every 24h", "2024-03-30T12:00:00Z", 2, "Europe/Berlin") ==
        V{"2024-03-31T12:00:00Z", "2024-04-01T12:00:00Z"});
}

TEST_CASE("cron: fields are local times in the time zone") {
  CHECK(Times("30 2 * * *", "2024-01-10T00:00:00Z", 1, "Europe/Berlin") == V{"2024-01-10T01:30:00Z"});
  CHECK(Times("0 9 * * *", "2024-07-01T00:00:00Z", 1, "America/New_York") == V{"2024-07-01T13:00:00Z"});
  CHECK(Times("0 9 * * *", "2024-07-01T00:00:00Z", 1, "Asia/Kolkata") == V{"2024-07-01T03:30:00Z"});
  CHECK(Times("0 0 * * *", "2024-07-01T00:00:00Z", 1, "UTC") == V{"2024-07-02T00:00:00Z"});
}

TEST_CASE("cron: a local time the clocks skip runs once when the gap ends") {
  // Europe/Berlin springs from 02:00 CET to 03:00 CEST on 2024-03-31 (01:00Z).
  CHECK(Times("30 2 * * *", "2024-03-30T12:00:00Z", 3, "Europe/Berlin") ==
        V{"2024-03-31T01:00:00Z", "2024-04-01T00:30:00Z", "2024-04-02T00:30:00Z"});
  // Four matching times fall in the gap: one run, at its end.
  CHECK(Times("*/15 2 * * *", "2024-03-31T00:50:00Z", 2, "Europe/Berlin") ==
        V{"2024-03-31T01:00:00Z", "2024-04-01T00:00:00Z"});
  CHECK(Times("0 * * * *", "2024-03-31T00:30:00Z", 2, "Europe/Berlin") ==
        V{"2024-03-31T01:00:00Z", "2024-03-31T02:00:00Z"});
}

TEST_CASE("cron: a local time the clocks repeat runs at its first occurrence only") {
  // Europe/Berlin falls back from 03:00 CEST to 02:00 CET on 2024-10-27 (01:00Z): 02:30 happens at 00:30Z and 01:30Z.
  CHECK(Times("30 2 * * *", "2024-10-26T12:00:00Z", 2, "Europe/Berlin") ==
        V{"2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z"});
  // Hourly: each local hour once, so the repeated 02:00 runs once.
  CHECK(Times("0 * * * *", "2024-10-26T23:30:00Z", 3, "Europe/Berlin") ==
        V{"2024-10-27T00:00:00Z", "2024-10-27T02:00:00Z", "2024-10-27T03:00:00Z"});
  // From inside the repeated hour: its second 02:30 is not run again.
  CHECK(Times("30 2 * * *", "2024-10-27T01:10:00Z", 1, "Europe/Berlin") == V{"2024-10-28T01:30:00Z"});
}

TEST_CASE("cron: a date that never comes has no next time, a rare one is found") {
  CHECK(Times("0 0 30 2 *", "2024-01-01T00:00:00Z", 1).empty());
  CHECK(Times("0 0 29 2 *", "2024-03-01T00:00:00Z", 1) == V{"2028-02-29T00:00:00Z"});
}

TEST_CASE("cron: invalid schedules are refused with the field and the reason") {
  CHECK(Error("") == "the schedule is empty");
  CHECK(Error("* * * *") ==
        "expected five fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily or "
        "@every 1h, got 4 in \"* * * *\"");
  CHECK(Error("0 0 0 * * *").find("got 6") != std::string::npos);
  CHECK(Error("61 * * * *") == "minute field \"61\": 61 is out of range 0-59");
  CHECK(Error("0 24 * * *") == "hour field \"24\": 24 is out of range 0-23");
  CHECK(Error("0 0 0 * *") == "day-of-month field \"0\": 0 is out of range 1-31");
  CHECK(Error("0 0 * 13 *") == "month field \"13\": 13 is out of range 1-12");
  CHECK(Error("0 0 * * 8") == "day-of-week field \"8\": 8 is out of range 0-7");
  CHECK(Error("0 0 * foo *") == "month field \"foo\": \"foo\" is neither a number nor a name (jan-dec)");
  CHECK(Error("x * * * *") == "minute field \"x\": \"x\" is not a number");
  CHECK(Error("5-1 * * * *") == "minute field \"5-1\": range \"5-1\" starts after it ends");
  CHECK(Error("*/0 * * * *") == "minute field \"*/0\": step 0 in \"*/0\" must be at least 1");
  CHECK(Error("1,,2 * * * *") == "minute field \"1,,2\": \"\" is not a number");
  CHECK(Error("? * * * *") == "minute field \"?\": \"?\" is not a number");
  CHECK(Error("@fortnightly").find("unknown descriptor \"@fortnightly\"") == 0);
  CHECK(Error("@every") == "@every: invalid duration \"\": empty");
  CHECK(Error("@every 10") == "@every: invalid duration \"10\": missing unit (ns, us, ms, s, m, h)");
  CHECK(Error("@every 1d") == "@every: invalid duration \"1d\": unknown unit \"d\" (ns, us, ms, s, m, h)");
  CHECK(Error("@every 500ms") == "@every 500ms: must be at least 1s");
  CHECK(Error("@every -1h") == "@every: invalid duration \"-1h\": must be positive");
  CHECK(Error("CRON_TZ=Europe/Berlin 0 0 * * *") ==
        "a time zone in the schedule (\"CRON_TZ=Europe/Berlin\") is not supported: set spec.timeZone instead");
  CHECK(Error("0 0 * * *", "Mars/Olympus") ==
        "unknown time zone \"Mars/Olympus\"; expected an IANA name such as Europe/Berlin or America/New_York");
  CHECK(Error("0 0 * * *", "../../etc/passwd").find("is not an IANA name") != std::string::npos);
}

TEST_CASE("Go durations parse as Go's time.ParseDuration does") {
  CHECK(*ParseGoDuration("1h30m") == std::chrono::minutes(90));
  CHECK(*ParseGoDuration("1.5h") == std::chrono::minutes(90));
  CHECK(*ParseGoDuration("90s") == std::chrono::seconds(90));
  CHECK(*ParseGoDuration("2m3.5s") == std::chrono::milliseconds(123'500));
  CHECK(*ParseGoDuration("250ms") == std::chrono::milliseconds(250));
  CHECK(*ParseGoDuration("7us") == std::chrono::microseconds(7));
  CHECK(*ParseGoDuration("+3ns") == std::chrono::nanoseconds(3));
  CHECK_FALSE(ParseGoDuration("0").ok());
  CHECK_FALSE(ParseGoDuration("h").ok());
  CHECK_FALSE(ParseGoDuration("1x").ok());
  CHECK_FALSE(ParseGoDuration("100000000h").ok());
}

}  // namespace
}  // namespace spark_operator::controller
