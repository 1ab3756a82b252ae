// Memory and CPU amounts as users write them in a SparkApplication, and as Spark and Kubernetes want them.
//
// Memory accepts both dialects, distinguished by suffix:
//   Spark (binary, lower case):   k m g t p, kb mb gb tb pb        512m = 512 MiB, 2048k = 2 MiB
//   Kubernetes binary:            Ki Mi Gi Ti Pi Ei                 2Gi = 2 GiB
//   Kubernetes decimal:           M G T P E                         1G = 10^9 bytes (not 1 GiB as Spark reads it)
// so "m" is always Spark's mebibyte, never Kubernetes' milli. A bare number is rejected: Spark reads it as MiB
// and Kubernetes as bytes, and guessing wrong is a factor of a million.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace spark_operator::api {

// What ParseMemoryBytes accepts (before its range check), for the CRD schema. ECMAScript/RE2 common subset.
inline constexpr char kMemoryPattern[] = "^[0-9]+(\\.[0-9]+)?(k|m|g|t|p|kb|mb|gb|tb|pb|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)$";
// What ParseCpuMillis accepts: cores ("2", "0.5") or millicores ("1200m").
inline constexpr char kCpuPattern[] = "^([0-9]+(\\.[0-9]+)?|[0-9]+m)$";

// Bytes, rounding a fractional amount up to a whole byte. InvalidArgument names the accepted forms.
Result<int64_t> ParseMemoryBytes(std::string_view quantity);
// A memory quantity as Kubernetes reads it in a container's resources or a quota's status: a bare number is
// bytes, "k" is 1000 and "m" is milli (rounded up to a whole byte); every other form as ParseMemoryBytes.
Result<int64_t> ParseKubernetesMemoryBytes(std::string_view quantity);
// The largest whole Spark unit that represents `bytes` exactly ("2g", "512m"), else kibibytes rounded up,
// because JVM size flags take whole numbers. For spark.driver.memory, --executor-memory and friends.
std::string SparkMemoryString(int64_t bytes);
// ParseMemoryBytes then SparkMemoryString: "2Gi" -> "2g", "1G" -> "976563k", "512m" -> "512m".
Result<std::string> ToSparkMemory(std::string_view quantity);

// Millicores, rounding up below a millicore as Kubernetes does.
Result<int64_t> ParseCpuMillis(std::string_view quantity);
// A Kubernetes CPU quantity for `cores`: 2 -> "2", 0.5 -> "500m". For spark.kubernetes.*.request.cores.
std::string CpuQuantity(double cores);
// Whole cores for spark.driver.cores / spark.executor.cores, which Spark parses as an integer: ceil, at least 1.
int SparkCores(double cores);

}  // namespace spark_operator::api
