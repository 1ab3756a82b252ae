#include "api/quantity.h"

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace spark_operator::api {
namespace {

constexpr uint64_t kKi = 1024;
constexpr uint64_t kMi = kKi * 1024;
constexpr uint64_t kGi = kMi * 1024;
constexpr uint64_t kTi = kGi * 1024;
constexpr uint64_t kPi = kTi * 1024;
constexpr uint64_t kEi = kPi * 1024;

constexpr std::array<std::pair<std::string_view, uint64_t>, 21> kMemoryUnits{{
    {"k", kKi},
    {"m", kMi},
    {"g", kGi},
    {"t", kTi},
    {"p", kPi},
    {"kb", kKi},
    {"mb", kMi},
    {"gb", kGi},
    {"tb", kTi},
    {"pb", kPi},
    {"Ki", kKi},
    {"Mi", kMi},
    {"Gi", kGi},
    {"Ti", kTi},
    {"Pi", kPi},
    {"Ei", kEi},
    {"M", 1'000'000ULL},
    {"G", 1'000'000'000ULL},
    {"T", 1'000'000'000'000ULL},
    {"P", 1'000'000'000'000'000ULL},
    {"E", 1'000'000'000'000'000'000ULL},
}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "<digits>[.<digits>]" at the front of `text`: the amount as whole + numerator/denominator, and what follows.
struct Decimal {
  unsigned __int128 whole = 0;
  unsigned __int128 numerator = 0;
  unsigned __int128 denominator = 1;
  std::string_view rest;
};

std::optional<Decimal> ParseDecimal(std::string_view text) {
  Decimal d;
  size_t i = 0;
  while (i < text.size() && IsDigit(text[i])) {
    d.whole = d.whole * 10 + static_cast<unsigned>(text[i] - '0');
    if (d.whole > std::numeric_limits<int64_t>::max()) return std::nullopt;
    ++i;
  }
  if (i == 0) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    const size_t start = ++i;
    while (i < text.size() && IsDigit(text[i])) {
      // Digits beyond the 18th cannot change a whole-byte or whole-millicore result by more than rounding.
      if (i - start < 18) {
        d.numerator = d.numerator * 10 + static_cast<unsigned>(text[i] - '0');
        d.denominator *= 10;
      } else if (text[i] != '0') {
        d.numerator = d.numerator * 10 + 1;  // Keep "some remainder" so the result still rounds up.
        d.denominator *= 10;
      }
      ++i;
    }
    if (i == start) return std::nullopt;
  }
  d.rest = text.substr(i);
  return d;
}

// whole * unit + ceil(numerator * unit / denominator), or nullopt past int64.
std::optional<int64_t> Scale(const Decimal& d, uint64_t unit) {
  const unsigned __int128 fraction = (d.numerator * unit + d.denominator - 1) / d.denominator;
  const unsigned __int128 total = d.whole * unit + fraction;
  if (total > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(total);
}

Status BadMemory(std::string_view quantity) {
  return InvalidArgumentError("\"" + std::string(quantity) +
                              "\" is not a memory amount: use a number with a Spark unit (512m, 2g, 2048k) or a "
                              "Kubernetes unit (512Mi, 2Gi, 1G)");
}

}  // namespace

Result<int64_t> ParseMemoryBytes(std::string_view quantity) {
  const std::optional<Decimal> d = ParseDecimal(quantity);
  if (!d) return BadMemory(quantity);
  for (const auto& [suffix, unit] : kMemoryUnits) {
    if (suffix != d->rest) continue;
    const std::optional<int64_t> bytes = Scale(*d, unit);
    if (!bytes) return InvalidArgumentError("\"" + std::string(quantity) + "\" is too large");
    return *bytes;
  }
  return BadMemory(quantity);
}

Result<int64_t> ParseKubernetesMemoryBytes(std::string_view quantity) {
  const std::optional<Decimal> d = ParseDecimal(quantity);
  if (!d || (!d->rest.empty() && d->rest != "k" && d->rest != "m")) return ParseMemoryBytes(quantity);
  const std::optional<int64_t> scaled = Scale(*d, d->rest == "k" ? 1000 : 1);
  if (!scaled) return InvalidArgumentError("\"" + std::string(quantity) + "\" is too large");
  // Rounding the millis up first cannot change the whole bytes rounded up: ceil(ceil(x) / 1000) = ceil(x / 1000).
  return d->rest == "m" ? (*scaled + 999) / 1000 : *scaled;
}

std::string SparkMemoryString(int64_t bytes) {
  constexpr std::array<std::pair<int64_t, char>, 3> kUnits{{{kGi, 'g'}, {kMi, 'm'}, {kKi, 'k'}}};
  for (const auto& [unit, suffix] : kUnits) {
    if (bytes >= unit && bytes % unit == 0) return std::to_string(bytes / unit) + suffix;
  }
  return std::to_string(bytes / kKi + (bytes % kKi != 0 ? 1 : 0)) + "k";
}

Result<std::string> ToSparkMemory(std::string_view quantity) {
  ASSIGN_OR_RETURN(const int64_t bytes, ParseMemoryBytes(quantity));
  return SparkMemoryString(bytes);
}

Result<int64_t> ParseCpuMillis(std::string_view quantity) {
  const std::optional<Decimal> d = ParseDecimal(quantity);
  const bool millis = d && d->rest == "m" && d->denominator == 1;
  if (!d || (!millis && !d->rest.empty())) {
    return InvalidArgumentError("\"" + std::string(quantity) +
                                "\" is not a CPU amount: use cores (2, 0.5) or millicores (1200m)");
  }
  const std::optional<int64_t> result = Scale(*d, millis ? 1 : 1000);
  if (!result) return InvalidArgumentError("\"" + std::string(quantity) + "\" is too large");
  return *result;
}

std::string CpuQuantity(double cores) {
  const auto millis = static_cast<int64_t>(std::ceil(cores * 1000 - 1e-6));
  if (millis % 1000 == 0) return std::to_string(millis / 1000);
  return std::to_string(millis) + "m";
}

int SparkCores(double cores) {
  // The epsilon keeps 2.0000000001 (a YAML float artefact) from becoming 3.
  const int whole = static_cast<int>(std::ceil(cores - 1e-9));
  return whole < 1 ? 1 : whole;
}

}  // namespace spark_operator::api
