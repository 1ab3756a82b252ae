#include "controller/submit/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace spark_operator::controller {
namespace {

std::vector<std::string> MergedEnv(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const std::string& x : extra) overridden |= x.rfind(name + "=", 0) == 0;
    if (!overridden) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Closes its fd on every path out of RunProcess.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

std::string ProcessResult::Describe() const {
  if (timed_out) return "timed out after " + std::to_string(duration.count() / 1000) + "s";
  if (cancelled) return "cancelled after " + std::to_string(duration.count() / 1000) + "s";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit code " + std::to_string(exit_code);
}

Result<ProcessResult> RunProcess(const ProcessOptions& options) {
  if (options.argv.empty()) return InvalidArgumentError("empty argv");
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return InternalError(std::string("pipe: ") + std::strerror(errno));
  Fd read_end{pipe_fds[0]};
  Fd write_end{pipe_fds[1]};

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.fd, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a timeout kills the JVM and anything it started, not just the launcher script.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);
  // The controller's signal dispositions (an ignored SIGPIPE, handlers for SIGTERM) are not the child's.
  sigset_t empty, reset;
  sigemptyset(&empty);
  sigemptyset(&reset);
  for (const int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&reset, sig);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &reset);

  std::vector<std::string> argv_strings = options.argv;
  std::vector<std::string> env_strings = MergedEnv(options.extra_env);
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env_strings);

  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return InternalError("starting " + options.argv[0] + ": " + std::strerror(rc));
  close(write_end.fd);
  write_end.fd = -1;

  ProcessResult result;
  std::string& tail = result.output_tail;
  const auto deadline = start + options.timeout;
  // Readable when the child exits; without it (a kernel before 5.3) the loop polls for the exit instead.
  Fd pidfd{static_cast<int>(syscall(SYS_pidfd_open, pid, 0))};
  char buf[8192];
  bool output_open = true;
  bool exited = false;
  // Until the output ends AND the child exits, or the deadline: a child that closes its output and keeps
  // running must not hold a submitter thread forever.
  while (output_open || !exited) {
    siginfo_t info{};
    // WNOWAIT leaves the child unreaped, so its pid (the group's id) cannot be reused before the kill below.
    exited = exited ||
             (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid);
    if (!output_open && exited) break;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    if (options.cancel != nullptr && options.cancel->load()) {
      result.cancelled = true;
      break;
    }
    pollfd fds[2];
    nfds_t n_fds = 0;
    if (output_open) fds[n_fds++] = pollfd{read_end.fd, POLLIN, 0};
    if (!exited && pidfd.fd >= 0) fds[n_fds++] = pollfd{pidfd.fd, POLLIN, 0};
    const int64_t cap = !exited && pidfd.fd < 0 ? 20 : options.cancel != nullptr ? 250 : 1000;
    const int ready = poll(fds, n_fds, static_cast<int>(std::min<int64_t>(left.count(), cap)));
    if (ready < 0 && errno != EINTR) {
      result.timed_out = true;  // Cannot wait any more: end it as if the deadline had come.
      break;
    }
    if (ready <= 0 || !output_open || (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    const ssize_t n = read(read_end.fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      output_open = false;  // EOF: every writer (the launcher and its children) is gone or closed its output.
      continue;
    }
    tail.append(buf, static_cast<size_t>(n));
    if (tail.size() > 2 * options.tail_bytes) tail.erase(0, tail.size() - options.tail_bytes);
  }
  // The group goes before the child is reaped: until then its pid, the group id, cannot name another group.
  // Children the launcher left behind must not outlive a finished submission either.
  kill(-pid, SIGKILL);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (tail.size() > options.tail_bytes) tail.erase(0, tail.size() - options.tail_bytes);
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) result.signal = WTERMSIG(wstatus);
  if (result.timed_out || result.cancelled) result.exit_code = -1;
  return result;
}

}  // namespace spark_operator::controller
