// spark-submit runner: argv without a shell, output tail, exit codes, timeouts that kill the process group.
#include "controller/submit/process.h"

#include <catch2/catch.hpp>

#include "common/base/file.h"
#include "tests/support/cluster.h"

namespace spark_operator::controller {
namespace {

TEST_CASE("runs argv without a shell and captures output and exit code") {
  ProcessOptions options;
  options.argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"};
  const Result<ProcessResult> r = RunProcess(options);
  REQUIRE(r.ok());
  CHECK(r->exit_code == 3);
  CHECK_FALSE(r->ok());
  CHECK(r->output_tail == "out\nerr\n");
  CHECK(r->Describe() == "exit code 3");

  // Shell metacharacters in an argument are just bytes.
  options.argv = {"/bin/echo", "$(touch /tmp/should-not-exist); x"};
  const Result<ProcessResult> echo = RunProcess(options);
  REQUIRE(echo.ok());
  CHECK(echo->output_tail == "$(touch /tmp/should-not-exist); x\n");
}

TEST_CASE("keeps only the tail of long output") {
  ProcessOptions options;
  options.argv = {"/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; echo END"};
  options.tail_bytes = 100;
  const Result<ProcessResult> r = RunProcess(options);
  REQUIRE(r.ok());
  CHECK(r->ok());
  CHECK(r->output_tail.size() == 100);
  CHECK(r->output_tail.substr(96) == "END\n");
}

TEST_CASE("a timeout kills the whole process group") {
  ProcessOptions options;
  options.argv = {"/bin/sh", "-c", "sleep 30 & sleep 30"};
  options.timeout = std::chrono::milliseconds(300);
  const Result<ProcessResult> r = RunProcess(options);
  REQUIRE(r.ok());
  CHECK(r->timed_out);
  CHECK(r->duration < std::chrono::seconds(5));
}

TEST_CASE("a child that closes its output but keeps running is killed at the deadline, not waited for") {
  ProcessOptions options;
  options.argv = {"/bin/sh", "-c", "echo started; exec >/dev/null 2>&1; sleep 30"};
  options.timeout = std::chrono::milliseconds(500);
  const Result<ProcessResult> r = RunProcess(options);
  REQUIRE(r.ok());
  CHECK(r->timed_out);
  CHECK(r->output_tail == "started\n");
  CHECK(r->duration < std::chrono::seconds(10));
  CHECK(r->Describe().rfind("timed out", 0) == 0);
}

TEST_CASE("children the launcher leaves behind are killed when it exits") {
  ProcessOptions options;
  // The straggler writes nowhere, so the output ends when the launcher exits.
  options.argv = {"/bin/sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!"};
  const Result<ProcessResult> r = RunProcess(options);
  REQUIRE(r.ok());
  CHECK(r->exit_code == 0);
  const std::string pid = r->output_tail.substr(0, r->output_tail.find('\n'));
  REQUIRE_FALSE(pid.empty());
  // Gone, or a zombie waiting for init: either way no longer running.
  CHECK(spark_operator::testing::Eventually(
      [&] {
        const Result<std::string> stat = ReadFile("/proc/" + pid + "/stat");
        return !stat.ok() || stat->find(") Z ") != std::string::npos;
      },
      std::chrono::seconds(5)));
}

TEST_CASE("the extra environment reaches the child") {
  ProcessOptions options;
  options.argv = {"/bin/sh", "-c", "echo $KUBECONFIG"};
  options.extra_env = {"KUBECONFIG=/dev/null"};
  const Result<ProcessResult> r = RunProcess(options);
  REQUIRE(r.ok());
  CHECK(r->output_tail == "/dev/null\n");
}

TEST_CASE("a missing program is an error, not a crash") {
  ProcessOptions options;
  options.argv = {"/nonexistent/spark-submit"};
  CHECK_FALSE(RunProcess(options).ok());
}

}  // namespace
}  // namespace spark_operator::controller
