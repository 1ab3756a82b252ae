#include "api/quantity.h"

#include <catch2/catch.hpp>
#include <regex>
#include <string>

namespace spark_operator::api {
namespace {

constexpr int64_t kKi = 1024;
constexpr int64_t kMi = kKi * 1024;
constexpr int64_t kGi = kMi * 1024;

TEST_CASE("memory quantities in Spark and Kubernetes forms parse to bytes") {
  const auto [text, bytes] = GENERATE(table<const char*, int64_t>({
      {"512m", 512 * kMi},
      {"1g", kGi},
      {"2048k", 2 * kMi},
      {"2t", 2048 * kGi},
      {"1p", 1024 * 1024 * kGi},
      {"512mb", 512 * kMi},
      {"3gb", 3 * kGi},
      {"2Gi", 2 * kGi},
      {"500Mi", 500 * kMi},
      {"64Ki", 64 * kKi},
      {"1Ei", kGi * kGi},
      {"1G", 1'000'000'000},
      {"500M", 500'000'000},
      {"1.5Gi", 3 * kGi / 2},
      {"0.5g", kGi / 2},
      {"1.0001k", 1025},  // A fraction of a byte rounds up.
      {"0m", 0},
  }));
  CAPTURE(text);
  const Result<int64_t> parsed = ParseMemoryBytes(text);
  REQUIRE(parsed.ok());
  CHECK(*parsed == bytes);
}

TEST_CASE("memory quantities that are ambiguous or malformed are rejected with the accepted forms") {
  const char* text = GENERATE("", "1024", "1.5", "m", "1 g", "1K", "1GB", "1mi", "-1g", "1e3m", "1.g", ".5g", "1gib",
                              "9999999999999999999g", "10000000000000000Ei");
  CAPTURE(text);
  const Result<int64_t> parsed = ParseMemoryBytes(text);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a bare number is rejected because Spark and Kubernetes read it differently") {
  const Result<int64_t> parsed = ParseMemoryBytes("1024");
  REQUIRE_FALSE(parsed.ok());
  CHECK_THAT(parsed.status().message(), Catch::Contains("512m") && Catch::Contains("2Gi"));
}

TEST_CASE("a memory quantity from a container's resources reads as Kubernetes reads it") {
  CHECK(ParseKubernetesMemoryBytes("1073741824").value() == kGi);
  CHECK(ParseKubernetesMemoryBytes("1.5").value() == 2);
  CHECK(ParseKubernetesMemoryBytes("64k").value() == 64'000);
  CHECK(ParseKubernetesMemoryBytes("1500m").value() == 2);  // Milli: 1.5 bytes, a whole 2.
  CHECK(ParseKubernetesMemoryBytes("256Mi").value() == 256 * kMi);
  CHECK(ParseKubernetesMemoryBytes("1G").value() == 1'000'000'000);
  CHECK_FALSE(ParseKubernetesMemoryBytes("1 g").ok());
  CHECK_FALSE(ParseKubernetesMemoryBytes("99999999999999999999").ok());
}

TEST_CASE("the memory pattern published in the CRD accepts exactly what ParseMemoryBytes accepts") {
  const std::regex pattern(kMemoryPattern);
  const char* text = GENERATE("512m", "1g", "2048k", "2Gi", "500Mi", "1G", "1.5Gi", "1024", "1K", "1GB", "1 g", "m",
                              ".5g", "1.g", "7pb", "3E");
  CAPTURE(text);
  CHECK(std::regex_match(text, pattern) == ParseMemoryBytes(text).ok());
}

TEST_CASE("memory renders as the largest exact Spark unit for --driver-memory") {
  CHECK(SparkMemoryString(2 * kGi) == "2g");
  CHECK(SparkMemoryString(512 * kMi) == "512m");
  CHECK(SparkMemoryString(1536 * kMi) == "1536m");
  CHECK(SparkMemoryString(3 * kKi) == "3k");
  CHECK(SparkMemoryString(1) == "1k");  // Rounded up: the JVM takes whole units.
  CHECK(*ToSparkMemory("2Gi") == "2g");
  CHECK(*ToSparkMemory("512m") == "512m");
  CHECK(*ToSparkMemory("1G") == "976563k");
  CHECK_FALSE(ToSparkMemory("lots").ok());
}

TEST_CASE("CPU quantities parse to millicores") {
  CHECK(*ParseCpuMillis("1200m") == 1200);
  CHECK(*ParseCpuMillis("2") == 2000);
  CHECK(*ParseCpuMillis("0.5") == 500);
  CHECK(*ParseCpuMillis("0.0001") == 1);  // Below a millicore rounds up, as in Kubernetes.
  for (const char* bad : {"", "1.5m", "1k", "m", "-1", "1 m", "2 cores"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseCpuMillis(bad).ok());
    CHECK_FALSE(std::regex_match(bad, std::regex(kCpuPattern)));
  }
  for (const char* good : {"1200m", "2", "0.5"}) CHECK(std::regex_match(good, std::regex(kCpuPattern)));
}

TEST_CASE("cores become a Kubernetes CPU request and whole Spark cores") {
  CHECK(CpuQuantity(0.1) == "100m");
  CHECK(CpuQuantity(0.5) == "500m");
  CHECK(CpuQuantity(1) == "1");
  CHECK(CpuQuantity(2.5) == "2500m");
  CHECK(SparkCores(0.1) == 1);
  CHECK(SparkCores(1) == 1);
  CHECK(SparkCores(1.5) == 2);
  CHECK(SparkCores(4) == 4);
}

}  // namespace
}  // namespace spark_operator::api
