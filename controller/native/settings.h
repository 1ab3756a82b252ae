// Which Spark settings the native submitter implements. A setting it does not know that may change the driver's
// objects sends the app to spark-submit instead (with an Event naming the setting), so that the native path is
// never silently different from Spark's own.
#pragma once

#include <string>

#include "common/base/status.h"
#include "controller/native/submit_args.h"

namespace spark_operator::controller::native {

// The first setting of `args` (a key, or a dependency that spark-submit would upload) that the native builder
// does not implement; "" when it implements them all.
std::string UnsupportedSetting(const SubmitArguments& args);

// A size in MiB as Spark reads spark.driver.memory and spark.driver.memoryOverhead ("2g", "512m", "1024", with
// `default_unit` for a bare number: 'm' for both). InvalidArgument as Spark refuses: fractions, unknown units.
Result<int64_t> SparkSizeMiB(const std::string& text, char default_unit = 'm');

}  // namespace spark_operator::controller::native
