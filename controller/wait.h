// The reconciler's waits (retry intervals, timeToLiveSeconds, the driver's startup grace) as saturating
// arithmetic: whatever the spec or a clock says, the answer is a delay the work queue can hold, never a
// negative or overflowed one that would make a worker spin.
#pragma once

#include <cstdint>
#include <string>

#include "common/base/clock.h"
#include "common/kube/time_format.h"

namespace spark_operator::controller {

// Longest single requeue: a longer wait is several requeues, each re-reading the app.
inline constexpr int64_t kMaxRequeueSeconds = 60 * 60;

// Seconds left of a wait of `seconds` that began at `since` (an RFC 3339 time from the status), 0 when it is
// over. A missing or unreadable `since` counts as long ago; a `since` in the future as now.
int64_t SecondsLeft(const std::string& since, int64_t seconds, kube::WallTime now);

// The requeue delay for a wait with `seconds_left` to go: at least 1 s, at most kMaxRequeueSeconds.
Clock::Duration RequeueDelay(int64_t seconds_left);

}  // namespace spark_operator::controller
