#include "common/kube/time_format.h"

#include <cstdio>
#include <ctime>

namespace spark_operator::kube {
namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::seconds;

// Splits into whole seconds since the epoch and the microseconds within it, rounding toward the past so that
// times before 1970 format correctly too.
void Split(WallTime time, std::time_t& secs, long& micros) {
  const auto since_epoch = duration_cast<microseconds>(time.time_since_epoch());
  auto whole = duration_cast<seconds>(since_epoch);
  if (whole > since_epoch) whole -= seconds(1);
  secs = static_cast<std::time_t>(whole.count());
  micros = static_cast<long>((since_epoch - whole).count());
}

std::string FormatSeconds(std::time_t secs) {
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

bool Digits(std::string_view text, size_t pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::string FormatTime(WallTime time) {
  std::time_t secs;
  long micros;
  Split(time, secs, micros);
  return FormatSeconds(secs) + "Z";
}

std::string FormatMicroTime(WallTime time) {
  std::time_t secs;
  long micros;
  Split(time, secs, micros);
  char frac[32];
  std::snprintf(frac, sizeof(frac), ".%06ldZ", micros);
  return FormatSeconds(secs) + frac;
}

Result<WallTime> ParseTime(std::string_view text) {
  const auto invalid = [&] { return InvalidArgumentError("not an RFC 3339 time: \"" + std::string(text) + "\""); };
  std::tm tm{};
  int year, month, day, hour, minute, second;
  if (!Digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' || !Digits(text, 5, 2, month) || text[7] != '-' ||
      !Digits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't') || !Digits(text, 11, 2, hour) ||
      text[13] != ':' || !Digits(text, 14, 2, minute) || text[16] != ':' || !Digits(text, 17, 2, second)) {
    return invalid();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return invalid();
  size_t pos = 19;
  long micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return invalid();
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  long offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!Digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !Digits(text, pos + 4, 2, om)) {
      return invalid();
    }
    offset_seconds = (oh * 3600L + om * 60L) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return invalid();
  }
  if (pos != text.size()) return invalid();
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t secs = timegm(&tm) - offset_seconds;
  return WallTime(duration_cast<WallTime::duration>(seconds(secs) + microseconds(micros)));
}

}  // namespace spark_operator::kube
