// Records core/v1 Events about objects, which users read with `kubectl describe` and `kubectl get events`.
// Record never blocks on the API server: events go through bounded queues to background senders, which
// aggregate repeats as client-go's event correlator does (the same event again becomes a patch of the first
// one's count and lastTimestamp instead of a new Event), retries transient failures with back-off, and
// otherwise logs and drops. Events are best-effort by design: losing one must never stop a reconcile.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/base/clock.h"
#include "common/base/status.h"
#include "common/kube/client.h"
#include "common/kube/time_format.h"
#include "common/metrics/metrics.h"

namespace spark_operator::kube {

enum class EventType { kNormal, kWarning };
const char* EventTypeName(EventType type);  // "Normal", "Warning"

// The object an Event is about: core/v1 ObjectReference.
struct InvolvedObject {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string ns;  // Empty for cluster-scoped objects, whose Events go to "default".
  std::string uid;
  std::string resource_version;

  static InvolvedObject From(const rapidjson::Value& object);
};

// Events equal under this key are one Event with a count (client-go's getEventKey, minus the source host).
std::string EventAggregationKey(const InvolvedObject& object, EventType type, std::string_view reason,
                                std::string_view message);

// client-go's eventLogger: remembers the Events sent recently, so that a repeat within `window` of the last
// occurrence patches the existing Event. Bounded; the oldest entries go first. Not thread-safe.
class EventCorrelator {
 public:
  static constexpr size_t kDefaultMaxEntries = 4096;
  explicit EventCorrelator(Clock::Duration window = std::chrono::minutes(10), size_t max_entries = kDefaultMaxEntries);

  struct Decision {
    bool create = true;  // False: patch the Event `name` to `count`.
    std::string name;
    int64_t count = 1;
    std::string first_timestamp;
  };
  // `name` and `timestamp` are used if this starts a new Event.
  Decision Observe(const std::string& key, const std::string& name, const std::string& timestamp, Clock::TimePoint now);
  // The Event could not be written: the next occurrence creates a new one.
  void Forget(const std::string& key);
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    int64_t count = 0;
    std::string first_timestamp;
    Clock::TimePoint last_seen;
  };
  void Evict(Clock::TimePoint now);

  const Clock::Duration window_;
  const size_t max_entries_;
  std::unordered_map<std::string, Entry> entries_;
};

// Where Events are written: the API server, or a fake in unit tests. Used from one thread.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual Status Create(const rapidjson::Value& event) = 0;
  // A JSON merge patch of the Event `ns`/`name`.
  virtual Status Patch(const std::string& ns, const std::string& name, const std::string& patch) = 0;
};
std::unique_ptr<EventSink> NewEventSink(std::shared_ptr<Client> client);

struct EventRecorderOptions {
  std::string component = "spark-operator";  // source.component and reportingComponent.
  std::string instance;                      // reportingInstance and source.host; empty: the host name.
  // In all senders' queues together. When it is full a Warning takes the place of the newest queued Normal event.
  size_t queue_size = 1000;
  // Events written at once. Each sender takes the events of its share of the aggregation keys, so that the
  // repeats of one event stay in order. One sender writing one Event at a time (0.5-1 s each on a loaded API
  // server) dropped 8,799 Events and wrote 3,675 in bench/scale.sh at N = 10,000.
  int senders = 4;
  Clock::Duration aggregation_window = std::chrono::minutes(10);
  // Transient failures (unavailable, timeouts, 429, 5xx) are retried this many times in all, with back-off.
  int max_attempts = 5;
  Clock::Duration initial_backoff = std::chrono::milliseconds(200);
  Clock::Duration max_backoff = std::chrono::seconds(5);
  // Counts EventRecorderStats as spark_operator_events_total{outcome}. Null: not exported; else it must outlive the
  // recorder.
  metrics::Registry* metrics = nullptr;
};

struct EventRecorderStats {
  uint64_t created = 0;
  uint64_t patched = 0;
  uint64_t dropped = 0;  // The queue was full.
  uint64_t failed = 0;   // Given up after retries, or rejected by the server.
};

class EventRecorder {
 public:
  EventRecorder(std::shared_ptr<Client> client, EventRecorderOptions options = {});
  EventRecorder(std::unique_ptr<EventSink> sink, EventRecorderOptions options, Clock& clock = Clock::Real());
  // Waits up to 2 seconds for queued events, then drops the rest and joins.
  ~EventRecorder();
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // `involved_object` is the whole object (kind and apiVersion set, as informers deliver them). Thread-safe;
  // returns at once.
  void Record(const rapidjson::Value& involved_object, EventType type, std::string_view reason,
              std::string_view message);
  void Record(const InvolvedObject& involved_object, EventType type, std::string_view reason, std::string_view message);

  // Waits until everything recorded so far was written, given up or dropped; false on timeout.
  bool Flush(std::chrono::milliseconds timeout);
  EventRecorderStats stats() const;

 private:
  struct Pending {
    InvolvedObject object;
    EventType type;
    std::string reason;
    std::string message;
    WallTime time;
    std::string key;  // EventAggregationKey.
  };
  struct Sender {
    Sender(Clock::Duration aggregation_window, size_t remembered) : correlator(aggregation_window, remembered) {}
    std::deque<Pending> queue;   // Guarded by mutex_.
    bool in_flight = false;      // Guarded by mutex_.
    EventCorrelator correlator;  // Only this sender's thread uses it.
    std::thread thread;
  };
  // Removes and returns the most recently recorded Normal event still queued, if any; mutex_ held.
  std::optional<Pending> TakeNewestNormalLocked();
  void Run(Sender& sender);
  void Send(Sender& sender, const Pending& event);
  // Calls `write` until it succeeds, fails for good or attempts run out.
  template <typename Write>
  Status WithRetries(const std::string& what, Write write);
  bool SleepUnlessStopped(Clock::Duration duration);
  // Adds `n` to the stats' `field` and to its metric; mutex_ held.
  void TallyLocked(uint64_t EventRecorderStats::*field, const char* outcome, uint64_t n = 1);

  const std::unique_ptr<EventSink> sink_;
  const EventRecorderOptions options_;
  Clock& clock_;
  std::string instance_;
  metrics::Family<metrics::Counter>* outcomes_ = nullptr;  // Null without options_.metrics.
  uint64_t subscription_ = 0;

  mutable std::mutex mutex_;  // Guards the fields below and the senders' queues.
  std::condition_variable changed_;
  size_t queued_ = 0;  // In all senders' queues.
  uint64_t last_name_suffix_ = 0;
  bool stop_ = false;
  EventRecorderStats stats_;
  std::vector<std::unique_ptr<Sender>> senders_;  // Last: their threads start once everything is constructed.
};

}  // namespace spark_operator::kube
