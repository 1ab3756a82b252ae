// Events recorded through EventRecorder, as a user lists them from the real API server.
#include <string>

#include "common/kube/event_recorder.h"
#include "common/kube/time_format.h"
#include "tests/support/cluster.h"

namespace spark_operator::kube {
namespace {

using std::chrono::seconds;
using testing::AdminClient;
using testing::ConfigMap;
using testing::TestNamespace;

// The Events about one object, as `kubectl get events --field-selector involvedObject.name=...` lists them.
rapidjson::Document EventsAbout(Client& client, const std::string& ns, const std::string& name) {
  ListOptions options;
  options.field_selector = "involvedObject.name=" + name;
  Result<rapidjson::Document> events = client.List(resources::kEvents, ns, options);
  REQUIRE(events.ok());
  return std::move(*events);
}

EventRecorderOptions TestOptions() {
  EventRecorderOptions options;
  options.component = "spark-operator-test";
  options.instance = "replica-0";
  return options;
}

TEST_CASE("an Event recorded about a ConfigMap is listed with its object, type, reason and message", "[events]") {
  auto client = AdminClient();
  const TestNamespace ns(client, "ev");
  const Result<rapidjson::Document> cm =
      client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "conf"));
  REQUIRE(cm.ok());
  rapidjson::Document object = CopyJson(*cm);
  // Objects as informers deliver them carry kind and apiVersion.
  SetString(object, {"kind"}, "ConfigMap");
  SetString(object, {"apiVersion"}, "v1");

  EventRecorder recorder(client, TestOptions());
  recorder.Record(object, EventType::kWarning, "InvalidConfig", "spark.executor.cores must be positive");
  REQUIRE(recorder.Flush(seconds(10)));
  CHECK(recorder.stats().created == 1);

  const rapidjson::Document events = EventsAbout(*client, ns.name(), "conf");
  REQUIRE(events["items"].Size() == 1);
  const rapidjson::Value& event = events["items"][0];
  CHECK(GetString(event, {"involvedObject", "kind"}) == "ConfigMap");
  CHECK(GetString(event, {"involvedObject", "apiVersion"}) == "v1");
  CHECK(GetString(event, {"involvedObject", "namespace"}) == ns.name());
  CHECK(GetString(event, {"involvedObject", "uid"}) == UidOf(*cm));
  CHECK(GetString(event, {"involvedObject", "resourceVersion"}) == ResourceVersionOf(*cm));
  CHECK(GetString(event, {"type"}) == "Warning");
  CHECK(GetString(event, {"reason"}) == "InvalidConfig");
  CHECK(GetString(event, {"message"}) == "spark.executor.cores must be positive");
  CHECK(GetString(event, {"source", "component"}) == "spark-operator-test");
  CHECK(GetString(event, {"reportingComponent"}) == "spark-operator-test");
  CHECK(GetString(event, {"reportingInstance"}) == "replica-0");
  CHECK(GetInt(event, {"count"}) == 1);
  CHECK(NameOf(event).rfind("conf.", 0) == 0);
  CHECK(ParseTime(GetString(event, {"firstTimestamp"})).ok());
  CHECK(GetString(event, {"lastTimestamp"}) == GetString(event, {"firstTimestamp"}));
}

TEST_CASE("the same event recorded three times is one Event with count 3", "[events]") {
  auto client = AdminClient();
  const TestNamespace ns(client, "ev");
  const Result<rapidjson::Document> cm = client->Create(resources::kConfigMaps, ns.name(), ConfigMap(ns.name(), "app"));
  REQUIRE(cm.ok());
  rapidjson::Document object = CopyJson(*cm);
  SetString(object, {"kind"}, "ConfigMap");
  SetString(object, {"apiVersion"}, "v1");

  EventRecorder recorder(client, TestOptions());
  for (int i = 0; i < 3; ++i) recorder.Record(object, EventType::kNormal, "Reconciled", "driver pod created");
  // A different message is a different Event.
  recorder.Record(object, EventType::kNormal, "Reconciled", "driver pod running");
  REQUIRE(recorder.Flush(seconds(10)));
  CHECK(recorder.stats().created == 2);
  CHECK(recorder.stats().patched == 2);

  const rapidjson::Document events = EventsAbout(*client, ns.name(), "app");
  REQUIRE(events["items"].Size() == 2);
  int64_t created_count = 0;
  int64_t running_count = 0;
  for (const rapidjson::Value& event : events["items"].GetArray()) {
    const std::string message = GetString(event, {"message"});
    if (message == "driver pod created") created_count = GetInt(event, {"count"});
    if (message == "driver pod running") running_count = GetInt(event, {"count"});
    const Result<WallTime> first = ParseTime(GetString(event, {"firstTimestamp"}));
    const Result<WallTime> last = ParseTime(GetString(event, {"lastTimestamp"}));
    REQUIRE(first.ok());
    REQUIRE(last.ok());
    CHECK(*first <= *last);
  }
  CHECK(created_count == 3);
  CHECK(running_count == 1);
}

}  // namespace
}  // namespace spark_operator::kube
