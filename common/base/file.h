// Whole-file reads and writes, with the path in every error.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/base/status.h"

namespace spark_operator {

Result<std::string> ReadFile(const std::string& path);
// Written beside `path` and renamed over it, so that a reader or an interrupted run never sees half a file.
// Refuses to replace anything at `path` that is not a regular file (a device, a pipe, a directory).
Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t mode = 0644);

}  // namespace spark_operator
