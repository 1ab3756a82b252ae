// Leader election against the real API server: candidates in separate processes (tests/support/lease_holder.cc)
// so that the leader can be killed outright, and in-process electors for a graceful hand-over.
#include "common/kube/leader_election.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/cluster.h"

extern char** environ;

namespace spark_operator::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::AdminClient;
using testing::Eventually;
using testing::TestNamespace;

std::string LeaseHolderPath() {
  namespace fs = std::filesystem;
  if (const fs::path path = fs::path(testing::BinDir()) / ".." / "tests" / "lease-holder"; fs::exists(path)) {
    return path.string();
  }
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path path = self.parent_path() / "lease-holder";
  if (ec || !fs::exists(path)) FAIL("lease-holder not built (set SO_BIN_DIR to <build>/bin)");
  return path.string();
}

// One lease-holder process; collects its stdout lines. Killed and reaped when destroyed.
class LeaseHolder {
 public:
  LeaseHolder(const std::string& ns, const std::string& lease, const std::string& identity, int lease_seconds)
      : identity_(identity) {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    const std::string log = (std::filesystem::temp_directory_path() / ("lease-holder-" + identity + ".log")).string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const std::string path = LeaseHolderPath();
    std::vector<std::string> args = {path,
                                     "--kubeconfig=" + testing::ClusterDir() + "/kubeconfig",
                                     "--namespace=" + ns,
                                     "--name=" + lease,
                                     "--identity=" + identity,
                                     "--lease_duration_seconds=" + std::to_string(lease_seconds),
                                     "--renew_deadline_ms=3000",
                                     "--retry_period_ms=1000"};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    REQUIRE(spawned == 0);
    reader_ = std::thread([this, fd = fds[0]] { ReadLines(fd); });
  }

  ~LeaseHolder() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Wait();
    }
    reader_.join();
  }

  void Signal(int signal) { REQUIRE(kill(pid_, signal) == 0); }
  // The exit status as waitpid reports it.
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  bool Said(const std::string& what) const { return Count(what + " " + identity_) > 0; }
  int Count(const std::string& line) const {
    const std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(std::count(lines_.begin(), lines_.end(), line));
  }
  std::vector<std::string> lines() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  void ReadLines(int fd) {
    std::string buffer;
    char chunk[256];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
      buffer.append(chunk, static_cast<size_t>(n));
      for (size_t end; (end = buffer.find('\n')) != std::string::npos; buffer.erase(0, end + 1)) {
        const std::lock_guard<std::mutex> lock(mu_);
        lines_.push_back(buffer.substr(0, end));
      }
    }
    close(fd);
  }

  const std::string identity_;
  pid_t pid_ = -1;
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  std::thread reader_;
};

rapidjson::Document GetLease(Client& client, const std::string& ns, const std::string& name) {
  Result<rapidjson::Document> lease = client.Get(resources::kLeases, ns, name);
  REQUIRE(lease.ok());
  return std::move(*lease);
}

std::string Holder(Client& client, const std::string& ns, const std::string& name) {
  const Result<rapidjson::Document> lease = client.Get(resources::kLeases, ns, name);
  return lease.ok() ? GetString(*lease, {"spec", "holderIdentity"}) : "";
}

bool IsMicroTime(const std::string& s) {
  return std::regex_match(s, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)"));
}

TEST_CASE("of two lease-holder processes one leads, and the other takes over when it is killed", "[leader_election]") {
  auto client = AdminClient();
  const TestNamespace ns(client, "le");
  LeaseHolder a(ns.name(), "lock", "holder-a", 4);
  REQUIRE(Eventually([&] { return a.Said("leading"); }, seconds(20)));
  LeaseHolder b(ns.name(), "lock", "holder-b", 4);

  // b keeps trying for longer than a lease duration, and never gets it while a renews.
  std::this_thread::sleep_for(seconds(6));
  CHECK_FALSE(b.Said("leading"));
  rapidjson::Document lease = GetLease(*client, ns.name(), "lock");
  CHECK(GetString(lease, {"spec", "holderIdentity"}) == "holder-a");
  CHECK(GetInt(lease, {"spec", "leaseDurationSeconds"}) == 4);
  CHECK(GetInt(lease, {"spec", "leaseTransitions"}) == 0);
  CHECK(IsMicroTime(GetString(lease, {"spec", "acquireTime"})));
  CHECK(IsMicroTime(GetString(lease, {"spec", "renewTime"})));

  a.Signal(SIGKILL);
  const int status = a.Wait();
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  // The lease duration after b last saw a renewal, plus at most one jittered retry period (1s * 2.2), plus
  // request time.
  REQUIRE(Eventually([&] { return b.Said("leading"); }, seconds(10)));
  lease = GetLease(*client, ns.name(), "lock");
  CHECK(GetString(lease, {"spec", "holderIdentity"}) == "holder-b");
  CHECK(GetInt(lease, {"spec", "leaseTransitions"}) == 1);
  CHECK(b.lines() == std::vector<std::string>{"leading holder-b"});
  CHECK(a.lines() == std::vector<std::string>{"leading holder-a"});
}

TEST_CASE("a lease-holder stopped with SIGTERM releases the Lease and says it stopped", "[leader_election]") {
  auto client = AdminClient();
  const TestNamespace ns(client, "le");
  // A long lease: the other process can only take over this quickly if the Lease was released.
  LeaseHolder a(ns.name(), "lock", "term-a", 30);
  REQUIRE(Eventually([&] { return a.Said("leading"); }, seconds(20)));
  LeaseHolder b(ns.name(), "lock", "term-b", 30);
  REQUIRE(Eventually([&] { return !Holder(*client, ns.name(), "lock").empty(); }));
  std::this_thread::sleep_for(seconds(2));
  CHECK_FALSE(b.Said("leading"));

  a.Signal(SIGTERM);
  const int status = a.Wait();
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  CHECK(a.lines() == std::vector<std::string>{"leading term-a", "stopped term-a"});
  REQUIRE(Eventually([&] { return b.Said("leading"); }, seconds(10)));
  CHECK(GetInt(GetLease(*client, ns.name(), "lock"), {"spec", "leaseTransitions"}) == 1);
}

struct Seen {
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::mutex mu;
  std::vector<std::string> leaders;
};

LeaderElectionConfig Config(const std::string& ns, const std::string& id, Seen& seen) {
  LeaderElectionConfig config;
  config.lease_namespace = ns;
  config.lease_name = "in-process";
  config.identity = id;
  config.lease_duration = seconds(30);
  config.renew_deadline = milliseconds(3000);
  config.retry_period = milliseconds(1000);
  config.on_started_leading = [&seen] { ++seen.started; };
  config.on_stopped_leading = [&seen] { ++seen.stopped; };
  config.on_new_leader = [&seen](const std::string& leader) {
    const std::lock_guard<std::mutex> lock(seen.mu);
    seen.leaders.push_back(leader);
  };
  return config;
}

TEST_CASE("LeaderElector::Stop releases the Lease so that a waiting elector acquires it at once", "[leader_election]") {
  auto admin = AdminClient();
  const TestNamespace ns(admin, "le");
  // Each elector with a client of its own, as in production.
  Seen seen_a;
  Seen seen_b;
  auto a = LeaderElector::Create(AdminClient(), Config(ns.name(), "elector-a", seen_a));
  auto b = LeaderElector::Create(AdminClient(), Config(ns.name(), "elector-b", seen_b));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  (*a)->Start();
  REQUIRE(Eventually([&] { return (*a)->IsLeader(); }, seconds(20)));
  (*b)->Start();
  REQUIRE(Eventually([&] { return (*b)->leader() == "elector-a"; }, seconds(20)));
  CHECK_FALSE((*b)->IsLeader());

  (*a)->Stop();
  CHECK(seen_a.stopped == 1);
  CHECK_FALSE((*a)->IsLeader());
  // Within a few retry periods, far less than the 30s lease duration.
  REQUIRE(Eventually([&] { return (*b)->IsLeader(); }, seconds(10)));
  CHECK(seen_b.started == 1);
  CHECK(Holder(*admin, ns.name(), "in-process") == "elector-b");
  {
    const std::lock_guard<std::mutex> lock(seen_b.mu);
    CHECK(seen_b.leaders == std::vector<std::string>{"elector-a", "elector-b"});
  }

  (*b)->Stop();
  const rapidjson::Document lease = GetLease(*admin, ns.name(), "in-process");
  CHECK(GetString(lease, {"spec", "holderIdentity"}).empty());
  CHECK(GetInt(lease, {"spec", "leaseDurationSeconds"}) == 1);
  CHECK(GetInt(lease, {"spec", "leaseTransitions"}) == 1);
}

}  // namespace
}  // namespace spark_operator::kube
