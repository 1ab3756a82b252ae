// Runs a program from an argv vector (posix_spawn, never a shell) in its own process group, capturing the tail
// of its combined stdout and stderr, and killing the whole group when it runs past its deadline.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace spark_operator::controller {

struct ProcessOptions {
  std::vector<std::string> argv;
  // Added to (or replacing entries of) the controller's own environment, "NAME=value".
  std::vector<std::string> extra_env;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  // Large enough to hold the line that says why spark-submit failed: a JVM's stack traces come after it.
  size_t tail_bytes = 64 * 1024;
  // Set from another thread when the run is no longer wanted (its app was deleted): the group is killed as at
  // the deadline, within a quarter of a second.
  std::shared_ptr<const std::atomic<bool>> cancel;
};

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out.
  int signal = 0;
  bool timed_out = false;
  bool cancelled = false;
  std::string output_tail;  // Last tail_bytes of stdout+stderr.
  std::chrono::milliseconds duration{0};

  bool ok() const { return exit_code == 0 && !timed_out && !cancelled; }
  // "exit code 1" / "killed by signal 9" / "timed out after 120s" / "cancelled after 3s".
  std::string Describe() const;
};

// A Status only when the program could not be started at all.
Result<ProcessResult> RunProcess(const ProcessOptions& options);

}  // namespace spark_operator::controller
