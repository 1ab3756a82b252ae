// Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics (tools/leaderelection), so
// that of several operator replicas exactly one reconciles, and a replica that dies is replaced within about
// one lease duration.
//
// Expiry is judged by when THIS process last saw the Lease record change (its own monotonic clock), never by
// comparing the Lease's renewTime with the local wall clock: candidates whose clocks disagree still agree on
// who leads. Every write is conditional on the resourceVersion last read, so of two candidates racing for an
// expired Lease one gets a Conflict and loses.
#pragma once

#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "common/base/clock.h"
#include "common/base/status.h"
#include "common/kube/client.h"
#include "common/kube/time_format.h"

namespace spark_operator::kube {

// The Lease's spec, as client-go's resourcelock.LeaderElectionRecord. Times stay in their wire form
// (MicroTime strings): they are only written and copied, never compared.
struct LeaderElectionRecord {
  std::string holder_identity;  // Empty: released, anyone may take it at once.
  int lease_duration_seconds = 0;
  std::string acquire_time;
  std::string renew_time;
  int lease_transitions = 0;

  bool operator==(const LeaderElectionRecord&) const = default;
};

// Where the record lives. One instance per elector; not thread-safe.
class LeaseLock {
 public:
  virtual ~LeaseLock() = default;
  // NotFound when there is no Lease yet.
  virtual Result<LeaderElectionRecord> Get() = 0;
  // AlreadyExists when another candidate created it first.
  virtual Status Create(const LeaderElectionRecord& record) = 0;
  // Conditional on the version seen by the last successful Get, Create or Update: Conflict when anyone wrote
  // since.
  virtual Status Update(const LeaderElectionRecord& record) = 0;
  // "namespace/name", for logs.
  virtual std::string Describe() const = 0;
};

// The Lease `ns`/`name`. Give the elector a client of its own (not rate-limited behind a busy controller) whose
// request timeout is well below renew_deadline, so that a hung request leaves time for another attempt.
std::unique_ptr<LeaseLock> NewLeaseLock(std::shared_ptr<Client> client, std::string ns, std::string name);

// One candidate's decisions, without threads or callbacks: what LeaderElector's thread runs each retry period.
// Public so that the rules can be tested with a fake lock and clock.
class LeaseCandidate {
 public:
  LeaseCandidate(LeaseLock& lock, std::string identity, std::chrono::seconds lease_duration, const Clock& clock);

  // client-go's tryAcquireOrRenew: creates the Lease if absent; renews it if we hold it; takes it if it is
  // released or its holder has not renewed for its leaseDurationSeconds as observed by us. True when we hold
  // the Lease afterwards.
  bool TryAcquireOrRenew();
  // Empties holderIdentity (leaseDurationSeconds 1) if we hold the Lease, so a successor need not wait.
  bool Release();

  // Whether the last record we observed (read or wrote) names us.
  bool IsLeader() const { return observed_.holder_identity == identity_; }
  const LeaderElectionRecord& observed_record() const { return observed_; }
  Clock::TimePoint observed_time() const { return observed_time_; }

 private:
  bool LeaseValid(Clock::TimePoint now) const;
  void Observe(const LeaderElectionRecord& record);
  std::string Timestamp();

  LeaseLock& lock_;
  const std::string identity_;
  const std::chrono::seconds lease_duration_;
  const Clock& clock_;
  LeaderElectionRecord observed_;
  Clock::TimePoint observed_time_{};
  WallTime last_timestamp_{};
};

// Whether this process may act as the leader now, on its own monotonic clock: from acquisition until
// renew_deadline after the last successful renewal was SENT. Others take the Lease only lease_duration after
// they saw that renewal, so a replica that acts only while Held() (and whose writes cannot stay in flight for
// more than lease_duration - renew_deadline) never acts at the same time as its successor, even when a hung
// request keeps its elector from noticing. The elector opens and extends it; every write checks it. Lock-free.
class LeaderGate {
 public:
  explicit LeaderGate(const Clock& clock = Clock::Real()) : clock_(clock) {}
  LeaderGate(const LeaderGate&) = delete;
  LeaderGate& operator=(const LeaderGate&) = delete;

  bool Held() const { return !closed_ && clock_.Now().time_since_epoch().count() < until_.load(); }
  // OK while held; otherwise the Unavailable status a refused write fails with.
  Status Check() const;
  // Held until `deadline`; never shortens, and does nothing once closed or lapsed.
  void HoldUntil(Clock::TimePoint deadline);
  // Leadership ended: never held again (as after a lapse).
  void Close() { closed_ = true; }
  // Whether it was ever held: a standby has nothing to stop.
  bool EverHeld() const { return until_.load() != kNever; }

 private:
  static constexpr Clock::Duration::rep kNever = 0;
  const Clock& clock_;
  std::atomic<Clock::Duration::rep> until_{kNever};  // Clock ticks.
  std::atomic<bool> closed_{false};
};

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // Unique per candidate, e.g. the pod name.
  // How long others wait, after they last saw the Lease change, before taking it.
  std::chrono::seconds lease_duration{15};
  // How long the leader keeps trying to renew before it gives up leadership. Below lease_duration, so that a
  // leader cut off from the API server stops before anyone else may start.
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
  // Called on the elector's thread: must return quickly (start work elsewhere, e.g. signal a main loop).
  std::function<void()> on_started_leading;
  // After leadership ends, whether lost or given up by Stop; only if it had started. The process should
  // stop reconciling (the operator exits).
  std::function<void()> on_stopped_leading;
  // Each time a different (non-empty) holder is observed, ourselves included.
  std::function<void(const std::string& identity)> on_new_leader;
  // Stop releases the Lease, so a successor takes over at once instead of after lease_duration.
  bool release_on_cancel = true;
  // Opened on acquisition and held until renew_deadline after each renewal was sent; the elector makes one if
  // null. Share it with whatever must stop acting with leadership (the controller's writes).
  std::shared_ptr<LeaderGate> gate;
};

// client-go's rules: lease_duration > renew_deadline > 1.2 * retry_period > 0 and a non-empty identity.
Status ValidateLeaderElectionConfig(const LeaderElectionConfig& config);

// Runs the election on its own thread: tries to acquire every retry_period (jittered), then renews every
// retry_period while leading. One-shot: once leadership is lost or Stop is called, it does not campaign again.
class LeaderElector {
 public:
  static Result<std::unique_ptr<LeaderElector>> Create(std::shared_ptr<Client> client, LeaderElectionConfig config,
                                                       Clock& clock = Clock::Real());
  // With any lock (tests use an in-memory one).
  static Result<std::unique_ptr<LeaderElector>> Create(std::unique_ptr<LeaseLock> lock, LeaderElectionConfig config,
                                                       Clock& clock = Clock::Real());
  ~LeaderElector();
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  void Start();
  // Closes the gate at once, ends the campaign, releases the Lease if leading and release_on_cancel, calls
  // on_stopped_leading if it had started, and joins. Waits for a request in flight (bounded by the client's
  // timeout). Idempotent.
  void Stop();
  // The gate: true from on_started_leading until leadership ends; false as soon as the last successful
  // renewal is renew_deadline old, even while a hung request keeps the thread from noticing.
  bool IsLeader() const { return gate_->Held(); }
  const std::shared_ptr<LeaderGate>& gate() const { return gate_; }
  // The holder last observed ("" before the first read).
  std::string leader() const;

 private:
  LeaderElector(std::unique_ptr<LeaseLock> lock, LeaderElectionConfig config, Clock& clock);
  void Run();
  bool Acquire();
  void Renew();
  void ReportTransition();
  // Sleeps until `deadline` on the elector's clock; false when stopped.
  bool SleepUntil(Clock::TimePoint deadline);
  Clock::Duration Jittered(Clock::Duration d);

  const std::unique_ptr<LeaseLock> lock_;
  const LeaderElectionConfig config_;
  Clock& clock_;
  LeaseCandidate candidate_;                        // Only the elector thread uses it.
  std::mt19937_64 random_{std::random_device{}()};  // Only the elector thread; see Informer::random_.
  std::string reported_leader_;
  uint64_t subscription_ = 0;

  const std::shared_ptr<LeaderGate> gate_;
  mutable std::mutex mutex_;  // Guards stop_ and leader_; with wake_ for sleeping.
  std::condition_variable wake_;
  bool stop_ = false;
  std::string leader_;
  std::thread thread_;
};

}  // namespace spark_operator::kube
