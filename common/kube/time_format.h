// The two timestamp formats of the Kubernetes API: metav1.Time (RFC 3339 to the second, as an Event's
// firstTimestamp) and metav1.MicroTime (to the microsecond, as a Lease's renewTime). Always UTC, "Z".
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace spark_operator::kube {

using WallTime = std::chrono::system_clock::time_point;

// "2006-01-02T15:04:05Z"
std::string FormatTime(WallTime time);
// "2006-01-02T15:04:05.000000Z"
std::string FormatMicroTime(WallTime time);
// Reads either format, with any number of fractional digits and a "Z" or "+hh:mm" offset, as the API server
// writes and accepts them.
Result<WallTime> ParseTime(std::string_view text);

}  // namespace spark_operator::kube
