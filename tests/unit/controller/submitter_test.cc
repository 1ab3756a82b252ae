// The spark-submit pool: attempts are keyed by the app's UID, and a deleted app's queued submissions never run.
#include "controller/submit/submitter.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/base/file.h"
#include "tests/support/cluster.h"

namespace spark_operator::controller {
namespace {

using spark_operator::testing::Eventually;

std::string TempDir() {
  std::string dir = "/tmp/submitter-test-XXXXXX";
  REQUIRE(mkdtemp(dir.data()) != nullptr);
  return dir;
}

// A run that blocks until `gate` exists, so that later submissions stay queued behind it.
std::vector<std::string> WaitFor(const std::string& gate) {
  return {"/bin/sh", "-c", "while [ ! -e '" + gate + "' ]; do sleep 0.05; done"};
}

std::vector<std::string> Touch(const std::string& path) { return {"/bin/sh", "-c", "touch '" + path + "'"}; }

// One submission at a time, counting those done.
SubmitterOptions OneAtATime(std::atomic<int>& done) {
  SubmitterOptions options;
  options.concurrency = 1;
  options.on_done = [&done](const std::string&) { ++done; };
  return options;
}

// Takes the only slot until `dir`/gate exists.
void Block(Submitter& submitter, const std::string& dir) {
  submitter.Submit("ns/blocker", "uid-blocker", 1, WaitFor(dir + "/gate"));
  REQUIRE(Eventually([&] { return submitter.Running() == 1; }, std::chrono::seconds(10)));
}

TEST_CASE("a deleted app's queued submission is cancelled and never runs") {
  const std::string dir = TempDir();
  std::atomic<int> done{0};
  Submitter submitter(OneAtATime(done));
  Block(submitter, dir);
  submitter.Submit("ns/app", "uid-old", 1, Touch(dir + "/old-ran"));
  CHECK(submitter.InFlight("uid-old", 1));
  CHECK(submitter.Queued() == 1);

  submitter.Forget("ns/app");  // The app was deleted.
  CHECK_FALSE(submitter.InFlight("uid-old", 1));
  CHECK(submitter.Queued() == 0);

  REQUIRE(WriteFileAtomically(dir + "/gate", "").ok());
  REQUIRE(Eventually([&] { return submitter.PeekResult("uid-blocker", 1).has_value(); }, std::chrono::seconds(10)));
  // Submit a marker behind it: once that ran, anything still queued before it would have run too.
  submitter.Submit("ns/other", "uid-other", 1, Touch(dir + "/other-ran"));
  REQUIRE(Eventually([&] { return submitter.PeekResult("uid-other", 1).has_value(); }, std::chrono::seconds(10)));
  CHECK(access((dir + "/other-ran").c_str(), F_OK) == 0);
  CHECK(access((dir + "/old-ran").c_str(), F_OK) != 0);
  CHECK_FALSE(submitter.PeekResult("uid-old", 1).has_value());
  CHECK(done == 2);
}

TEST_CASE("a stopping submitter lets the running submission finish and starts none of those queued") {
  const std::string dir = TempDir();
  std::atomic<int> done{0};
  Submitter submitter(OneAtATime(done));
  Block(submitter, dir);
  for (int i = 0; i < 100; ++i) {
    submitter.Submit("ns/app-" + std::to_string(i), "uid-" + std::to_string(i), 1,
                     Touch(dir + "/ran-" + std::to_string(i)));
  }
  REQUIRE(submitter.Queued() == 100);

  submitter.StopStarting();
  CHECK(submitter.Queued() == 0);
  submitter.Submit("ns/late", "uid-late", 1, Touch(dir + "/late-ran"));  // Refused: the submitter is stopping.
  CHECK(submitter.Queued() == 0);
  REQUIRE(WriteFileAtomically(dir + "/gate", "").ok());
  REQUIRE(Eventually([&] { return submitter.Running() == 0 && done == 1; }, std::chrono::seconds(10)));
  CHECK(submitter.PeekResult("uid-blocker", 1).has_value());
  for (int i = 0; i < 100; ++i) CHECK(access((dir + "/ran-" + std::to_string(i)).c_str(), F_OK) != 0);
  CHECK(access((dir + "/late-ran").c_str(), F_OK) != 0);
}

TEST_CASE("an app re-created under the same name neither sees nor cancels by mistake its namesake's attempts") {
  const std::string dir = TempDir();
  SubmitterOptions options;
  options.concurrency = 1;
  Submitter submitter(options);
  submitter.Submit("ns/app", "uid-old", 1, Touch(dir + "/old-ran"));
  REQUIRE(Eventually([&] { return submitter.PeekResult("uid-old", 1).has_value(); }, std::chrono::seconds(10)));
  // The new app's attempt 1 is its own: not the old result, not in flight.
  CHECK_FALSE(submitter.PeekResult("uid-new", 1).has_value());
  CHECK_FALSE(submitter.InFlight("uid-new", 1));

  Block(submitter, dir);
  submitter.Submit("ns/app", "uid-new", 1, Touch(dir + "/new-ran"));
  // The reconciler of the new app forgets whatever the old one left, keeping its own.
  submitter.Forget("ns/app", "uid-new");
  CHECK_FALSE(submitter.PeekResult("uid-old", 1).has_value());
  CHECK(submitter.InFlight("uid-new", 1));
  REQUIRE(WriteFileAtomically(dir + "/gate", "").ok());
  REQUIRE(Eventually([&] { return submitter.PeekResult("uid-new", 1).has_value(); }, std::chrono::seconds(10)));
  CHECK(access((dir + "/new-ran").c_str(), F_OK) == 0);
}

TEST_CASE("one forget drops every attempt a namesake left, finished or queued, and keeps the new app's result") {
  const std::string dir = TempDir();
  std::atomic<int> done{0};
  Submitter submitter(OneAtATime(done));
  submitter.Submit("ns/app", "uid-old", 1, Touch(dir + "/old-1-ran"));
  submitter.Submit("ns/app", "uid-new", 1, Touch(dir + "/new-1-ran"));
  REQUIRE(Eventually([&] { return submitter.PeekResult("uid-new", 1).has_value(); }, std::chrono::seconds(10)));
  REQUIRE(submitter.PeekResult("uid-old", 1).has_value());
  Block(submitter, dir);
  submitter.Submit("ns/app", "uid-old", 2, Touch(dir + "/old-2-ran"));
  REQUIRE(submitter.Queued() == 1);

  submitter.Forget("ns/app", "uid-new");
  CHECK_FALSE(submitter.PeekResult("uid-old", 1).has_value());
  CHECK_FALSE(submitter.InFlight("uid-old", 2));
  CHECK(submitter.Queued() == 0);
  CHECK(submitter.PeekResult("uid-new", 1).has_value());

  // Collected, the new app's result is gone for good, and the same attempt may be queued again.
  submitter.Clear("uid-new", 1);
  CHECK_FALSE(submitter.PeekResult("uid-new", 1).has_value());
  submitter.Forget("ns/app", "uid-new");
  submitter.Submit("ns/app", "uid-new", 1, Touch(dir + "/new-1-again"));
  CHECK(submitter.InFlight("uid-new", 1));
  REQUIRE(WriteFileAtomically(dir + "/gate", "").ok());
  REQUIRE(Eventually([&] { return submitter.PeekResult("uid-new", 1).has_value(); }, std::chrono::seconds(10)));
  CHECK(access((dir + "/new-1-again").c_str(), F_OK) == 0);
  CHECK(access((dir + "/old-2-ran").c_str(), F_OK) != 0);
}

TEST_CASE("a deleted app's running spark-submit is stopped with what it started, and its result is not kept") {
  const std::string dir = TempDir();
  std::atomic<int> done{0};
  Submitter submitter(OneAtATime(done));
  // A launcher that starts a child (as spark-submit starts its JVM) and waits for a gate that never opens.
  const std::string child_pid = dir + "/child.pid";
  submitter.Submit(
      "ns/app", "uid-old", 1,
      {"/bin/sh", "-c",
       "sleep 600 & echo $! > '" + child_pid + "'.tmp; mv '" + child_pid + "'.tmp '" + child_pid + "'; wait"});
  REQUIRE(Eventually([&] { return access(child_pid.c_str(), F_OK) == 0; }, std::chrono::seconds(10)));
  const Result<std::string> pid_text = ReadFile(child_pid);
  REQUIRE(pid_text.ok());
  const pid_t child = static_cast<pid_t>(std::stol(*pid_text));

  submitter.Forget("ns/app");
  REQUIRE(Eventually([&] { return done == 1; }, std::chrono::seconds(10)));
  CHECK(submitter.Running() == 0);
  CHECK_FALSE(submitter.PeekResult("uid-old", 1).has_value());
  CHECK_FALSE(submitter.InFlight("uid-old", 1));
  // The launcher's child went with it (it is not ours to reap: once init has, the pid is gone).
  CHECK(Eventually([&] { return kill(child, 0) != 0 && errno == ESRCH; }, std::chrono::seconds(10)));
}

TEST_CASE("a running submission of another app, or of the app kept under the name, goes on") {
  const std::string dir = TempDir();
  SubmitterOptions options;
  options.concurrency = 2;
  Submitter submitter(options);
  submitter.Submit("ns/app", "uid-new", 1, WaitFor(dir + "/gate"));
  submitter.Submit("ns/other", "uid-other", 1, WaitFor(dir + "/gate"));
  REQUIRE(Eventually([&] { return submitter.Running() == 2; }, std::chrono::seconds(10)));
  submitter.Forget("ns/app", "uid-new");
  REQUIRE(WriteFileAtomically(dir + "/gate", "").ok());
  REQUIRE(Eventually([&] { return submitter.Running() == 0; }, std::chrono::seconds(10)));
  for (const std::string uid : {"uid-new", "uid-other"}) {
    const std::optional<Result<ProcessResult>> result = submitter.PeekResult(uid, 1);
    REQUIRE(result.has_value());
    REQUIRE(result->ok());
    CHECK((*result)->ok());
  }
}

TEST_CASE("files given with a submission exist while it runs and are removed after") {
  const std::string dir = TempDir();
  SubmitterOptions options;
  Submitter submitter(options);
  const std::string file = dir + "/template.json";
  submitter.Submit("ns/app", "uid", 1, {"/bin/sh", "-c", "cat '" + file + "'; stat -c %a '" + file + "'"},
                   {{file, R"({"kind":"Pod"})"}});
  REQUIRE(Eventually([&] { return submitter.PeekResult("uid", 1).has_value(); }, std::chrono::seconds(10)));
  const std::optional<Result<ProcessResult>> result = submitter.PeekResult("uid", 1);
  REQUIRE(result->ok());
  CHECK((*result)->output_tail == "{\"kind\":\"Pod\"}600\n");
  CHECK(access(file.c_str(), F_OK) != 0);
}

TEST_CASE("a native submission holds what it was given until it has run, and a dropped one lets it go at once") {
  std::atomic<int> done{0};
  SubmitterOptions options = OneAtATime(done);
  options.native_concurrency = 1;
  Submitter submitter(options);
  std::atomic<bool> gate{false};
  const auto blocked = [&gate]() -> Result<ProcessResult> {
    while (!gate) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ProcessResult result;
    result.exit_code = 0;
    return result;
  };
  auto held_a = std::make_shared<int>(1);
  auto held_b = std::make_shared<int>(2);
  const std::weak_ptr<int> a = held_a;
  const std::weak_ptr<int> b = held_b;
  submitter.SubmitNative("ns/a", "uid-a", 1, blocked, std::move(held_a));
  REQUIRE(Eventually([&] { return submitter.Running() == 1; }, std::chrono::seconds(10)));
  submitter.SubmitNative("ns/b", "uid-b", 1, blocked, std::move(held_b));
  CHECK_FALSE(a.expired());  // Running.
  CHECK_FALSE(b.expired());  // Queued.

  submitter.Forget("ns/b");  // The app was deleted: its queued submission goes, and what it held.
  CHECK(b.expired());
  CHECK_FALSE(a.expired());

  gate = true;
  CHECK(Eventually([&] { return done == 1 && a.expired(); }, std::chrono::seconds(10)));
}

TEST_CASE("each finished run is reported with its lane, so that native and spark-submit times are told apart") {
  std::mutex mu;
  std::vector<std::pair<std::string, bool>> reported;  // (output, native)
  SubmitterOptions options;
  options.native_concurrency = 1;
  options.on_result = [&](const ProcessResult& result, bool native) {
    const std::lock_guard lock(mu);
    reported.emplace_back(result.output_tail, native);
  };
  Submitter submitter(options);
  submitter.Submit("ns/process", "uid-p", 1, {"/bin/sh", "-c", "printf process"});
  submitter.SubmitNative("ns/native", "uid-n", 1, []() -> Result<ProcessResult> {
    ProcessResult result;
    result.exit_code = 0;
    result.output_tail = "native";
    return result;
  });
  REQUIRE(Eventually(
      [&] {
        const std::lock_guard lock(mu);
        return reported.size() == 2;
      },
      std::chrono::seconds(10)));
  std::sort(reported.begin(), reported.end());
  CHECK(reported == std::vector<std::pair<std::string, bool>>{{"native", true}, {"process", false}});
}

}  // namespace
}  // namespace spark_operator::controller
