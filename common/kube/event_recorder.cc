#include "common/kube/event_recorder.h"

#include <glog/logging.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <utility>

#include "common/base/backoff.h"
#include "common/base/json.h"

namespace spark_operator::kube {
namespace {

class KubeEventSink final : public EventSink {
 public:
  explicit KubeEventSink(std::shared_ptr<Client> client) : client_(std::move(client)) {}

  Status Create(const rapidjson::Value& event) override {
    return client_->Create(resources::kEvents, NamespaceOf(event), event).status();
  }
  Status Patch(const std::string& ns, const std::string& name, const std::string& patch) override {
    return client_->Patch(resources::kEvents, ns, name, PatchType::kMerge, patch).status();
  }

 private:
  const std::shared_ptr<Client> client_;
};

// Worth another attempt: the server was unreachable, slow, overloaded or failed internally. Anything else
// (Invalid, Forbidden, a namespace being deleted) will fail the same way again.
bool IsTransient(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kTooManyRequests:
    case StatusCode::kInternal:
      return true;
    default:
      return false;
  }
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

void SetIfNotEmpty(rapidjson::Document& doc, JsonPath path, const std::string& value) {
  if (!value.empty()) SetString(doc, path, value);
}

}  // namespace

const char* EventTypeName(EventType type) { return type == EventType::kWarning ? "Warning" : "Normal"; }

InvolvedObject InvolvedObject::From(const rapidjson::Value& object) {
  return InvolvedObject{GetString(object, {"apiVersion"}),
                        GetString(object, {"kind"}),
                        NameOf(object),
                        NamespaceOf(object),
                        UidOf(object),
                        ResourceVersionOf(object)};
}

std::string EventAggregationKey(const InvolvedObject& object, EventType type, std::string_view reason,
                                std::string_view message) {
  // Length-prefixed, so that no choice of values makes two different events share a key. The resourceVersion
  // is left out: it changes with every update of the object, and repeats are exactly what should aggregate.
  std::string key;
  for (const std::string_view part :
       {std::string_view(object.api_version), std::string_view(object.kind), std::string_view(object.ns),
        std::string_view(object.name), std::string_view(object.uid), std::string_view(EventTypeName(type)), reason,
        message}) {
    key += std::to_string(part.size());
    key += ':';
    key += part;
  }
  return key;
}

// ---------------------------------------------------------------- EventCorrelator

EventCorrelator::EventCorrelator(Clock::Duration window, size_t max_entries)
    : window_(window), max_entries_(std::max<size_t>(max_entries, 1)) {}

EventCorrelator::Decision EventCorrelator::Observe(const std::string& key, const std::string& name,
                                                   const std::string& timestamp, Clock::TimePoint now) {
  auto it = entries_.find(key);
  if (it != entries_.end() && now - it->second.last_seen <= window_) {
    Entry& entry = it->second;
    ++entry.count;
    entry.last_seen = now;
    return Decision{false, entry.name, entry.count, entry.first_timestamp};
  }
  if (it == entries_.end() && entries_.size() >= max_entries_) Evict(now);
  entries_[key] = Entry{name, 1, timestamp, now};
  return Decision{true, name, 1, timestamp};
}

void EventCorrelator::Forget(const std::string& key) { entries_.erase(key); }

void EventCorrelator::Evict(Clock::TimePoint now) {
  std::erase_if(entries_, [&](const auto& entry) { return now - entry.second.last_seen > window_; });
  while (entries_.size() >= max_entries_) {
    const auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second.last_seen < b.second.last_seen;
    });
    entries_.erase(oldest);
  }
}

// ---------------------------------------------------------------- EventRecorder

std::unique_ptr<EventSink> NewEventSink(std::shared_ptr<Client> client) {
  return std::make_unique<KubeEventSink>(std::move(client));
}

EventRecorder::EventRecorder(std::shared_ptr<Client> client, EventRecorderOptions options)
    : EventRecorder(NewEventSink(std::move(client)), std::move(options)) {}

EventRecorder::EventRecorder(std::unique_ptr<EventSink> sink, EventRecorderOptions options, Clock& clock)
    : sink_(std::move(sink)),
      options_(std::move(options)),
      clock_(clock),
      instance_(options_.instance.empty() ? HostName() : options_.instance),
      outcomes_(options_.metrics == nullptr
                    ? nullptr
                    : &options_.metrics->AddCounter(
                          "spark_operator_events_total",
                          "Events recorded, by outcome: created, patched (a repeat), dropped, failed.", {"outcome"})) {
  subscription_ = clock_.Subscribe([this] {
    const std::lock_guard<std::mutex> lock(mutex_);
    changed_.notify_all();
  });
  // The senders share out the Events one correlator would remember, as they share out the keys.
  const int senders = std::max(options_.senders, 1);
  for (int i = 0; i < senders; ++i) {
    senders_.push_back(
        std::make_unique<Sender>(options_.aggregation_window, EventCorrelator::kDefaultMaxEntries / senders));
  }
  for (const std::unique_ptr<Sender>& sender : senders_) {
    sender->thread = std::thread([this, s = sender.get()] { Run(*s); });
  }
}

EventRecorder::~EventRecorder() {
  if (!Flush(std::chrono::seconds(2))) LOG(WARNING) << "event recorder: giving up on unsent events at shutdown";
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  for (const std::unique_ptr<Sender>& sender : senders_) sender->thread.join();
  clock_.Unsubscribe(subscription_);
}

void EventRecorder::Record(const rapidjson::Value& involved_object, EventType type, std::string_view reason,
                           std::string_view message) {
  Record(InvolvedObject::From(involved_object), type, reason, message);
}

void EventRecorder::Record(const InvolvedObject& involved_object, EventType type, std::string_view reason,
                           std::string_view message) {
  std::string key = EventAggregationKey(involved_object, type, reason, message);
  Sender& sender = *senders_[std::hash<std::string>{}(key) % senders_.size()];
  Pending event{involved_object, type, std::string(reason), std::string(message), std::chrono::system_clock::now(),
                std::move(key)};
  std::optional<Pending> dropped;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    bool room = !stop_ && queued_ < options_.queue_size;
    // A Warning tells a user what went wrong: when a burst has filled the queue it takes the place of the newest
    // Normal one, which only tells that something went as asked.
    if (!stop_ && !room && type == EventType::kWarning) {
      dropped = TakeNewestNormalLocked();
      room = dropped.has_value();
    }
    if (room) {
      if (!dropped) ++queued_;
      sender.queue.push_back(std::move(event));
      changed_.notify_all();
    } else {
      dropped = std::move(event);
    }
    if (dropped) TallyLocked(&EventRecorderStats::dropped, "dropped");
  }
  if (!dropped) return;
  LOG(WARNING) << "event queue full, dropping " << EventTypeName(dropped->type) << " event " << dropped->reason
               << " for " << dropped->object.kind << " " << dropped->object.ns << "/" << dropped->object.name << ": "
               << dropped->message;
}

std::optional<EventRecorder::Pending> EventRecorder::TakeNewestNormalLocked() {
  std::deque<Pending>* queue = nullptr;
  std::deque<Pending>::iterator newest;
  for (const std::unique_ptr<Sender>& sender : senders_) {
    const auto last_normal = std::find_if(sender->queue.rbegin(), sender->queue.rend(),
                                          [](const Pending& pending) { return pending.type == EventType::kNormal; });
    if (last_normal == sender->queue.rend()) continue;
    if (queue == nullptr || last_normal->time > newest->time) {
      queue = &sender->queue;
      newest = std::prev(last_normal.base());
    }
  }
  if (queue == nullptr) return std::nullopt;
  Pending taken = std::move(*newest);
  queue->erase(newest);
  return taken;
}

bool EventRecorder::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] {
    return queued_ == 0 && std::none_of(senders_.begin(), senders_.end(), [](const auto& s) { return s->in_flight; });
  });
}

void EventRecorder::TallyLocked(uint64_t EventRecorderStats::*field, const char* outcome, uint64_t n) {
  stats_.*field += n;
  if (outcomes_ != nullptr) outcomes_->WithLabels({outcome}).Increment(static_cast<double>(n));
}

EventRecorderStats EventRecorder::stats() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

bool EventRecorder::SleepUnlessStopped(Clock::Duration duration) {
  const Clock::TimePoint deadline = clock_.Now() + duration;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_ && clock_.Now() < deadline) clock_.WaitUntil(changed_, lock, deadline);
  return !stop_;
}

void EventRecorder::Run(Sender& sender) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [this, &sender] { return stop_ || !sender.queue.empty(); });
    if (stop_) break;
    const Pending event = std::move(sender.queue.front());
    sender.queue.pop_front();
    --queued_;
    sender.in_flight = true;
    lock.unlock();
    Send(sender, event);
    lock.lock();
    sender.in_flight = false;
    changed_.notify_all();
  }
  if (!sender.queue.empty()) {
    LOG(WARNING) << "event recorder stopped, dropping " << sender.queue.size() << " unsent events";
    TallyLocked(&EventRecorderStats::dropped, "dropped", sender.queue.size());
    queued_ -= sender.queue.size();
    sender.queue.clear();
    changed_.notify_all();
  }
}

template <typename Write>
Status EventRecorder::WithRetries(const std::string& what, Write write) {
  ExponentialBackoff backoff(options_.initial_backoff, 2.0, options_.max_backoff, 0.2);
  for (int attempt = 1;; ++attempt) {
    const Status status = write();
    if (status.ok() || !IsTransient(status) || attempt >= std::max(options_.max_attempts, 1)) return status;
    const Clock::Duration delay = backoff.Next();
    LOG(INFO) << "writing " << what << " failed (attempt " << attempt << "), retrying: " << status.ToString();
    if (!SleepUnlessStopped(delay)) return status;
  }
}

void EventRecorder::Send(Sender& sender, const Pending& event) {
  const InvolvedObject& object = event.object;
  const std::string ns = object.ns.empty() ? "default" : object.ns;
  const std::string& key = event.key;
  const std::string timestamp = FormatTime(event.time);
  // client-go's "<name>.<unix nanoseconds in hex>", kept increasing so that two events in one tick differ.
  const auto nanos = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(event.time.time_since_epoch()).count());
  uint64_t name_suffix = 0;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    last_name_suffix_ = std::max(last_name_suffix_ + 1, nanos);
    name_suffix = last_name_suffix_;
  }
  char suffix[24];
  std::snprintf(suffix, sizeof(suffix), "%llx", static_cast<unsigned long long>(name_suffix));
  const EventCorrelator::Decision decision =
      sender.correlator.Observe(key, object.name + "." + suffix, timestamp, clock_.Now());
  const std::string what = "event " + ns + "/" + decision.name + " (" + event.reason + " on " + object.kind + " " +
                           (object.ns.empty() ? "" : object.ns + "/") + object.name + ")";

  Status status;
  if (!decision.create) {
    rapidjson::Document patch(rapidjson::kObjectType);
    SetPath(patch, {"count"}, rapidjson::Value(decision.count));
    SetString(patch, {"lastTimestamp"}, timestamp);
    SetString(patch, {"message"}, event.message);
    const std::string body = ToJson(patch);
    status = WithRetries(what, [&] { return sink_->Patch(ns, decision.name, body); });
    if (status.ok()) {
      const std::lock_guard<std::mutex> lock(mutex_);
      TallyLocked(&EventRecorderStats::patched, "patched");
      return;
    }
  }
  // Also when the patched Event is gone (the API server expires Events after --event-ttl): write it anew.
  if (decision.create || IsNotFound(status)) {
    rapidjson::Document doc(rapidjson::kObjectType);
    SetString(doc, {"apiVersion"}, "v1");
    SetString(doc, {"kind"}, "Event");
    SetString(doc, {"metadata", "name"}, decision.name);
    SetString(doc, {"metadata", "namespace"}, ns);
    SetIfNotEmpty(doc, {"involvedObject", "apiVersion"}, object.api_version);
    SetIfNotEmpty(doc, {"involvedObject", "kind"}, object.kind);
    SetIfNotEmpty(doc, {"involvedObject", "name"}, object.name);
    SetIfNotEmpty(doc, {"involvedObject", "namespace"}, object.ns);
    SetIfNotEmpty(doc, {"involvedObject", "uid"}, object.uid);
    SetIfNotEmpty(doc, {"involvedObject", "resourceVersion"}, object.resource_version);
    SetString(doc, {"reason"}, event.reason);
    SetString(doc, {"message"}, event.message);
    SetString(doc, {"type"}, EventTypeName(event.type));
    SetString(doc, {"source", "component"}, options_.component);
    SetString(doc, {"source", "host"}, instance_);
    SetString(doc, {"firstTimestamp"}, decision.first_timestamp);
    SetString(doc, {"lastTimestamp"}, timestamp);
    SetPath(doc, {"count"}, rapidjson::Value(decision.count));
    SetString(doc, {"reportingComponent"}, options_.component);
    SetString(doc, {"reportingInstance"}, instance_);
    // The name carries this recorder's own nanosecond suffix, so when a retried create finds the Event there,
    // it is the one an earlier attempt wrote before its answer was lost.
    bool retried = false;
    status = WithRetries(what, [&] {
      const Status created = sink_->Create(doc);
      if (retried && IsAlreadyExists(created)) return OkStatus();
      retried = true;
      return created;
    });
    if (status.ok()) {
      const std::lock_guard<std::mutex> lock(mutex_);
      TallyLocked(&EventRecorderStats::created, "created");
      return;
    }
  }
  sender.correlator.Forget(key);
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    TallyLocked(&EventRecorderStats::failed, "failed");
  }
  LOG(WARNING) << "could not write " << what << ": " << status.ToString();
}

}  // namespace spark_operator::kube
