#include "controller/cron.h"

#include <date/tz.h>

#include <array>
#include <cctype>
#include <exception>
#include <limits>
#include <vector>

namespace spark_operator::controller {
namespace {

constexpr std::array<std::string_view, 12> kMonthNames{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdayNames{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec {
  const char* name;
  int min;
  int max;                                  // The range `*` covers.
  int max_value;                            // The largest value accepted: 7 for weekdays (Sunday again), else max.
  bool day;                                 // `?` is allowed, as `*`.
  const std::string_view* names = nullptr;  // names[i] is the value min + i.
  size_t name_count = 0;
};

constexpr FieldSpec kMinute{"minute", 0, 59, 59, false};
constexpr FieldSpec kHour{"hour", 0, 23, 23, false};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, 31, true};
constexpr FieldSpec kMonth{"month", 1, 12, 12, false, kMonthNames.data(), kMonthNames.size()};
constexpr FieldSpec kWeekday{"day-of-week", 0, 6, 7, true, kWeekdayNames.data(), kWeekdayNames.size()};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char by) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == by) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

Result<int> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 4) return InvalidArgumentError("\"" + std::string(text) + "\" is not a number");
  int value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return InvalidArgumentError("\"" + std::string(text) + "\" is not a number");
    value = value * 10 + (c - '0');
  }
  return value;
}

Result<int> ParseValue(std::string_view text, const FieldSpec& f) {
  if (f.names != nullptr) {
    const std::string lower = Lower(text);
    for (size_t i = 0; i < f.name_count; ++i) {
      if (f.names[i] == lower) return f.min + static_cast<int>(i);
    }
  }
  Result<int> value = ParseNumber(text);
  if (!value.ok() && f.names != nullptr) {
    return InvalidArgumentError("\"" + std::string(text) + "\" is neither a number nor a name (" +
                                std::string(f.names[0]) + "-" + std::string(f.names[f.name_count - 1]) + ")");
  }
  if (value.ok() && (*value < f.min || *value > f.max_value)) {
    return InvalidArgumentError(std::to_string(*value) + " is out of range " + std::to_string(f.min) + "-" +
                                std::to_string(f.max_value));
  }
  return value;
}

// One element of a comma list: `*`, `?`, `a`, `a-b`, each optionally `/step`.
Status ParseElement(std::string_view text, const FieldSpec& f, uint64_t& bits, bool& star) {
  const std::vector<std::string_view> range_step = Split(text, '/');
  if (range_step.size() > 2) return InvalidArgumentError("\"" + std::string(text) + "\" has more than one /");
  const std::string_view range = range_step[0];
  int step = 1;
  if (range_step.size() == 2) {
    ASSIGN_OR_RETURN(step, ParseNumber(range_step[1]));
    if (step == 0) return InvalidArgumentError("step 0 in \"" + std::string(text) + "\" must be at least 1");
  }
  int lo = 0;
  int hi = 0;
  bool is_star = false;
  if (range == "*" || (range == "?" && f.day)) {
    lo = f.min;
    hi = f.max;
    is_star = step == 1;  // robfig: `*/2` restricts the field (it takes part in the day-of-month/week OR rule).
  } else if (const size_t dash = range.find('-'); dash != std::string_view::npos) {
    ASSIGN_OR_RETURN(lo, ParseValue(range.substr(0, dash), f));
    ASSIGN_OR_RETURN(hi, ParseValue(range.substr(dash + 1), f));
    if (lo > hi) return InvalidArgumentError("range \"" + std::string(range) + "\" starts after it ends");
  } else {
    ASSIGN_OR_RETURN(lo, ParseValue(range, f));
    hi = range_step.size() == 2 ? f.max : lo;  // `a/s`: from a to the end of the field.
  }
  for (int v = lo; v <= hi; v += step) bits |= uint64_t{1} << (v == 7 && f.max == 6 ? 0 : v);
  star = star || is_star;
  return OkStatus();
}

Status ParseField(std::string_view text, const FieldSpec& f, uint64_t& bits, bool& star) {
  for (const std::string_view element : Split(text, ',')) {
    if (const Status s = ParseElement(element, f, bits, star); !s.ok()) {
      return InvalidArgumentError(std::string(f.name) + " field \"" + std::string(text) + "\": " + s.message());
    }
  }
  return OkStatus();
}

// robfig's descriptors, as the five fields they stand for.
std::optional<std::string_view> Descriptor(std::string_view name) {
  if (name == "@yearly" || name == "@annually") return "0 0 1 1 *";
  if (name == "@monthly") return "0 0 1 * *";
  if (name == "@weekly") return "0 0 * * 0";
  if (name == "@daily" || name == "@midnight") return "0 0 * * *";
  if (name == "@hourly") return "0 * * * *";
  return std::nullopt;
}

Result<const date::time_zone*> LocateZone(std::string_view name) {
  const std::string zone = name.empty() ? "UTC" : std::string(name);
  // The OS database only knows the files it found under /usr/share/zoneinfo; refuse paths before asking it.
  for (const char c : zone) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '_' && c != '-' && c != '+') {
      return InvalidArgumentError("time zone \"" + zone + "\" is not an IANA name such as Europe/Berlin");
    }
  }
  try {
    return date::locate_zone(zone);
  } catch (const std::exception& e) {
    return InvalidArgumentError("unknown time zone \"" + zone +
                                "\"; expected an IANA name such as Europe/Berlin or America/New_York");
  }
}

}  // namespace

Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text) {
  const auto invalid = [&](const std::string& why) {
    return InvalidArgumentError("invalid duration \"" + std::string(text) + "\": " + why);
  };
  std::string_view s = text;
  if (s.empty()) return invalid("empty");
  if (s.front() == '-') return invalid("must be positive");
  if (s.front() == '+') s.remove_prefix(1);
  long double total = 0;
  while (!s.empty()) {
    size_t i = 0;
    long double value = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') value = value * 10 + (s[i++] - '0'), digits = true;
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') value += (s[i++] - '0') * scale, scale /= 10, digits = true;
    }
    if (!digits) return invalid("expected a number followed by a unit (ns, us, ms, s, m, h), e.g. 1h30m");
    size_t unit_end = i;
    while (unit_end < s.size() && !(s[unit_end] >= '0' && s[unit_end] <= '9') && s[unit_end] != '.') ++unit_end;
    const std::string_view unit = s.substr(i, unit_end - i);
    long double ns = 0;
    if (unit == "ns") {
      ns = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      ns = 1e3L;
    } else if (unit == "ms") {
      ns = 1e6L;
    } else if (unit == "s") {
      ns = 1e9L;
    } else if (unit == "m") {
      ns = 60e9L;
    } else if (unit == "h") {
      ns = 3600e9L;
    } else {
      return invalid(unit.empty() ? "missing unit (ns, us, ms, s, m, h)"
                                  : "unknown unit \"" + std::string(unit) + "\" (ns, us, ms, s, m, h)");
    }
    total += value * ns;
    if (total > static_cast<long double>(std::numeric_limits<int64_t>::max())) return invalid("too long");
    s.remove_prefix(unit_end);
  }
  if (total <= 0) return invalid("must be positive");
  return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

Result<CronSchedule> CronSchedule::Parse(std::string_view spec, std::string_view time_zone) {
  CronSchedule schedule;
  ASSIGN_OR_RETURN(schedule.zone_, LocateZone(time_zone));
  std::string_view text = Trim(spec);
  if (text.empty()) return InvalidArgumentError("the schedule is empty");
  if (text.rfind("CRON_TZ=", 0) == 0 || text.rfind("TZ=", 0) == 0) {
    return InvalidArgumentError("a time zone in the schedule (\"" + std::string(text.substr(0, text.find(' '))) +
                                "\") is not supported: set spec.timeZone instead");
  }
  if (text.front() == '@') {
    const std::string lower = Lower(text);
    if (lower.rfind("@every", 0) == 0) {
      const std::string_view duration = Trim(text.substr(6));
      Result<std::chrono::nanoseconds> every = ParseGoDuration(duration);
      if (!every.ok()) return InvalidArgumentError("@every: " + every.status().message());
      schedule.every_ = std::chrono::floor<std::chrono::seconds>(*every);
      if (schedule.every_ < std::chrono::seconds(1)) {
        return InvalidArgumentError("@every " + std::string(duration) + ": must be at least 1s");
      }
      return schedule;
    }
    const std::optional<std::string_view> fields = Descriptor(lower);
    if (!fields) {
      return InvalidArgumentError("unknown descriptor \"" + std::string(text) +
                                  "\"; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or "
                                  "@every <duration>");
    }
    text = *fields;
  }
  std::vector<std::string_view> fields;
  for (size_t i = 0; i < text.size();) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  if (fields.size() != 5) {
    return InvalidArgumentError(
        "expected five fields (minute hour day-of-month month day-of-week) or a "
        "descriptor such as @daily or @every 1h, got " +
        std::to_string(fields.size()) + " in \"" + std::string(text) + "\"");
  }
  bool unused_star = false;
  RETURN_IF_ERROR(ParseField(fields[0], kMinute, schedule.minutes_, unused_star));
  RETURN_IF_ERROR(ParseField(fields[1], kHour, schedule.hours_, unused_star));
  RETURN_IF_ERROR(ParseField(fields[2], kDayOfMonth, schedule.days_of_month_, schedule.dom_star_));
  RETURN_IF_ERROR(ParseField(fields[3], kMonth, schedule.months_, unused_star));
  RETURN_IF_ERROR(ParseField(fields[4], kWeekday, schedule.weekdays_, schedule.dow_star_));
  return schedule;
}

bool CronSchedule::DayMatches(int day_of_month, int weekday) const {
  const bool dom = (days_of_month_ >> day_of_month) & 1;
  const bool dow = (weekdays_ >> weekday) & 1;
  if (dom_star_ || dow_star_) return dom && dow;
  return dom || dow;
}

std::optional<WallTime> CronSchedule::Next(WallTime after) const {
  using std::chrono::days;
  using std::chrono::floor;
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  if (every_.count() > 0) return floor<seconds>(after) + every_;

  // Walk local civil time a month, day, hour or minute at a time, as robfig does, then map the matching local
  // time to an instant by the rules in cron.h.
  date::local_seconds t = zone_->to_local(floor<seconds>(after));
  t = floor<minutes>(t) + minutes(1);
  const date::local_seconds limit = t + days(5 * 366 + 1);
  while (t < limit) {
    const date::local_days day = floor<days>(t);
    const date::year_month_day ymd(day);
    if (!((months_ >> static_cast<unsigned>(ymd.month())) & 1)) {
      date::year_month next = ymd.year() / ymd.month();
      next += date::months(1);
      t = date::local_days(next / 1);
      continue;
    }
    if (!DayMatches(static_cast<int>(static_cast<unsigned>(ymd.day())),
                    static_cast<int>(date::weekday(day).c_encoding()))) {
      t = day + days(1);
      continue;
    }
    const hours hour = floor<hours>(t - day);
    if (!((hours_ >> hour.count()) & 1)) {
      t = day + hour + hours(1);
      continue;
    }
    const minutes minute = floor<minutes>(t - day - hour);
    if (!((minutes_ >> minute.count()) & 1)) {
      t += minutes(1);
      continue;
    }
    const date::local_info info = zone_->get_info(t);
    const date::sys_seconds as_utc{t.time_since_epoch()};
    // Nonexistent: `first` ends where the gap begins, the transition instant. Ambiguous: `first` is the earlier.
    const date::sys_seconds at =
        info.result == date::local_info::nonexistent ? info.first.end : as_utc - info.first.offset;
    if (at > after) return WallTime(at);
    t += minutes(1);
  }
  return std::nullopt;
}

}  // namespace spark_operator::controller
