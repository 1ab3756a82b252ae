// Restart safety with the real binary: killed (SIGKILL, no clean shutdown) right after it marked a submission, a new
// controller process adopts the attempt instead of submitting a second driver.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include "tests/integration/harness.h"

extern char** environ;

namespace spark_operator::controller::testing {
namespace {

// The controller binary as a child process, killed with SIGKILL (no clean shutdown) when asked or at the end.
class ControllerProcess {
 public:
  ControllerProcess(const std::string& ns, const std::string& log) {
    std::vector<std::string> args = {BinDir() + "/spark-operator-controller",
                                     "--kubeconfig=" + ClusterDir() + "/kubeconfig", "--namespaces=" + ns,
                                     "--spark-submit=" + SparkSubmitPath(), "--metrics-port=-1"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    REQUIRE(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  // A clean stop at the end, so the controller removes its private credential files.
  ~ControllerProcess() { Kill(SIGTERM); }
  void Kill(int sig = SIGKILL) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

TEST_CASE("a controller killed right after marking a submission is replaced without a second driver") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ctl");
  const std::string log = "/tmp/spark-operator-restart-test-" + ns.name() + ".log";
  CreateApp(*client, ExampleApp(ns.name(), "crash"));
  {
    ControllerProcess first(ns.name(), log);
    // The attempt is marked in status before spark-submit starts.
    REQUIRE(Eventually(
        [&] {
          return !GetString(GetApp(*client, ns.name(), "crash"), {"status", "driverInfo", "podName"}).empty();
        },
        std::chrono::seconds(60)));
    first.Kill();
  }
  ControllerProcess second(ns.name(), log);
  REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "crash-1-driver") == "Running"; },
                     std::chrono::seconds(120)));
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "crash") == "RUNNING"; }, std::chrono::seconds(60)));
  // Give a second (wrong) submission time to show up before counting.
  std::this_thread::sleep_for(std::chrono::seconds(10));
  CHECK(PodNames(*client, ns.name(), "spark-role=driver").size() == 1);
  CHECK(GetInt(GetApp(*client, ns.name(), "crash"), {"status", "submissionAttempts"}) == 1);
  FinishPod(*client, ns.name(), "crash-1-driver", 0);
  CHECK(Eventually([&] { return State(*client, ns.name(), "crash") == "COMPLETED"; }));
  CHECK(PodNames(*client, ns.name(), "spark-role=driver").size() == 1);
}

}  // namespace
}  // namespace spark_operator::controller::testing
