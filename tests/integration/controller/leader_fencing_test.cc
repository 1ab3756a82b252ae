// Two controller processes with leader election while the API server hangs (SIGSTOP) for longer than the
// Lease: the old leader must stop writing and exit before the standby takes over. The evidence is the API
// server's audit log (tools/cluster/up.sh turns it on), where each replica's requests carry its identity in
// the User-Agent, and a stand-in spark-submit that records which replica started it and when.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "common/kube/time_format.h"
#include "tests/integration/harness.h"
#include "tests/support/controller_process.h"

namespace spark_operator::controller::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Wall = std::chrono::system_clock::time_point;

constexpr int kLeaseSeconds = 6;

// One replica with leader election on a short Lease; the stand-in spark-submit it runs learns its identity
// from SO_FENCE_REPLICA, to record who started it.
class ControllerProcess : public spark_operator::testing::ControllerProcess {
 public:
  ControllerProcess(const std::string& ns, const std::string& identity, const std::string& spark_submit,
                    const std::string& log)
      : spark_operator::testing::ControllerProcess(
            {"--kubeconfig=" + ClusterDir() + "/kubeconfig", "--namespaces=" + ns,
             // The stand-in spark-submit is what makes each app a few writes.
             "--submitter=spark-submit", "--spark-submit=" + spark_submit, "--metrics-port=-1", "--leader-elect",
             "--lease-namespace=" + ns, "--lease-name=fenced", "--identity=" + identity,
             "--lease-duration=" + std::to_string(kLeaseSeconds), "--renew-deadline=3", "--retry-period=1"},
            {"SO_FENCE_REPLICA=" + identity}, log) {}
};

// SIGSTOPs kube-apiserver; SIGCONT on Resume or when destroyed, so a failing test never leaves it hung.
class ApiServerPause {
 public:
  explicit ApiServerPause(pid_t pid) : pid_(pid) { REQUIRE(kill(pid_, SIGSTOP) == 0); }
  ~ApiServerPause() { Resume(); }
  void Resume() {
    if (pid_ > 0) kill(pid_, SIGCONT);
    pid_ = -1;
  }

 private:
  pid_t pid_;
};

struct AuditWrite {
  Wall received;
  Wall completed;
  std::string verb;
  std::string resource;
  std::string name;
  int code = 0;
};

Wall ParseWall(const std::string& text) {
  const Result<kube::WallTime> t = kube::ParseTime(text);
  if (!t.ok()) FAIL("audit timestamp " << text << ": " << t.status().ToString());
  return *t;
}

// The writes the audit log recorded from clients whose User-Agent contains `agent`.
std::vector<AuditWrite> AuditedWrites(const std::string& audit_log, const std::string& agent) {
  std::vector<AuditWrite> writes;
  std::ifstream in(audit_log);
  for (std::string line; std::getline(in, line);) {
    if (line.find(agent) == std::string::npos) continue;
    Result<rapidjson::Document> event = ParseJson(line);
    if (!event.ok() || GetString(*event, {"userAgent"}).find(agent) == std::string::npos) continue;
    writes.push_back({ParseWall(GetString(*event, {"requestReceivedTimestamp"})),
                      ParseWall(GetString(*event, {"stageTimestamp"})), GetString(*event, {"verb"}),
                      GetString(*event, {"objectRef", "resource"}), GetString(*event, {"objectRef", "name"}),
                      static_cast<int>(GetInt(*event, {"responseStatus", "code"}))});
  }
  return writes;
}

double Seconds(Wall t, Wall origin) { return std::chrono::duration<double>(t - origin).count(); }

TEST_CASE("while the API server hangs, the old leader stops writing and exits before the standby takes over",
          "[leader_election]") {
  const std::string audit_log = spark_operator::testing::ClusterEnv("AUDIT_LOG");
  const pid_t apiserver =
      static_cast<pid_t>(std::atoi(spark_operator::testing::ClusterEnv("KUBE_APISERVER_PID").c_str()));
  if (audit_log.empty() || apiserver <= 0) FAIL("the local cluster has no AUDIT_LOG or KUBE_APISERVER_PID: run up.sh");
  kill(apiserver, SIGCONT);  // In case an earlier run died with it stopped.

  {
    // Storing the CRDs (about 1 MB) can take longer than the 2 s below on a busy server; the server is not stopped yet.
    auto setup_client = kube::Client::Create(spark_operator::testing::AdminConfig());
    REQUIRE(setup_client.ok());
    EnsureCrd(**setup_client);
  }
  kube::RestConfig config = spark_operator::testing::AdminConfig();
  config.timeout = seconds(2);  // Requests made while the server is stopped give up quickly.
  auto created_client = kube::Client::Create(config);
  REQUIRE(created_client.ok());
  const std::shared_ptr<kube::Client> client = *created_client;
  const TestNamespace ns(client, "fence");

  // Unique names, so that this run's audit entries are told apart from any other test's.
  const std::string run = std::to_string(std::random_device{}() % 1'000'000);
  const std::string a_id = "fence-a-" + run;
  const std::string b_id = "fence-b-" + run;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("leader-fencing-" + run);
  std::filesystem::create_directories(dir);
  // Records who started it and when, then fails at once: each app gets a few cheap writes (status, Event).
  const std::string submit = (dir / "spark-submit").string();
  const std::string submits = (dir / "submits.log").string();
  {
    std::ofstream script(submit);
    script << "#!/bin/sh\necho \"$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ) $SO_FENCE_REPLICA\" >> " << submits
           << "\necho 'stand-in spark-submit: refusing' >&2\nexit 1\n";
  }
  std::filesystem::permissions(submit, std::filesystem::perms::owner_all);

  ControllerProcess a(ns.name(), a_id, submit, (dir / "a.log").string());
  REQUIRE(Eventually([&] {
    const Result<rapidjson::Document> lease = client->Get(kube::resources::kLeases, ns.name(), "fenced");
    return lease.ok() && GetString(*lease, {"spec", "holderIdentity"}) == a_id;
  }));
  ControllerProcess b(ns.name(), b_id, submit, (dir / "b.log").string());
  REQUIRE(Eventually([&] { return b.Logged("is held by " + a_id); }));

  // Apps keep arriving, so that the leader has work (writes, spark-submits) in hand when the server stops.
  std::atomic<bool> stop_creating{false};
  std::atomic<int> created{0};
  std::thread creator([&] {
    for (int i = 0; !stop_creating; ++i) {
      rapidjson::Document app = ExampleApp(ns.name(), "app-" + std::to_string(i));
      if (client->Create(kube::resources::kSparkApplications, ns.name(), app).ok()) ++created;
      std::this_thread::sleep_for(milliseconds(50));
    }
  });
  struct Joiner {
    std::atomic<bool>& stop;
    std::thread& thread;
    ~Joiner() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } joiner{stop_creating, creator};
  REQUIRE(Eventually([&] {
    const std::string state = State(*client, ns.name(), "app-0");
    return state == "FAILED" || state == "SUBMISSION_FAILED";
  }));
  REQUIRE(Eventually([&] { return created >= 20; }));

  const Wall stopped_at = std::chrono::system_clock::now();
  std::optional<int> a_exit;
  Wall a_exited_at{};
  {
    ApiServerPause pause(apiserver);
    const auto start = std::chrono::steady_clock::now();
    // Longer than the Lease, whatever A does; A should exit within its renew deadline and a short grace.
    while (std::chrono::steady_clock::now() - start < seconds(kLeaseSeconds + 6)) {
      if (!a_exit && (a_exit = a.Exited())) a_exited_at = std::chrono::system_clock::now();
      std::this_thread::sleep_for(milliseconds(20));
    }
  }
  const Wall resumed_at = std::chrono::system_clock::now();
  stop_creating = true;

  // B takes over and acts: it fails the apps A left behind.
  REQUIRE(Eventually(
      [&] {
        const Result<rapidjson::Document> lease = client->Get(kube::resources::kLeases, ns.name(), "fenced");
        return lease.ok() && GetString(*lease, {"spec", "holderIdentity"}) == b_id;
      },
      seconds(60)));
  std::vector<AuditWrite> b_writes;
  REQUIRE(Eventually([&] {
    b_writes = AuditedWrites(audit_log, b_id);
    for (const AuditWrite& w : b_writes) {
      if (w.resource != "leases" && w.code < 400) return true;
    }
    return false;
  }));
  if (!a_exit) {
    REQUIRE(Eventually([&] { return (a_exit = a.Exited()).has_value(); }, seconds(60)));
    a_exited_at = std::chrono::system_clock::now();
  }

  std::optional<Wall> b_acquired;
  for (const AuditWrite& w : b_writes) {
    if (w.resource == "leases" && w.code < 400 && (!b_acquired || w.received < *b_acquired)) b_acquired = w.received;
  }
  REQUIRE(b_acquired);
  std::optional<Wall> b_first_write;
  for (const AuditWrite& w : b_writes) {
    if (w.resource != "leases" && (!b_first_write || w.received < *b_first_write)) b_first_write = w.received;
  }
  const std::vector<AuditWrite> a_writes = AuditedWrites(audit_log, a_id);
  std::optional<Wall> a_last_write;
  std::optional<Wall> a_last_renewal;
  int a_writes_after_stop = 0;
  for (const AuditWrite& w : a_writes) {
    if (w.code >= 400) continue;  // Refused by the server: changed nothing.
    if (w.resource == "leases") {
      if (w.name == "fenced" && (!a_last_renewal || w.received > *a_last_renewal)) a_last_renewal = w.received;
    } else if (!a_last_write || w.completed > *a_last_write) {
      a_last_write = w.completed;
    }
    if (w.completed > stopped_at) ++a_writes_after_stop;
  }
  REQUIRE(a_last_write);
  REQUIRE(a_last_renewal);
  std::optional<Wall> a_last_submit;
  {
    std::ifstream in(submits);
    for (std::string line; std::getline(in, line);) {
      if (line.find(a_id) != std::string::npos) a_last_submit = ParseWall(line.substr(0, line.find(' ')));
    }
  }

  const Wall lease_expiry = *a_last_renewal + seconds(kLeaseSeconds);
  std::cout << "leader fencing timeline (seconds after the API server was stopped; it resumed at "
            << Seconds(resumed_at, stopped_at) << "):\n"
            << "  A last lease renewal received " << Seconds(*a_last_renewal, stopped_at) << ", lease expiry "
            << Seconds(lease_expiry, stopped_at) << "\n"
            << "  A last successful write completed " << Seconds(*a_last_write, stopped_at) << " (" << a_writes.size()
            << " writes audited, " << a_writes_after_stop << " completed after the stop)\n"
            << "  A last spark-submit started "
            << (a_last_submit ? std::to_string(Seconds(*a_last_submit, stopped_at)) : std::string("never")) << "\n"
            << "  A exited with " << (a_exit ? *a_exit : -99) << " at " << Seconds(a_exited_at, stopped_at) << "\n"
            << "  B acquired the lease " << Seconds(*b_acquired, stopped_at) << ", first write "
            << (b_first_write ? Seconds(*b_first_write, stopped_at) : -1.0) << "\n";

  CHECK(a_exit == 2);
  CHECK(a_exited_at < resumed_at);  // It stopped on its own clock, not when the hung server answered.
  CHECK(a_exited_at < *b_acquired);
  // No two replicas write at once. (Compared with the server's clock only: a request A sent just before the
  // server froze is read, and may complete, only after it resumed, long after the expiry in wall-clock terms.)
  CHECK(*a_last_write < *b_acquired);
  if (b_first_write) CHECK(*a_last_write < *b_first_write);
  // spark-submit is started by A itself, on the same clock: never after its lease could have expired.
  if (a_last_submit) CHECK(*a_last_submit < lease_expiry);
  CHECK(a.Logged("lost the leader-election lease"));
}

}  // namespace
}  // namespace spark_operator::controller::testing
