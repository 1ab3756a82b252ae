// Watches and informers against the real API server: ordering, resuming, relisting after compaction, churn.
#include <atomic>
#include <set>
#include <thread>

#include "common/http/client.h"
#include "common/kube/informer.h"
#include "tests/support/cluster.h"

namespace spark_operator::kube {
namespace {

using testing::AdminClient;
using testing::ConfigMap;
using testing::Eventually;
using testing::TestNamespace;
const Resource& kConfigMaps = resources::kConfigMaps;
constexpr char kTestLabel[] = "test=watch";

std::string EventName(const WatchEvent& e) {
  static const char* kNames[] = {"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"};
  return std::string(kNames[static_cast<int>(e.type)]) + " " + NameOf(e.object);
}

// The next non-bookmark event, or a description of what went wrong.
std::string NextEvent(WatchStream& watch, std::string* version = nullptr) {
  for (;;) {
    Result<std::optional<WatchEvent>> event = watch.Next(std::chrono::seconds(10));
    if (!event.ok()) return "error: " + event.status().ToString();
    if (!event->has_value()) return "end";
    if (version != nullptr) *version = ResourceVersionOf((*event)->object);
    if ((*event)->type != WatchEventType::kBookmark) return EventName(**event);
  }
}

// Compacts etcd's history up to its current revision, through etcd's JSON gateway.
void CompactEtcd() {
  const std::string endpoint = testing::ClusterEnv("ETCD_ENDPOINT");
  REQUIRE_FALSE(endpoint.empty());
  auto etcd = http::Client::Create(endpoint, {});
  REQUIRE(etcd.ok());
  const Result<http::Response> range = (*etcd)->Send({"POST", "/v3/kv/range", R"({"key":"AA=="})", {}});
  REQUIRE(range.ok());
  const std::string revision = GetString(testing::Json(range->body), {"header", "revision"});
  REQUIRE_FALSE(revision.empty());
  const Result<http::Response> compacted =
      (*etcd)->Send({"POST", "/v3/kv/compaction", R"({"revision":")" + revision + R"(","physical":true})", {}});
  REQUIRE(compacted.ok());
  REQUIRE(compacted->status == 200);
}

std::map<std::string, std::string> ServerVersions(Client& client, const std::string& ns,
                                                  const std::string& selector = "") {
  std::map<std::string, std::string> versions;
  ListOptions options;
  options.label_selector = selector;
  const Result<rapidjson::Document> list = client.ListAll(kConfigMaps, ns, options);
  REQUIRE(list.ok());
  for (const auto& item : (*list)["items"].GetArray()) versions[ns + "/" + NameOf(item)] = ResourceVersionOf(item);
  return versions;
}

std::map<std::string, std::string> CacheVersions(const Store& store) {
  std::map<std::string, std::string> versions;
  for (const ObjectPtr& object : store.List()) versions[ObjectKey(*object)] = ResourceVersionOf(*object);
  return versions;
}

// Watches the test's own ConfigMaps (not kube-root-ca.crt, which kube-controller-manager adds meanwhile) from
// the current version on.
WatchOptions FromNow(Client& client, const std::string& ns) {
  const Result<rapidjson::Document> list = client.List(kConfigMaps, ns);
  REQUIRE(list.ok());
  WatchOptions options;
  options.resource_version = GetString(*list, {"metadata", "resourceVersion"});
  options.label_selector = kTestLabel;
  return options;
}

TEST_CASE("a watch sees create, update and delete in order") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  WatchOptions options = FromNow(*client, ns.name());
  auto watch = client->Watch(kConfigMaps, ns.name(), options);
  REQUIRE(watch.ok());

  REQUIRE(client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "w", {{"v", "1"}}, {{"test", "watch"}})).ok());
  REQUIRE(client->Patch(kConfigMaps, ns.name(), "w", PatchType::kMerge, R"({"data":{"v":"2"}})").ok());
  REQUIRE(client->Delete(kConfigMaps, ns.name(), "w").ok());

  CHECK(NextEvent(**watch) == "ADDED w");
  CHECK(NextEvent(**watch) == "MODIFIED w");
  CHECK(NextEvent(**watch) == "DELETED w");
}

TEST_CASE("a watch cut mid-stream resumes from the last version without losing or repeating events") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  WatchOptions options = FromNow(*client, ns.name());
  auto first = client->Watch(kConfigMaps, ns.name(), options);
  REQUIRE(first.ok());
  for (int i = 0; i < 6; ++i) {
    REQUIRE(
        client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "c" + std::to_string(i), {}, {{"test", "watch"}}))
            .ok());
  }

  std::string version;
  CHECK(NextEvent(**first, &version) == "ADDED c0");
  CHECK(NextEvent(**first, &version) == "ADDED c1");
  (*first)->Stop();
  CHECK(NextEvent(**first).rfind("error: Cancelled", 0) == 0);

  options.resource_version = version;
  auto second = client->Watch(kConfigMaps, ns.name(), options);
  REQUIRE(second.ok());
  for (int i = 2; i < 6; ++i) CHECK(NextEvent(**second) == "ADDED c" + std::to_string(i));
}

TEST_CASE("after etcd compaction a watch from an old version is Gone and the informer relists") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  const TestNamespace noise(client, "noise");
  REQUIRE(client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "before")).ok());

  InformerOptions options;
  options.resource = kConfigMaps;
  options.ns = ns.name();
  options.min_watch_timeout = std::chrono::seconds(1);  // Re-watch often, from the version it last saw.
  Informer informer(client, options);
  std::mutex seen_mutex;
  std::map<std::string, std::string> seen;  // What the handlers were told, key -> resourceVersion.
  informer.AddHandlers({
      [&](const ObjectPtr& o) {
        std::lock_guard l(seen_mutex);
        seen[ObjectKey(*o)] = ResourceVersionOf(*o);
      },
      [&](const ObjectPtr&, const ObjectPtr& o) {
        std::lock_guard l(seen_mutex);
        seen[ObjectKey(*o)] = ResourceVersionOf(*o);
      },
      [&](const ObjectPtr& o) {
        std::lock_guard l(seen_mutex);
        seen.erase(ObjectKey(*o));
      },
  });
  informer.Start();
  REQUIRE(informer.WaitForSync(std::chrono::seconds(10)));
  const std::string old_version = informer.last_resource_version();

  // History moves on elsewhere and is compacted away.
  for (int i = 0; i < 20; ++i)
    REQUIRE(client->Create(kConfigMaps, noise.name(), ConfigMap(noise.name(), "n" + std::to_string(i))).ok());
  CompactEtcd();

  WatchOptions stale;
  stale.resource_version = old_version;
  Result<std::unique_ptr<WatchStream>> watch = client->Watch(kConfigMaps, ns.name(), stale);
  const std::string outcome = watch.ok() ? NextEvent(**watch) : "error: " + watch.status().ToString();
  INFO("a watch from a compacted version gave: " << outcome);
  CHECK(outcome.rfind("error: Gone", 0) == 0);

  CHECK(Eventually([&] { return informer.stats().gone >= 1 && informer.stats().lists >= 2; }));
  REQUIRE(client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "after")).ok());
  REQUIRE(client->Delete(kConfigMaps, ns.name(), "before").ok());
  CHECK(Eventually([&] { return CacheVersions(informer.store()) == ServerVersions(*client, ns.name()); }));
  std::lock_guard lock(seen_mutex);
  CHECK(seen == ServerVersions(*client, ns.name()));
  informer.Stop();
}

TEST_CASE("1,000 objects churned by another client end with the cache equal to the server") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  // kube-controller-manager adds kube-root-ca.crt to every namespace; the selector leaves it out.
  InformerOptions options;
  options.resource = kConfigMaps;
  options.ns = ns.name();
  options.label_selector = "churn=yes";
  Informer informer(client, options);
  informer.AddIndex(Store::kNamespaceIndex, Store::NamespaceIndexFunc);
  std::atomic<int> adds{0}, deletes{0};
  informer.AddHandlers({[&](const ObjectPtr&) { ++adds; }, nullptr, [&](const ObjectPtr&) { ++deletes; }});
  informer.Start();
  REQUIRE(informer.WaitForSync(std::chrono::seconds(10)));

  // A second client, as another controller would be; four writers at once.
  auto writer = AdminClient();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 1000; i += 4) {
        const std::string name = "churn-" + std::to_string(i);
        if (!writer->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), name, {{"v", "0"}}, {{"churn", "yes"}})).ok())
          ++failures;
        if (i % 3 == 0 && !writer->Patch(kConfigMaps, ns.name(), name, PatchType::kMerge, R"({"data":{"v":"1"}})").ok())
          ++failures;
        if (i % 5 == 0 && !writer->Delete(kConfigMaps, ns.name(), name).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(failures == 0);
  CHECK(Eventually([&] { return CacheVersions(informer.store()) == ServerVersions(*client, ns.name(), "churn=yes"); }));
  CHECK(informer.store().size() == 800);
  CHECK(adds == 1000);
  CHECK(deletes == 200);
  CHECK(informer.store().ByNamespace(ns.name()).size() == 800);
  informer.Stop();
}

TEST_CASE("a list streamed as a watch's first events and a list read page by page fill the cache alike") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  for (int i = 0; i < 250; ++i) {
    const std::string name = "c" + std::to_string(i);
    REQUIRE(client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), name, {}, {{"t", i % 5 ? "1" : "0"}})).ok());
  }
  auto start = [&](bool stream) {
    InformerOptions options;
    options.resource = kConfigMaps;
    options.ns = ns.name();
    options.label_selector = "t=1";
    options.page_size = 30;  // 200 objects: 7 pages.
    options.stream_lists = stream;
    auto informer = std::make_unique<Informer>(client, options);
    informer->Start();
    REQUIRE(informer->WaitForSync(std::chrono::seconds(20)));
    return informer;
  };
  const std::unique_ptr<Informer> streamed = start(true);
  const std::unique_ptr<Informer> paged = start(false);
  CHECK(streamed->store().size() == 200);
  CHECK(CacheVersions(streamed->store()) == ServerVersions(*client, ns.name(), "t=1"));
  CHECK(CacheVersions(paged->store()) == CacheVersions(streamed->store()));
  CHECK(streamed->stats().streamed_lists == 1);
  CHECK(paged->stats().streamed_lists == 0);
  CHECK(paged->stats().lists == 1);

  // The streamed list's watch goes on from the version its end marked.
  REQUIRE(client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "later", {}, {{"t", "1"}})).ok());
  REQUIRE(client->Delete(kConfigMaps, ns.name(), "c1").ok());
  for (Informer* informer : {streamed.get(), paged.get()}) {
    CHECK(Eventually([&] { return CacheVersions(informer->store()) == ServerVersions(*client, ns.name(), "t=1"); }));
  }
  CHECK(streamed->stats().lists == 1);
}

TEST_CASE("an informer's transform shapes what is stored and what handlers see, from the list and the watch") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  REQUIRE(client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "listed", {{"big", "x"}}, {{"t", "1"}})).ok());
  InformerOptions options;
  options.resource = kConfigMaps;
  options.ns = ns.name();
  options.label_selector = "t=1";
  options.transform = [](rapidjson::Document& o) {
    o["metadata"].RemoveMember("managedFields");
    o.RemoveMember("data");
  };
  Informer informer(client, options);
  std::mutex mutex;
  std::vector<std::string> handled;  // "name: has data / has managedFields" as the handlers saw it.
  auto record = [&](const ObjectPtr& o) {
    const std::lock_guard lock(mutex);
    handled.push_back(NameOf(*o) + ": " + (o->HasMember("data") ? "data" : "-") + " " +
                      (FindPath(*o, {"metadata", "managedFields"}) != nullptr ? "managedFields" : "-"));
  };
  informer.AddHandlers({record, [&](const ObjectPtr&, const ObjectPtr& o) { record(o); }, nullptr});
  informer.Start();
  REQUIRE(informer.WaitForSync(std::chrono::seconds(10)));
  REQUIRE(client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "watched", {{"big", "y"}}, {{"t", "1"}})).ok());
  REQUIRE(Eventually([&] { return informer.store().size() == 2; }));

  for (const char* name : {"listed", "watched"}) {
    const ObjectPtr stored = informer.store().Get(ns.name() + "/" + name);
    REQUIRE(stored != nullptr);
    CHECK_FALSE(stored->HasMember("data"));
    CHECK(FindPath(*stored, {"metadata", "managedFields"}) == nullptr);
    CHECK(GetString(*stored, {"metadata", "labels", "t"}) == "1");
    CHECK(GetString(*stored, {"kind"}) == "ConfigMap");
    CHECK_FALSE(ResourceVersionOf(*stored).empty());
  }
  // The server still has both.
  const Result<rapidjson::Document> server = client->Get(kConfigMaps, ns.name(), "watched");
  REQUIRE(server.ok());
  CHECK(server->HasMember("data"));
  const std::lock_guard lock(mutex);
  CHECK(handled == std::vector<std::string>{"listed: - -", "watched: - -"});
  informer.Stop();
}

}  // namespace
}  // namespace spark_operator::kube
