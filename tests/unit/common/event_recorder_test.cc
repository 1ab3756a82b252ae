// Event aggregation, queueing and retries against a fake sink; the timestamp formats of the API.
#include "common/kube/event_recorder.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/base/json.h"
#include "common/kube/time_format.h"

namespace spark_operator::kube {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

WallTime At(int64_t micros_since_epoch) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::microseconds(micros_since_epoch)));
}

TEST_CASE("times format as metav1.Time and metav1.MicroTime and parse back", "[time_format]") {
  // 2006-01-02T15:04:05.123456Z
  const WallTime t = At(1136214245123456);
  CHECK(FormatTime(t) == "2006-01-02T15:04:05Z");
  CHECK(FormatMicroTime(t) == "2006-01-02T15:04:05.123456Z");
  CHECK(FormatMicroTime(At(-1500000)) == "1969-12-31T23:59:58.500000Z");

  CHECK(*ParseTime("2006-01-02T15:04:05.123456Z") == t);
  CHECK(*ParseTime("2006-01-02T08:04:05.123456-07:00") == t);
  CHECK(*ParseTime("2006-01-02T15:04:05Z") == At(1136214245000000));
  CHECK(*ParseTime("2006-01-02T15:04:05.1Z") == At(1136214245100000));
  CHECK(*ParseTime(FormatMicroTime(At(-1500000))) == At(-1500000));
  for (const char* bad : {"", "2006-01-02", "2006-01-02T15:04:05", "2006-13-02T15:04:05Z", "2006-01-02T15:04:05.Z",
                          "2006-01-02T15:04:05Zjunk", "2006-01-02 15:04:05Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseTime(bad).ok());
  }
}

const InvolvedObject kPod{"v1", "Pod", "driver", "spark", "uid-1", "100"};

TEST_CASE("events aggregate by object, type, reason and message, not by resourceVersion", "[event_recorder]") {
  const std::string key = EventAggregationKey(kPod, EventType::kNormal, "Submitted", "ok");
  InvolvedObject newer = kPod;
  newer.resource_version = "101";
  CHECK(EventAggregationKey(newer, EventType::kNormal, "Submitted", "ok") == key);
  CHECK(EventAggregationKey(kPod, EventType::kWarning, "Submitted", "ok") != key);
  CHECK(EventAggregationKey(kPod, EventType::kNormal, "Failed", "ok") != key);
  CHECK(EventAggregationKey(kPod, EventType::kNormal, "Submitted", "ok!") != key);
  InvolvedObject other = kPod;
  other.uid = "uid-2";  // A new object of the same name is another object.
  CHECK(EventAggregationKey(other, EventType::kNormal, "Submitted", "ok") != key);
  // Field boundaries cannot be shifted to forge a match.
  CHECK(EventAggregationKey(kPod, EventType::kNormal, "ab", "c") !=
        EventAggregationKey(kPod, EventType::kNormal, "a", "bc"));
}

TEST_CASE("the correlator turns repeats within the window into counts of the first Event", "[event_recorder]") {
  FakeClock clock;
  EventCorrelator correlator(minutes(10), 2);
  EventCorrelator::Decision d = correlator.Observe("k", "x.1", "T1", clock.Now());
  CHECK(d.create);
  CHECK(d.count == 1);
  clock.Advance(minutes(9));
  d = correlator.Observe("k", "x.2", "T2", clock.Now());
  CHECK_FALSE(d.create);
  CHECK(d.name == "x.1");
  CHECK(d.count == 2);
  CHECK(d.first_timestamp == "T1");
  clock.Advance(minutes(9));  // The window slides with each repeat.
  CHECK(correlator.Observe("k", "x.3", "T3", clock.Now()).count == 3);
  clock.Advance(minutes(11));
  d = correlator.Observe("k", "x.4", "T4", clock.Now());
  CHECK(d.create);
  CHECK(d.name == "x.4");

  correlator.Forget("k");
  CHECK(correlator.Observe("k", "x.5", "T5", clock.Now()).create);
  // Bounded: a third key evicts the least recently seen.
  clock.Advance(seconds(1));
  correlator.Observe("j", "y.1", "T", clock.Now());
  clock.Advance(seconds(1));
  correlator.Observe("i", "z.1", "T", clock.Now());
  CHECK(correlator.size() == 2);
  CHECK(correlator.Observe("k", "x.6", "T6", clock.Now()).create);
}

// Records calls; can fail the next calls or block until released.
class FakeSink final : public EventSink {
 public:
  struct Call {
    std::string op;
    std::string ns;
    std::string name;
    std::string body;
  };
  Status Create(const rapidjson::Value& event) override {
    return Handle({"create", NamespaceOf(event), NameOf(event), ToJson(event)});
  }
  Status Patch(const std::string& ns, const std::string& name, const std::string& patch) override {
    return Handle({"patch", ns, name, patch});
  }

  std::vector<Call> calls() {
    const std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  void FailNext(int n, Status status) {
    const std::lock_guard<std::mutex> lock(mu_);
    failures_.assign(static_cast<size_t>(n), std::move(status));
  }
  // The next calls fail with these, in order.
  void FailWith(std::vector<Status> statuses) {
    const std::lock_guard<std::mutex> lock(mu_);
    failures_.assign(statuses.begin(), statuses.end());
  }
  // Calls waiting while blocked.
  int waiting() {
    const std::lock_guard<std::mutex> lock(mu_);
    return waiting_;
  }
  void Block(bool blocked) {
    const std::lock_guard<std::mutex> lock(mu_);
    blocked_ = blocked;
    cv_.notify_all();
  }

 private:
  Status Handle(Call call) {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.wait(lock, [this] { return !blocked_; });
    --waiting_;
    calls_.push_back(std::move(call));
    if (!failures_.empty()) {
      Status failure = failures_.front();
      failures_.pop_front();
      return failure;
    }
    return OkStatus();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Call> calls_;
  std::deque<Status> failures_;
  bool blocked_ = false;
  int waiting_ = 0;
};

EventRecorderOptions FastOptions() {
  EventRecorderOptions options;
  options.component = "spark-operator";
  options.instance = "replica-1";
  options.initial_backoff = milliseconds(1);
  options.max_backoff = milliseconds(4);
  options.max_attempts = 4;
  return options;
}

rapidjson::Document Body(const FakeSink::Call& call) { return std::move(*ParseJson(call.body)); }

// One sender and room for three events, its sink holding every write until unblocked.
struct BlockedSmallRecorder {
  static EventRecorderOptions Options() {
    EventRecorderOptions options = FastOptions();
    options.queue_size = 3;
    options.senders = 1;
    return options;
  }
  BlockedSmallRecorder() : recorder(std::move(sink), Options()) { calls.Block(true); }

  std::unique_ptr<FakeSink> sink = std::make_unique<FakeSink>();
  FakeSink& calls = *sink;  // Declared before the recorder takes the sink.
  EventRecorder recorder;
};

TEST_CASE("EventRecorder writes one Event and counts its repeats", "[event_recorder]") {
  auto sink = std::make_unique<FakeSink>();
  FakeSink& calls = *sink;
  EventRecorder recorder(std::move(sink), FastOptions());
  const rapidjson::Document cm = *ParseJson(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"conf","namespace":"team","uid":"u1","resourceVersion":"7"}})");
  for (int i = 0; i < 3; ++i) recorder.Record(cm, EventType::kWarning, "BadConfig", "key spark.x is unknown");
  REQUIRE(recorder.Flush(seconds(5)));

  const std::vector<FakeSink::Call> sent = calls.calls();
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].op == "create");
  CHECK(sent[0].ns == "team");
  CHECK(sent[0].name.rfind("conf.", 0) == 0);
  const rapidjson::Document event = Body(sent[0]);
  CHECK(GetString(event, {"involvedObject", "kind"}) == "ConfigMap");
  CHECK(GetString(event, {"involvedObject", "apiVersion"}) == "v1");
  CHECK(GetString(event, {"involvedObject", "namespace"}) == "team");
  CHECK(GetString(event, {"involvedObject", "uid"}) == "u1");
  CHECK(GetString(event, {"involvedObject", "resourceVersion"}) == "7");
  CHECK(GetString(event, {"type"}) == "Warning");
  CHECK(GetString(event, {"reason"}) == "BadConfig");
  CHECK(GetString(event, {"source", "component"}) == "spark-operator");
  CHECK(GetString(event, {"reportingInstance"}) == "replica-1");
  CHECK(GetInt(event, {"count"}) == 1);
  CHECK(ParseTime(GetString(event, {"firstTimestamp"})).ok());
  for (int i = 1; i < 3; ++i) {
    CHECK(sent[i].op == "patch");
    CHECK(sent[i].name == sent[0].name);
    CHECK(GetInt(Body(sent[i]), {"count"}) == i + 1);
  }
  CHECK(recorder.stats().created == 1);
  CHECK(recorder.stats().patched == 2);
}

TEST_CASE("Events about cluster-scoped objects go to the default namespace", "[event_recorder]") {
  auto sink = std::make_unique<FakeSink>();
  FakeSink& calls = *sink;
  EventRecorder recorder(std::move(sink), FastOptions());
  recorder.Record(InvolvedObject{"v1", "Node", "node-1", "", "u", ""}, EventType::kNormal, "Seen", "hello");
  REQUIRE(recorder.Flush(seconds(5)));
  REQUIRE(calls.calls().size() == 1);
  CHECK(calls.calls()[0].ns == "default");
  CHECK(FindPath(Body(calls.calls()[0]), {"involvedObject", "namespace"}) == nullptr);
}

TEST_CASE("EventRecorder retries transient failures and gives up on permanent ones", "[event_recorder]") {
  auto sink = std::make_unique<FakeSink>();
  FakeSink& calls = *sink;
  EventRecorder recorder(std::move(sink), FastOptions());

  calls.FailNext(2, UnavailableError("connection refused"));
  recorder.Record(kPod, EventType::kNormal, "Submitted", "one");
  REQUIRE(recorder.Flush(seconds(5)));
  CHECK(calls.calls().size() == 3);
  CHECK(recorder.stats().created == 1);

  calls.FailNext(10, UnavailableError("connection refused"));
  recorder.Record(kPod, EventType::kNormal, "Submitted", "two");
  REQUIRE(recorder.Flush(seconds(5)));
  CHECK(calls.calls().size() == 3 + 4);  // max_attempts
  CHECK(recorder.stats().failed == 1);

  calls.FailNext(1, Status(StatusCode::kInvalid, "Event is invalid"));
  recorder.Record(kPod, EventType::kNormal, "Submitted", "three");
  REQUIRE(recorder.Flush(seconds(5)));
  CHECK(calls.calls().size() == 7 + 1);
  CHECK(recorder.stats().failed == 2);

  // A failed Event is forgotten: its repeat creates one instead of patching one that does not exist.
  recorder.Record(kPod, EventType::kNormal, "Submitted", "three");
  REQUIRE(recorder.Flush(seconds(5)));
  CHECK(calls.calls().back().op == "create");

  // The Event was deleted meanwhile (--event-ttl): the patch finds nothing, so it is written anew.
  calls.FailNext(1, NotFoundError("events not found"));
  recorder.Record(kPod, EventType::kNormal, "Submitted", "three");
  REQUIRE(recorder.Flush(seconds(5)));
  const std::vector<FakeSink::Call> sent = calls.calls();
  REQUIRE(sent.size() == 8 + 1 + 2);
  CHECK(sent[9].op == "patch");
  CHECK(sent[10].op == "create");
  CHECK(GetInt(Body(sent[10]), {"count"}) == 2);
}

TEST_CASE("a retried create that finds its Event already there counts as written", "[event_recorder]") {
  auto sink = std::make_unique<FakeSink>();
  FakeSink& calls = *sink;
  EventRecorder recorder(std::move(sink), FastOptions());
  // The first POST reached the API server but its answer was lost; the retry finds the Event by its name.
  calls.FailWith({UnavailableError("reading from api: end of stream"), AlreadyExistsError("events \"x\" exists")});
  recorder.Record(kPod, EventType::kNormal, "Submitted", "once");
  REQUIRE(recorder.Flush(seconds(5)));
  REQUIRE(calls.calls().size() == 2);
  CHECK(calls.calls()[1].name == calls.calls()[0].name);
  CHECK(recorder.stats().created == 1);
  CHECK(recorder.stats().failed == 0);
  // So its repeat patches that Event rather than creating a second one.
  recorder.Record(kPod, EventType::kNormal, "Submitted", "once");
  REQUIRE(recorder.Flush(seconds(5)));
  REQUIRE(calls.calls().size() == 3);
  CHECK(calls.calls()[2].op == "patch");

  // AlreadyExists on the first attempt is not ours to claim: it stays a failure.
  calls.FailWith({AlreadyExistsError("events \"y\" exists")});
  recorder.Record(kPod, EventType::kNormal, "Submitted", "other");
  REQUIRE(recorder.Flush(seconds(5)));
  CHECK(recorder.stats().failed == 1);
}

TEST_CASE("EventRecorder drops events when its queue is full instead of blocking", "[event_recorder]") {
  BlockedSmallRecorder setup;
  FakeSink& calls = setup.calls;
  EventRecorder& recorder = setup.recorder;
  for (int i = 0; i < 10; ++i) recorder.Record(kPod, EventType::kNormal, "R", "message " + std::to_string(i));
  CHECK_FALSE(recorder.Flush(milliseconds(50)));
  // At most one was taken by the sender before the queue filled up.
  CHECK(recorder.stats().dropped >= 6);
  CHECK(recorder.stats().dropped <= 7);
  calls.Block(false);
  REQUIRE(recorder.Flush(seconds(5)));
  CHECK(recorder.stats().created + recorder.stats().dropped == 10);
}

TEST_CASE("a Warning recorded into a full queue takes the newest Normal event's place", "[event_recorder]") {
  BlockedSmallRecorder setup;
  FakeSink& calls = setup.calls;
  EventRecorder& recorder = setup.recorder;
  recorder.Record(kPod, EventType::kNormal, "Submitted", "normal 0");
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (calls.waiting() < 1 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  REQUIRE(calls.waiting() == 1);  // "normal 0" is being written; the queue is empty.
  for (int i = 1; i <= 5; ++i) recorder.Record(kPod, EventType::kNormal, "Submitted", "normal " + std::to_string(i));
  // Queued: normal 1-3; normal 4 and 5 were dropped. Each Warning evicts the newest Normal still queued; the fourth
  // finds none and is dropped itself.
  for (int i = 1; i <= 4; ++i) recorder.Record(kPod, EventType::kWarning, "BadConfig", "warning " + std::to_string(i));
  CHECK(recorder.stats().dropped == 6);
  calls.Block(false);
  REQUIRE(recorder.Flush(seconds(5)));
  std::vector<std::string> written;
  for (const FakeSink::Call& call : calls.calls()) {
    const rapidjson::Document event = Body(call);
    written.push_back(GetString(event, {"type"}) + ": " + GetString(event, {"message"}));
  }
  CHECK(written ==
        std::vector<std::string>{"Normal: normal 0", "Warning: warning 1", "Warning: warning 2", "Warning: warning 3"});
  CHECK(recorder.stats().created == 4);
}

TEST_CASE("EventRecorder counts what became of each event in spark_operator_events_total", "[event_recorder]") {
  auto sink = std::make_unique<FakeSink>();
  FakeSink& calls = *sink;
  metrics::Registry registry;
  EventRecorderOptions options = FastOptions();
  options.queue_size = 1;
  options.senders = 1;
  options.metrics = &registry;
  EventRecorder recorder(std::move(sink), options);
  const auto outcome = [&](const char* label) {
    return registry.AddCounter("spark_operator_events_total", "", {"outcome"}).WithLabels({label}).Value();
  };
  recorder.Record(kPod, EventType::kNormal, "R", "same");
  recorder.Record(kPod, EventType::kNormal, "R", "same");  // Queued behind the first, or dropped: the queue holds 1.
  REQUIRE(recorder.Flush(seconds(5)));
  calls.Block(true);
  for (int i = 0; i < 4; ++i) recorder.Record(kPod, EventType::kNormal, "R", "other " + std::to_string(i));
  calls.Block(false);
  REQUIRE(recorder.Flush(seconds(5)));

  const EventRecorderStats stats = recorder.stats();
  CHECK(stats.dropped >= 2);
  CHECK(outcome("created") == static_cast<double>(stats.created));
  CHECK(outcome("patched") == static_cast<double>(stats.patched));
  CHECK(outcome("dropped") == static_cast<double>(stats.dropped));
  CHECK(outcome("created") + outcome("patched") + outcome("dropped") == 6);
}

TEST_CASE("EventRecorder writes with several senders at once, each event's repeats in order", "[event_recorder]") {
  auto sink = std::make_unique<FakeSink>();
  FakeSink& calls = *sink;
  EventRecorderOptions options = FastOptions();
  options.senders = 4;
  EventRecorder recorder(std::move(sink), options);
  calls.Block(true);
  for (int i = 0; i < 40; ++i) recorder.Record(kPod, EventType::kNormal, "R", "message " + std::to_string(i));
  for (int i = 0; i < 3; ++i) recorder.Record(kPod, EventType::kNormal, "R", "again");
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (calls.waiting() < 4 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  CHECK(calls.waiting() == 4);  // Four writes in flight at once, one per sender.
  calls.Block(false);
  REQUIRE(recorder.Flush(seconds(5)));
  CHECK(recorder.stats().created == 41);
  CHECK(recorder.stats().patched == 2);
  std::vector<std::string> again;
  for (const FakeSink::Call& call : calls.calls()) {
    if (call.body.find("again") != std::string::npos) again.push_back(call.op);
  }
  CHECK(again == std::vector<std::string>{"create", "patch", "patch"});
}

}  // namespace
}  // namespace spark_operator::kube
