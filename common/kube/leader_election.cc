#include "common/kube/leader_election.h"

#include <glog/logging.h>

#include <algorithm>
#include <random>
#include <utility>

#include "common/base/json.h"
#include "common/kube/time_format.h"

namespace spark_operator::kube {
namespace {

// client-go's JitterFactor: acquisition retries wait retry_period * (1 + up to 1.2) so that candidates started
// together do not hit the API server in lock step.
constexpr double kJitterFactor = 1.2;

LeaderElectionRecord RecordFromLease(const rapidjson::Value& lease) {
  LeaderElectionRecord record;
  record.holder_identity = GetString(lease, {"spec", "holderIdentity"});
  record.lease_duration_seconds = static_cast<int>(GetInt(lease, {"spec", "leaseDurationSeconds"}));
  record.acquire_time = GetString(lease, {"spec", "acquireTime"});
  record.renew_time = GetString(lease, {"spec", "renewTime"});
  record.lease_transitions = static_cast<int>(GetInt(lease, {"spec", "leaseTransitions"}));
  return record;
}

void SetOptionalTime(rapidjson::Document& lease, std::string_view field, const std::string& value) {
  if (value.empty()) {
    RemovePath(lease, {"spec", field});
  } else {
    SetString(lease, {"spec", field}, value);
  }
}

// Writes the record into the Lease's spec, leaving the fields it does not know (strategy, preferredHolder) alone.
void SetSpec(rapidjson::Document& lease, const LeaderElectionRecord& record) {
  SetString(lease, {"spec", "holderIdentity"}, record.holder_identity);
  SetPath(lease, {"spec", "leaseDurationSeconds"}, rapidjson::Value(record.lease_duration_seconds));
  SetOptionalTime(lease, "acquireTime", record.acquire_time);
  SetOptionalTime(lease, "renewTime", record.renew_time);
  SetPath(lease, {"spec", "leaseTransitions"}, rapidjson::Value(record.lease_transitions));
}

class KubeLeaseLock final : public LeaseLock {
 public:
  KubeLeaseLock(std::shared_ptr<Client> client, std::string ns, std::string name)
      : client_(std::move(client)), ns_(std::move(ns)), name_(std::move(name)) {}

  Result<LeaderElectionRecord> Get() override {
    ASSIGN_OR_RETURN(rapidjson::Document lease, client_->Get(resources::kLeases, ns_, name_));
    lease_ = std::move(lease);
    return RecordFromLease(lease_);
  }

  Status Create(const LeaderElectionRecord& record) override {
    rapidjson::Document lease(rapidjson::kObjectType);
    SetString(lease, {"apiVersion"}, resources::kLeases.ApiVersion());
    SetString(lease, {"kind"}, "Lease");
    SetString(lease, {"metadata", "name"}, name_);
    SetString(lease, {"metadata", "namespace"}, ns_);
    SetSpec(lease, record);
    ASSIGN_OR_RETURN(rapidjson::Document created, client_->Create(resources::kLeases, ns_, lease));
    lease_ = std::move(created);
    return OkStatus();
  }

  Status Update(const LeaderElectionRecord& record) override {
    if (!lease_.IsObject()) return InternalError("lease " + Describe() + " not read yet");
    // The copy keeps metadata.resourceVersion, which makes the update conditional.
    rapidjson::Document lease = CopyJson(lease_);
    SetSpec(lease, record);
    ASSIGN_OR_RETURN(rapidjson::Document updated, client_->Update(resources::kLeases, lease));
    lease_ = std::move(updated);
    return OkStatus();
  }

  std::string Describe() const override { return ns_ + "/" + name_; }

 private:
  const std::shared_ptr<Client> client_;
  const std::string ns_;
  const std::string name_;
  rapidjson::Document lease_;  // As last read or written; null before.
};

}  // namespace

std::unique_ptr<LeaseLock> NewLeaseLock(std::shared_ptr<Client> client, std::string ns, std::string name) {
  return std::make_unique<KubeLeaseLock>(std::move(client), std::move(ns), std::move(name));
}

// ---------------------------------------------------------------- LeaseCandidate

LeaseCandidate::LeaseCandidate(LeaseLock& lock, std::string identity, std::chrono::seconds lease_duration,
                               const Clock& clock)
    : lock_(lock), identity_(std::move(identity)), lease_duration_(lease_duration), clock_(clock) {}

bool LeaseCandidate::LeaseValid(Clock::TimePoint now) const {
  return observed_time_ + std::chrono::seconds(observed_.lease_duration_seconds) > now;
}

void LeaseCandidate::Observe(const LeaderElectionRecord& record) {
  observed_ = record;
  observed_time_ = clock_.Now();
}

// Strictly increasing, so that every write changes the record: others restart their expiry clock only when
// they see it change, and two renewals within one microsecond (or across a wall-clock step back) must not
// look alike.
std::string LeaseCandidate::Timestamp() {
  last_timestamp_ = std::max(std::chrono::system_clock::now(), last_timestamp_ + std::chrono::microseconds(1));
  return FormatMicroTime(last_timestamp_);
}

bool LeaseCandidate::TryAcquireOrRenew() {
  const Clock::TimePoint now = clock_.Now();
  const std::string stamp = Timestamp();
  LeaderElectionRecord desired{identity_, static_cast<int>(lease_duration_.count()), stamp, stamp, 0};

  // Fast path: the leader renews against the version it wrote last, saving a read per renewal.
  if (IsLeader() && LeaseValid(now)) {
    desired.acquire_time = observed_.acquire_time;
    desired.lease_transitions = observed_.lease_transitions;
    const Status updated = lock_.Update(desired);
    if (updated.ok()) {
      Observe(desired);
      return true;
    }
    LOG(WARNING) << "renewing lease " << lock_.Describe()
                 << " optimistically failed, reading it again: " << updated.ToString();
  }

  Result<LeaderElectionRecord> current = lock_.Get();
  if (!current.ok()) {
    if (!IsNotFound(current.status())) {
      LOG(WARNING) << "reading lease " << lock_.Describe() << ": " << current.status().ToString();
      return false;
    }
    if (const Status created = lock_.Create(desired); !created.ok()) {
      LOG(WARNING) << "creating lease " << lock_.Describe() << ": " << created.ToString();
      return false;
    }
    Observe(desired);
    return true;
  }

  // The expiry clock restarts only when the record changes: a holder that keeps renewing keeps changing
  // renewTime, and one that stopped leaves the record as it was, whatever its timestamps say.
  if (!(*current == observed_)) Observe(*current);
  if (!current->holder_identity.empty() && LeaseValid(now) && !IsLeader()) return false;

  if (IsLeader()) {
    desired.acquire_time = current->acquire_time;
    desired.lease_transitions = current->lease_transitions;
  } else {
    desired.lease_transitions = current->lease_transitions + 1;
  }
  if (const Status updated = lock_.Update(desired); !updated.ok()) {
    // A Conflict here means another candidate wrote first: it won this round.
    LOG(WARNING) << "updating lease " << lock_.Describe() << ": " << updated.ToString();
    return false;
  }
  Observe(desired);
  return true;
}

bool LeaseCandidate::Release() {
  if (!IsLeader()) return true;
  const std::string stamp = Timestamp();
  const LeaderElectionRecord released{"", 1, stamp, stamp, observed_.lease_transitions};
  if (const Status updated = lock_.Update(released); !updated.ok()) {
    LOG(WARNING) << "releasing lease " << lock_.Describe() << ": " << updated.ToString();
    return false;
  }
  Observe(released);
  return true;
}

// ---------------------------------------------------------------- LeaderGate

Status LeaderGate::Check() const {
  if (Held()) return OkStatus();
  if (!EverHeld()) return UnavailableError("not the leader: this replica has not acquired the lease");
  const auto ago = std::chrono::duration_cast<std::chrono::milliseconds>(
      clock_.Now() - Clock::TimePoint(Clock::Duration(until_.load())));
  return UnavailableError("not the leader: the lease was last renewed in time " + std::to_string(ago.count()) +
                          " ms ago" + (closed_ ? " (leadership ended)" : ""));
}

void LeaderGate::HoldUntil(Clock::TimePoint deadline) {
  const Clock::Duration::rep ticks = deadline.time_since_epoch().count();
  Clock::Duration::rep current = until_.load();
  while (!closed_ && current < ticks) {
    // Lapsed is final: the process has begun to stop acting, so a renewal answering late must not reopen it.
    if (current != kNever && clock_.Now().time_since_epoch().count() >= current) return;
    if (until_.compare_exchange_weak(current, ticks)) return;
  }
}

// ---------------------------------------------------------------- LeaderElector

Status ValidateLeaderElectionConfig(const LeaderElectionConfig& config) {
  if (config.identity.empty()) return InvalidArgumentError("leader election: identity must not be empty");
  if (config.lease_name.empty() || config.lease_namespace.empty()) {
    return InvalidArgumentError("leader election: lease namespace and name must not be empty");
  }
  if (config.retry_period <= std::chrono::milliseconds(0)) {
    return InvalidArgumentError("leader election: retry period must be positive");
  }
  if (config.lease_duration <= config.renew_deadline) {
    return InvalidArgumentError("leader election: lease duration must be greater than renew deadline");
  }
  if (config.renew_deadline.count() <= kJitterFactor * static_cast<double>(config.retry_period.count())) {
    return InvalidArgumentError("leader election: renew deadline must be greater than 1.2 * retry period");
  }
  return OkStatus();
}

Result<std::unique_ptr<LeaderElector>> LeaderElector::Create(std::shared_ptr<Client> client,
                                                             LeaderElectionConfig config, Clock& clock) {
  if (client == nullptr) return InvalidArgumentError("leader election: no client");
  std::unique_ptr<LeaseLock> lock = NewLeaseLock(std::move(client), config.lease_namespace, config.lease_name);
  return Create(std::move(lock), std::move(config), clock);
}

Result<std::unique_ptr<LeaderElector>> LeaderElector::Create(std::unique_ptr<LeaseLock> lock,
                                                             LeaderElectionConfig config, Clock& clock) {
  RETURN_IF_ERROR(ValidateLeaderElectionConfig(config));
  return std::unique_ptr<LeaderElector>(new LeaderElector(std::move(lock), std::move(config), clock));
}

LeaderElector::LeaderElector(std::unique_ptr<LeaseLock> lock, LeaderElectionConfig config, Clock& clock)
    : lock_(std::move(lock)),
      config_(std::move(config)),
      clock_(clock),
      candidate_(*lock_, config_.identity, config_.lease_duration, clock_),
      gate_(config_.gate != nullptr ? config_.gate : std::make_shared<LeaderGate>(clock)) {
  subscription_ = clock_.Subscribe([this] {
    const std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  });
}

LeaderElector::~LeaderElector() {
  Stop();
  clock_.Unsubscribe(subscription_);
}

void LeaderElector::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void LeaderElector::Stop() {
  gate_->Close();  // At once: the thread may be stuck in a request for a while.
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string LeaderElector::leader() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return leader_;
}

bool LeaderElector::SleepUntil(Clock::TimePoint deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_ && clock_.Now() < deadline) clock_.WaitUntil(wake_, lock, deadline);
  return !stop_;
}

Clock::Duration LeaderElector::Jittered(Clock::Duration d) {
  std::uniform_real_distribution<double> extra(0.0, kJitterFactor);
  return d + std::chrono::duration_cast<Clock::Duration>(d * extra(random_));
}

void LeaderElector::ReportTransition() {
  const std::string& holder = candidate_.observed_record().holder_identity;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    leader_ = holder;
  }
  if (holder.empty() || holder == reported_leader_) return;
  reported_leader_ = holder;
  if (holder != config_.identity) LOG(INFO) << "lease " << lock_->Describe() << " is held by " << holder;
  if (config_.on_new_leader) config_.on_new_leader(holder);
}

bool LeaderElector::Acquire() {
  LOG(INFO) << config_.identity << " is campaigning for lease " << lock_->Describe();
  while (SleepUntil(clock_.Now())) {  // Only checks for Stop.
    const Clock::TimePoint sent = clock_.Now();
    const bool acquired = candidate_.TryAcquireOrRenew();
    ReportTransition();
    if (acquired) {
      gate_->HoldUntil(sent + config_.renew_deadline);
      return true;
    }
    if (!SleepUntil(clock_.Now() + Jittered(config_.retry_period))) return false;
  }
  return false;
}

void LeaderElector::Renew() {
  while (SleepUntil(clock_.Now() + config_.retry_period)) {
    const Clock::TimePoint sent = clock_.Now();
    const bool renewed = candidate_.TryAcquireOrRenew();
    ReportTransition();
    if (renewed) gate_->HoldUntil(sent + config_.renew_deadline);
    // client-go keeps retrying until the deadline even when another holder is observed; nobody writes
    // another holder unless our lease expired or was released, so giving up at once is only earlier.
    if (!candidate_.IsLeader()) {
      LOG(WARNING) << config_.identity << " lost lease " << lock_->Describe() << " to "
                   << candidate_.observed_record().holder_identity;
      return;
    }
    if (!gate_->Held()) {  // Also when a hung renewal succeeded only after the deadline.
      LOG(WARNING) << config_.identity << " could not renew lease " << lock_->Describe() << " within "
                   << config_.renew_deadline.count() << "ms";
      return;
    }
  }
}

void LeaderElector::Run() {
  if (!Acquire()) return;
  LOG(INFO) << config_.identity << " acquired lease " << lock_->Describe() << " and is leading";
  if (config_.on_started_leading) config_.on_started_leading();
  Renew();
  gate_->Close();
  // As client-go, also after a failed renewal: Release writes only if the last record seen still names us, and
  // only over that version, so it cannot clear a successor's Lease.
  if (config_.release_on_cancel && candidate_.IsLeader() && candidate_.Release()) {
    LOG(INFO) << config_.identity << " released lease " << lock_->Describe();
  }
  ReportTransition();
  LOG(INFO) << config_.identity << " stopped leading lease " << lock_->Describe();
  if (config_.on_stopped_leading) config_.on_stopped_leading();
}

}  // namespace spark_operator::kube
