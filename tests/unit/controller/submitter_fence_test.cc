// The submitter's fence: a replica that is no longer the leader starts no spark-submit.
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "controller/submit/submitter.h"

namespace spark_operator::controller {
namespace {

// Polls until `done` or 10 s pass.
template <typename Done>
bool Within10s(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

TEST_CASE("a closed gate starts no spark-submit and becomes the attempt's result", "[submitter]") {
  const std::filesystem::path marker =
      std::filesystem::temp_directory_path() / ("submitter-fence-" + std::to_string(::getpid()));
  std::filesystem::remove(marker);
  std::atomic<bool> open{false};
  SubmitterOptions options;
  options.may_start = [&open]() -> Status {
    return open ? OkStatus() : UnavailableError("not the leader: test gate closed");
  };
  Submitter submitter(std::move(options));
  const std::vector<std::string> argv = {"/bin/sh", "-c", "touch " + marker.string()};

  submitter.Submit("ns/app", "uid-app", 1, argv);
  REQUIRE(Within10s([&] { return submitter.PeekResult("uid-app", 1).has_value(); }));
  const Result<ProcessResult> refused = *submitter.PeekResult("uid-app", 1);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("not the leader") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(marker));

  open = true;
  submitter.Submit("ns/app", "uid-app", 2, argv);
  REQUIRE(Within10s([&] { return submitter.PeekResult("uid-app", 2).has_value(); }));
  CHECK(submitter.PeekResult("uid-app", 2)->ok());
  CHECK(std::filesystem::exists(marker));
  std::filesystem::remove(marker);
}

}  // namespace
}  // namespace spark_operator::controller
