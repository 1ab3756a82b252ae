// The status that starts an app's next submission. It is written before anything of the submission is created,
// so that a controller that dies after creating the driver finds the attempt on restart and adopts its driver
// (the names it carries are deterministic) instead of submitting again. bench/raw_writes writes the same mark for
// its floor, so that the two cannot drift apart.
#pragma once

#include <string>
#include <string_view>

#include "api/types.h"

namespace spark_operator::controller {

// The mark of the submission after the one `current` describes, of the app named `app_name`, started at `now`
// (RFC 3339): the attempt and submission counted on, state NEW and the driver pod it will create. Everything
// about the previous run goes, except what outlives runs: the execution attempts the restart policy counts and
// the previous run's logs, which may still be shipping. The caller records the observed generation.
api::SparkApplicationStatus NextAttemptMark(const api::SparkApplicationStatus& current, std::string_view app_name,
                                            std::string now);

}  // namespace spark_operator::controller
