// Leader election's rules (client-go's tryAcquireOrRenew) against an in-memory Lease and a FakeClock.
#include "common/kube/leader_election.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <thread>

namespace spark_operator::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// What the API server does for one Lease: versions, conflicts, NotFound and AlreadyExists.
struct FakeLeaseServer {
  std::mutex mu;
  std::optional<LeaderElectionRecord> record;
  int64_t version = 0;
  std::atomic<bool> unavailable{false};
  // While set, every request blocks, as against an API server that was SIGSTOPped.
  std::mutex hang_mu;
  std::condition_variable hang_cv;
  bool hung = false;

  void SetHung(bool value) {
    {
      const std::lock_guard<std::mutex> lock(hang_mu);
      hung = value;
    }
    hang_cv.notify_all();
  }
  void WaitWhileHung() {
    std::unique_lock<std::mutex> lock(hang_mu);
    hang_cv.wait(lock, [this] { return !hung; });
  }

  // Another client writing the Lease.
  void Put(const LeaderElectionRecord& r) {
    const std::lock_guard<std::mutex> lock(mu);
    record = r;
    ++version;
  }
  std::optional<LeaderElectionRecord> Read() {
    const std::lock_guard<std::mutex> lock(mu);
    return record;
  }
};

class FakeLeaseLock final : public LeaseLock {
 public:
  explicit FakeLeaseLock(FakeLeaseServer& server) : server_(server) {}
  Result<LeaderElectionRecord> Get() override {
    server_.WaitWhileHung();
    const std::lock_guard<std::mutex> lock(server_.mu);
    if (server_.unavailable) return UnavailableError("connection refused");
    if (!server_.record) return NotFoundError("leases \"l\" not found");
    seen_ = server_.version;
    return *server_.record;
  }
  Status Create(const LeaderElectionRecord& record) override {
    server_.WaitWhileHung();
    const std::lock_guard<std::mutex> lock(server_.mu);
    if (server_.unavailable) return UnavailableError("connection refused");
    if (server_.record) return AlreadyExistsError("leases \"l\" already exists");
    server_.record = record;
    seen_ = ++server_.version;
    return OkStatus();
  }
  Status Update(const LeaderElectionRecord& record) override {
    server_.WaitWhileHung();
    const std::lock_guard<std::mutex> lock(server_.mu);
    if (server_.unavailable) return UnavailableError("connection refused");
    if (seen_ != server_.version) return ConflictError("the object has been modified");
    server_.record = record;
    seen_ = ++server_.version;
    return OkStatus();
  }
  std::string Describe() const override { return "ns/l"; }

 private:
  FakeLeaseServer& server_;
  int64_t seen_ = -1;
};

bool IsMicroTime(const std::string& s) {
  return std::regex_match(s, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)"));
}

struct Candidate {
  Candidate(FakeLeaseServer& server, const std::string& id, const Clock& clock)
      : lock(server), candidate(lock, id, seconds(15), clock) {}
  FakeLeaseLock lock;
  LeaseCandidate candidate;
};

TEST_CASE("a candidate creates a missing Lease and holds it", "[leader_election]") {
  FakeClock clock;
  FakeLeaseServer server;
  Candidate a(server, "a", clock);
  REQUIRE(a.candidate.TryAcquireOrRenew());
  CHECK(a.candidate.IsLeader());
  const LeaderElectionRecord record = *server.Read();
  CHECK(record.holder_identity == "a");
  CHECK(record.lease_duration_seconds == 15);
  CHECK(record.lease_transitions == 0);
  CHECK(IsMicroTime(record.acquire_time));
  CHECK(IsMicroTime(record.renew_time));

  // Renewals keep acquireTime and the transition count.
  clock.Advance(seconds(2));
  REQUIRE(a.candidate.TryAcquireOrRenew());
  CHECK(server.Read()->acquire_time == record.acquire_time);
  CHECK(server.Read()->lease_transitions == 0);
}

TEST_CASE("a held Lease is taken only after it stayed unchanged for its duration, as seen locally",
          "[leader_election]") {
  FakeClock clock;
  FakeLeaseServer server;
  Candidate a(server, "a", clock);
  Candidate b(server, "b", clock);
  REQUIRE(a.candidate.TryAcquireOrRenew());

  // Renewals restart b's expiry clock, however long b keeps trying.
  for (int i = 0; i < 5; ++i) {
    CHECK_FALSE(b.candidate.TryAcquireOrRenew());
    clock.Advance(seconds(10));
    REQUIRE(a.candidate.TryAcquireOrRenew());
  }
  CHECK_FALSE(b.candidate.TryAcquireOrRenew());
  CHECK(b.candidate.observed_record().holder_identity == "a");

  // a stops renewing: b waits out the full duration from when it last saw a change.
  clock.Advance(seconds(14));
  CHECK_FALSE(b.candidate.TryAcquireOrRenew());
  clock.Advance(seconds(2));
  REQUIRE(b.candidate.TryAcquireOrRenew());
  CHECK(b.candidate.IsLeader());
  CHECK(server.Read()->holder_identity == "b");
  CHECK(server.Read()->lease_transitions == 1);

  // a comes back: its optimistic renewal conflicts, and it sees that b holds the Lease now.
  CHECK_FALSE(a.candidate.TryAcquireOrRenew());
  CHECK_FALSE(a.candidate.IsLeader());
  CHECK(server.Read()->holder_identity == "b");
}

TEST_CASE("the Lease's own timestamps do not decide expiry, so clock skew does not matter", "[leader_election]") {
  FakeClock clock;
  FakeLeaseServer server;
  Candidate b(server, "b", clock);

  // A holder whose clock is far behind: its renewTime looks decades old, but b has only just seen it.
  server.Put({"skewed", 15, "1970-01-01T00:00:00.000000Z", "1970-01-01T00:00:00.000000Z", 3});
  CHECK_FALSE(b.candidate.TryAcquireOrRenew());
  clock.Advance(seconds(10));
  CHECK_FALSE(b.candidate.TryAcquireOrRenew());

  // A holder whose clock is far ahead renews once more, then dies: b still takes over 15s later.
  server.Put({"skewed", 15, "2999-01-01T00:00:00.000000Z", "2999-01-01T00:00:00.000000Z", 3});
  CHECK_FALSE(b.candidate.TryAcquireOrRenew());
  clock.Advance(seconds(15));
  REQUIRE(b.candidate.TryAcquireOrRenew());
  CHECK(server.Read()->lease_transitions == 4);
}

TEST_CASE("a released Lease is taken at once", "[leader_election]") {
  FakeClock clock;
  FakeLeaseServer server;
  Candidate a(server, "a", clock);
  Candidate b(server, "b", clock);
  REQUIRE(a.candidate.TryAcquireOrRenew());
  CHECK_FALSE(b.candidate.TryAcquireOrRenew());
  REQUIRE(a.candidate.Release());
  CHECK_FALSE(a.candidate.IsLeader());
  CHECK(server.Read()->holder_identity.empty());
  CHECK(server.Read()->lease_duration_seconds == 1);
  REQUIRE(b.candidate.TryAcquireOrRenew());
  CHECK(server.Read()->holder_identity == "b");
  CHECK(server.Read()->lease_transitions == 1);
  // Releasing what one does not hold writes nothing.
  const int64_t version = server.version;
  CHECK(a.candidate.Release());
  CHECK(server.version == version);
}

TEST_CASE("a candidate that cannot reach the server neither acquires nor changes its view", "[leader_election]") {
  FakeClock clock;
  FakeLeaseServer server;
  server.Put({"a", 15, "", "", 0});
  Candidate b(server, "b", clock);
  server.unavailable = true;
  clock.Advance(seconds(100));
  CHECK_FALSE(b.candidate.TryAcquireOrRenew());
  server.unavailable = false;
  // The first successful read starts the expiry clock; a long outage does not count as "unchanged".
  CHECK_FALSE(b.candidate.TryAcquireOrRenew());
}

TEST_CASE("leader election config is validated as client-go does", "[leader_election]") {
  LeaderElectionConfig config;
  config.lease_namespace = "ns";
  config.lease_name = "l";
  config.identity = "me";
  CHECK(ValidateLeaderElectionConfig(config).ok());
  config.renew_deadline = seconds(15);
  CHECK_FALSE(ValidateLeaderElectionConfig(config).ok());
  config.renew_deadline = milliseconds(2'200);
  CHECK_FALSE(ValidateLeaderElectionConfig(config).ok());  // Not above 1.2 * retry period.
  config.renew_deadline = seconds(10);
  config.identity = "";
  CHECK_FALSE(ValidateLeaderElectionConfig(config).ok());
}

// Advances the clock in small steps until `done`, as the elector thread sleeps on it; false after 5 minutes
// of fake time.
template <typename Done>
bool AdvanceUntil(FakeClock& clock, Done done) {
  for (int i = 0; i < 600 && !done(); ++i) {
    clock.Advance(milliseconds(500));
    std::this_thread::sleep_for(milliseconds(2));
  }
  return done();
}

struct Observed {
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::mutex mu;
  std::vector<std::string> leaders;
  Clock::TimePoint stopped_at{};
};

LeaderElectionConfig ConfigFor(const std::string& id, Observed& seen, Clock& clock) {
  LeaderElectionConfig config;
  config.lease_namespace = "ns";
  config.lease_name = "l";
  config.identity = id;
  config.on_started_leading = [&seen] { ++seen.started; };
  config.on_stopped_leading = [&seen, &clock] {
    seen.stopped_at = clock.Now();
    ++seen.stopped;
  };
  config.on_new_leader = [&seen](const std::string& leader) {
    const std::lock_guard<std::mutex> lock(seen.mu);
    seen.leaders.push_back(leader);
  };
  return config;
}

// The elector "a" alone with a fake clock and Lease server, started and leading.
struct Leading {
  Leading() {
    auto created = LeaderElector::Create(std::make_unique<FakeLeaseLock>(server), ConfigFor("a", seen, clock), clock);
    REQUIRE(created.ok());
    elector = std::move(*created);
    elector->Start();
    REQUIRE(AdvanceUntil(clock, [&] { return seen.started == 1; }));
  }
  FakeClock clock;
  FakeLeaseServer server;
  Observed seen;
  std::unique_ptr<LeaderElector> elector;
};

TEST_CASE("LeaderElector leads, reports it, and releases the Lease on Stop", "[leader_election]") {
  Leading a;
  CHECK(a.elector->IsLeader());
  CHECK(a.elector->leader() == "a");
  // Renewals go on while it leads.
  const int64_t version = a.server.version;
  REQUIRE(AdvanceUntil(a.clock, [&] { return a.server.version >= version + 3; }));
  CHECK(a.elector->IsLeader());
  CHECK(a.seen.stopped == 0);

  a.elector->Stop();
  CHECK(a.seen.stopped == 1);
  CHECK_FALSE(a.elector->IsLeader());
  CHECK(a.server.Read()->holder_identity.empty());
  const std::lock_guard<std::mutex> lock(a.seen.mu);
  CHECK(a.seen.leaders == std::vector<std::string>{"a"});
}

TEST_CASE("LeaderElector gives up leadership within renew_deadline, before others may take over", "[leader_election]") {
  Leading a;
  const Clock::TimePoint cut_off = a.clock.Now();
  a.server.unavailable = true;
  REQUIRE(AdvanceUntil(a.clock, [&] { return a.seen.stopped == 1; }));
  CHECK_FALSE(a.elector->IsLeader());
  CHECK(a.seen.stopped_at - cut_off >= seconds(8));  // Renewal failures were retried for a while...
  CHECK(a.seen.stopped_at - cut_off < seconds(15));  // ...but it stopped before the Lease could expire.
}

TEST_CASE("LeaderElector takes over from a leader that stopped renewing", "[leader_election]") {
  FakeClock clock;
  FakeLeaseServer server;
  Observed seen_a;
  Observed seen_b;
  LeaderElectionConfig config_a = ConfigFor("a", seen_a, clock);
  config_a.release_on_cancel = false;  // As if killed.
  auto a = LeaderElector::Create(std::make_unique<FakeLeaseLock>(server), config_a, clock);
  auto b = LeaderElector::Create(std::make_unique<FakeLeaseLock>(server), ConfigFor("b", seen_b, clock), clock);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  (*a)->Start();
  REQUIRE(AdvanceUntil(clock, [&] { return seen_a.started == 1; }));
  (*b)->Start();
  REQUIRE(AdvanceUntil(clock, [&] { return (*b)->leader() == "a"; }));
  CHECK(seen_b.started == 0);
  (*a)->Stop();
  CHECK(server.Read()->holder_identity == "a");
  const Clock::TimePoint died = clock.Now();
  REQUIRE(AdvanceUntil(clock, [&] { return seen_b.started == 1; }));
  CHECK(clock.Now() - died >= seconds(13));  // About lease_duration after b last saw a renewal.
  CHECK(server.Read()->holder_identity == "b");
  CHECK(server.Read()->lease_transitions == 1);
  const std::lock_guard<std::mutex> lock(seen_b.mu);
  CHECK(seen_b.leaders == std::vector<std::string>{"a", "b"});
}

TEST_CASE("LeaderGate is held until its deadline, is never shortened, and never reopens once closed",
          "[leader_election]") {
  FakeClock clock;
  LeaderGate gate(clock);
  CHECK_FALSE(gate.Held());
  CHECK_FALSE(gate.EverHeld());
  CHECK(gate.Check().message().find("has not acquired") != std::string::npos);

  gate.HoldUntil(clock.Now() + seconds(10));
  CHECK(gate.Held());
  CHECK(gate.Check().ok());
  gate.HoldUntil(clock.Now() + seconds(5));  // An older renewal answered late: no effect.
  clock.Advance(milliseconds(9'999));
  CHECK(gate.Held());
  clock.Advance(milliseconds(1));
  CHECK_FALSE(gate.Held());
  const Status refused = gate.Check();
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK(refused.message().find("not the leader") != std::string::npos);

  // A renewal that answers after the deadline does not reopen it: the process has begun to stop.
  gate.HoldUntil(clock.Now() + seconds(10));
  CHECK_FALSE(gate.Held());
  CHECK(gate.EverHeld());

  LeaderGate closed(clock);
  closed.HoldUntil(clock.Now() + seconds(10));
  closed.Close();
  CHECK_FALSE(closed.Held());
  closed.HoldUntil(clock.Now() + seconds(20));
  CHECK_FALSE(closed.Held());
}

TEST_CASE("a leader whose renewal hangs closes its gate within renew_deadline, before the Lease can expire",
          "[leader_election]") {
  FakeClock clock;
  FakeLeaseServer server;
  Observed seen;
  LeaderElectionConfig config = ConfigFor("a", seen, clock);
  config.gate = std::make_shared<LeaderGate>(clock);
  const std::shared_ptr<LeaderGate> gate = config.gate;
  auto elector = LeaderElector::Create(std::make_unique<FakeLeaseLock>(server), config, clock);
  REQUIRE(elector.ok());
  CHECK((*elector)->gate() == gate);
  (*elector)->Start();
  REQUIRE(AdvanceUntil(clock, [&] { return seen.started == 1; }));
  CHECK(gate->Held());

  // Every renewal sent from now on hangs; the last one that succeeded was sent at or before now.
  server.SetHung(true);
  const Clock::TimePoint hung_at = clock.Now();
  REQUIRE(AdvanceUntil(clock, [&] { return !gate->Held(); }));
  const Clock::TimePoint closed_at = clock.Now();
  CHECK(closed_at - hung_at <= seconds(10));  // renew_deadline, on this process's clock...
  CHECK(closed_at - hung_at < seconds(15));   // ...so before anyone may take the Lease over.
  // The elector's thread is still stuck in its request and has not reported anything: the gate does not wait
  // for it.
  CHECK(seen.stopped == 0);
  CHECK_FALSE((*elector)->IsLeader());

  // The hung renewal succeeds late: the elector still steps down, and the gate stays shut.
  server.SetHung(false);
  REQUIRE(AdvanceUntil(clock, [&] { return seen.stopped == 1; }));
  CHECK_FALSE(gate->Held());
}

TEST_CASE("Stop closes the gate at once, even while a renewal hangs", "[leader_election]") {
  Leading a;
  a.server.SetHung(true);
  a.clock.Advance(seconds(3));  // The elector wakes and its next renewal hangs.
  std::thread stopper([&] { a.elector->Stop(); });
  // The clock stands still: only Stop can close the gate now.
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (a.elector->gate()->Held() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  CHECK_FALSE(a.elector->gate()->Held());
  CHECK(a.seen.stopped == 0);
  a.server.SetHung(false);
  stopper.join();
  CHECK(a.seen.stopped == 1);
}

}  // namespace
}  // namespace spark_operator::kube
