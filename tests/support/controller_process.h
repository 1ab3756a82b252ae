// A spark-operator-controller process for tests that must kill it (SIGKILL) or measure it (RSS): the binary
// from the build, given `args` after its path, with `extra_env` added to the test's environment and its stderr
// in `log`. Killed and reaped when destroyed.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "common/base/file.h"
#include "tests/support/paths.h"

extern char** environ;

namespace spark_operator::testing {

class ControllerProcess {
 public:
  ControllerProcess(std::vector<std::string> args, const std::vector<std::string>& extra_env, std::string log)
      : log_(std::move(log)) {
    const std::string path = BinDir() + "/spark-operator-controller";
    args.insert(args.begin(), path);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
    env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (std::string& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    const int spawned = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(spawned == 0);
  }
  ~ControllerProcess() { Kill(); }
  ControllerProcess(const ControllerProcess&) = delete;
  ControllerProcess& operator=(const ControllerProcess&) = delete;

  // SIGKILL: no shutdown code runs, as when a node dies.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    exit_code_ = -1;
  }
  // The exit code once the process has ended (-1: killed by a signal), nullopt while it runs.
  std::optional<int> Exited() {
    if (pid_ <= 0) return exit_code_;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }
  bool Logged(const std::string& text) const {
    const Result<std::string> log = ReadFile(log_);
    return log.ok() && log->find(text) != std::string::npos;
  }
  pid_t pid() const { return pid_; }
  // The kernel's peak resident set size of the process so far (VmHWM), in bytes; 0 once it has ended.
  int64_t PeakRssBytes() const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (pid_ > 0 && std::getline(status, line)) {
      if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
    }
    return 0;
  }

 private:
  const std::string log_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

}  // namespace spark_operator::testing
