// The schedule of a ScheduledSparkApplication: parsing spec.schedule in spec.timeZone, and the next time it
// fires. Pure: no clock, no API server. The syntax is robfig/cron's standard parser (what kubeflow's operator and
// Kubernetes' CronJob use), so schedules carry over:
//   - five fields: minute hour day-of-month month day-of-week, each `*`, `?` (day fields), a value, a range
//     `a-b`, a step `*/s`, `a-b/s` or `a/s` (a to the field's end), or a comma list of those; months `jan`-`dec`
//     and weekdays `sun`-`sat` by name (any case), weekday 7 is Sunday too;
//   - with both day fields restricted (neither is `*` or `?`), a day matches when either does (Vixie cron's and
//     robfig's OR rule); with one of them `*`, the other alone decides;
//   - `@yearly`/`@annually`, `@monthly`, `@weekly`, `@daily`/`@midnight`, `@hourly`;
//   - `@every <Go duration>` (`90s`, `1h30m`, `1.5h`): every so long from when the schedule took effect, whole
//     seconds, at least one second; the time zone does not matter to it.
//
// Time zones (IANA names from the OS's /usr/share/zoneinfo, through Howard Hinnant's date/tz): the five fields
// are read as local times in the zone. Around daylight-saving changes each local time that matches runs once:
//   - a local time skipped by the clocks going forward (02:30 on the spring day in Europe/Berlin) runs at the
//     end of the gap (03:00 local), once however many matching times the gap swallowed;
//   - a local time that happens twice when the clocks go back runs at its first occurrence only, so a daily
//     01:30 job does not run twice (and an hourly job runs once for the repeated hour).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace date {
class time_zone;
}  // namespace date

namespace spark_operator::controller {

using WallTime = std::chrono::system_clock::time_point;

class CronSchedule {
 public:
  // `spec` as above; `time_zone` an IANA name, empty meaning UTC. An error says what is wrong and where, e.g.
  // `minute field "61": 61 is out of range 0-59`.
  static Result<CronSchedule> Parse(std::string_view spec, std::string_view time_zone);

  // The first time the schedule fires strictly after `after`, in whole seconds; nullopt when it never does in
  // the five years after `after` ("0 0 30 2 *").
  std::optional<WallTime> Next(WallTime after) const;

 private:
  CronSchedule() = default;
  bool DayMatches(int day_of_month, int weekday) const;

  // Bit i set: value i matches.
  uint64_t minutes_ = 0;
  uint64_t hours_ = 0;
  uint64_t days_of_month_ = 0;
  uint64_t months_ = 0;
  uint64_t weekdays_ = 0;
  bool dom_star_ = false;
  bool dow_star_ = false;
  std::chrono::seconds every_{0};  // Non-zero: an @every schedule, the fields unused.
  const date::time_zone* zone_ = nullptr;
};

// Go's time.ParseDuration ("1h30m", "1.5h", "90s", "500ms"; units ns, us, µs, ms, s, m, h), positive only.
Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text);

}  // namespace spark_operator::controller
