// The informer's cache: lookups by key and by the indexes its owner adds, and no index it was not asked for; each
// read gives the object as it was stored, whatever was written around it.
#include "common/kube/store.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/base/json.h"

namespace spark_operator::kube {
namespace {

rapidjson::Document Pod(const std::string& ns, const std::string& name, const std::string& app,
                        const std::string& version = "1") {
  Result<rapidjson::Document> doc =
      ParseJson(R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns + R"(","resourceVersion":")" + version +
                R"(","labels":{"app":")" + app + R"("}}})");
  REQUIRE(doc.ok());
  return std::move(*doc);
}

std::set<std::string> Names(const std::vector<ObjectPtr>& objects) {
  std::set<std::string> names;
  for (const ObjectPtr& o : objects) names.insert(NameOf(*o));
  return names;
}

std::vector<std::string> Keys(const std::vector<ObjectPtr>& objects) {
  std::vector<std::string> keys;
  for (const ObjectPtr& o : objects) keys.push_back(ObjectKey(*o));
  return keys;
}

// Pods by "namespace/app", as the controller's manager indexes them.
std::vector<std::string> AppOf(const rapidjson::Value& pod) {
  const std::string app = GetString(pod, {"metadata", "labels", "app"});
  if (app.empty()) return {};
  return {NamespaceOf(pod) + "/" + app};
}

TEST_CASE("a store indexes by namespace only when asked to") {
  Store plain;
  plain.Upsert(Pod("a", "p1", "x"));
  CHECK(plain.Get("a/p1") != nullptr);
  CHECK(plain.ByNamespace("a").empty());

  Store indexed;
  indexed.AddIndex(Store::kNamespaceIndex, Store::NamespaceIndexFunc);
  indexed.Upsert(Pod("a", "p1", "x"));
  indexed.Upsert(Pod("a", "p2", "y"));
  indexed.Upsert(Pod("b", "p1", "x"));
  CHECK(Names(indexed.ByNamespace("a")) == std::set<std::string>{"p1", "p2"});
  CHECK(indexed.ByNamespace("b").size() == 1);
  CHECK(indexed.ByNamespace("c").empty());
  indexed.Remove("a/p2");
  CHECK(Names(indexed.ByNamespace("a")) == std::set<std::string>{"p1"});
}

TEST_CASE("a store's own index follows updates and removals") {
  Store store;
  store.AddIndex("app", AppOf);
  store.Upsert(Pod("jobs", "pi-driver", "pi"));
  store.Upsert(Pod("jobs", "pi-exec-1", "pi"));
  store.Upsert(Pod("jobs", "wc-driver", "wc"));
  store.Upsert(Pod("other", "pi-driver", "pi"));
  store.Upsert(Pod("jobs", "loose", ""));
  CHECK(Names(store.ByIndex("app", "jobs/pi")) == std::set<std::string>{"pi-driver", "pi-exec-1"});
  CHECK(store.ByIndex("app", "other/pi").size() == 1);
  CHECK(store.ByIndex("no-such-index", "jobs/pi").empty());

  // Relabelled: it leaves its old value's entry.
  store.Upsert(Pod("jobs", "pi-exec-1", "wc"));
  CHECK(Names(store.ByIndex("app", "jobs/pi")) == std::set<std::string>{"pi-driver"});
  CHECK(Names(store.ByIndex("app", "jobs/wc")) == std::set<std::string>{"pi-exec-1", "wc-driver"});

  CHECK(store.Remove("jobs/pi-driver") != nullptr);
  CHECK(store.Remove("jobs/pi-driver") == nullptr);
  CHECK(store.ByIndex("app", "jobs/pi").empty());
  CHECK(store.size() == 4);
}

TEST_CASE("a store's upsert and remove return the version they replaced, and reads the latest") {
  Store store;
  CHECK(store.Get("jobs/pi") == nullptr);
  CHECK(store.Remove("jobs/pi") == nullptr);
  CHECK(store.List().empty());
  CHECK(store.Upsert(Pod("jobs", "pi", "a", "1")) == nullptr);
  const ObjectPtr replaced = store.Upsert(Pod("jobs", "pi", "a", "2"));
  REQUIRE(replaced != nullptr);
  CHECK(ResourceVersionOf(*replaced) == "1");
  CHECK(ResourceVersionOf(*store.Get("jobs/pi")) == "2");
  CHECK(store.size() == 1);
  const ObjectPtr removed = store.Remove("jobs/pi");
  REQUIRE(removed != nullptr);
  CHECK(ResourceVersionOf(*removed) == "2");
  CHECK(store.Get("jobs/pi") == nullptr);
  CHECK(store.size() == 0);
  // Each read is a Document of its own, which outlives what the store does next.
  store.Upsert(Pod("jobs", "pi", "a", "3"));
  const ObjectPtr read = store.Get("jobs/pi");
  CHECK(read != store.Get("jobs/pi"));
  store.Remove("jobs/pi");
  CHECK(ResourceVersionOf(*read) == "3");
  // A cluster-scoped object's key is its name.
  Result<rapidjson::Document> node = ParseJson(R"({"metadata":{"name":"node-1"}})");
  REQUIRE(node.ok());
  store.Upsert(*node);
  CHECK(store.Get("node-1") != nullptr);
}

TEST_CASE("a store with thousands of objects finds each, lists them by key and forgets the removed") {
  Store store(std::make_shared<const PackDictionary>(R"({"metadata":{"name":"pod-1","namespace":"ns-1",)"
                                                     R"("labels":{"app":"app-1"}}})"));
  store.AddIndex("app", AppOf);
  constexpr int kPods = 5000;
  for (int i = 0; i < kPods; ++i) {
    store.Upsert(Pod("ns-" + std::to_string(i % 7), "pod-" + std::to_string(i), "app-" + std::to_string(i / 6)));
  }
  CHECK(store.size() == kPods);
  // Every other one removed, then some stored again: the table moves entries back over the holes.
  for (int i = 0; i < kPods; i += 2) REQUIRE(store.Remove("ns-" + std::to_string(i % 7) + "/pod-" + std::to_string(i)));
  for (int i = 0; i < kPods; i += 10) store.Upsert(Pod("ns-" + std::to_string(i % 7), "pod-" + std::to_string(i), "x"));
  for (int i = 0; i < kPods; ++i) {
    const ObjectPtr pod = store.Get("ns-" + std::to_string(i % 7) + "/pod-" + std::to_string(i));
    INFO(i);
    REQUIRE((pod != nullptr) == (i % 2 == 1 || i % 10 == 0));
    if (pod) CHECK(NameOf(*pod) == "pod-" + std::to_string(i));
  }
  const std::vector<std::string> keys = store.Keys();
  CHECK(keys.size() == store.size());
  CHECK(std::is_sorted(keys.begin(), keys.end()));
  CHECK(Keys(store.List()) == keys);
  // app-1 is pods 6 to 11: pod-7 in ns-0 stayed, pod-6 in ns-6 went, pod-10 came back in ns-3 as app x.
  CHECK(Names(store.ByIndex("app", "ns-0/app-1")) == std::set<std::string>{"pod-7"});
  CHECK(store.ByIndex("app", "ns-6/app-1").empty());
  CHECK(store.ByIndex("app", "ns-3/app-1").empty());
  const std::vector<std::string> relabelled = Keys(store.ByIndex("app", "ns-0/x"));
  CHECK(std::is_sorted(relabelled.begin(), relabelled.end()));
  CHECK(relabelled.size() == 72);  // Multiples of 10 and of 7: 0, 70, ..., 4970.
}

TEST_CASE("a store's readers see whole objects while its writer replaces them") {
  Store store(std::make_shared<const PackDictionary>(R"({"metadata":{"name":"p1","namespace":"jobs"}})"));
  store.AddIndex("app", AppOf);
  constexpr int kObjects = 50;
  for (int i = 0; i < kObjects; ++i) store.Upsert(Pod("jobs", "p" + std::to_string(i), "a", "0"));
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done) {
        for (const ObjectPtr& o : store.ByIndex("app", "jobs/a")) {
          if (GetString(*o, {"metadata", "labels", "app"}) != "a") ++torn;
        }
        if (const ObjectPtr o = store.Get("jobs/p7"); o && NameOf(*o) != "p7") ++torn;
        for (const ObjectPtr& o : store.List()) {
          if (ResourceVersionOf(*o).empty()) ++torn;
        }
      }
    });
  }
  for (int version = 1; version <= 200; ++version) {
    for (int i = 0; i < kObjects; ++i) {
      if (version % 3 == 0 && i % 5 == 0) {
        store.Remove("jobs/p" + std::to_string(i));
      } else {
        store.Upsert(Pod("jobs", "p" + std::to_string(i), "a", std::to_string(version)));
      }
    }
  }
  done = true;
  for (std::thread& t : readers) t.join();
  CHECK(torn == 0);
  CHECK(store.size() == kObjects);
  CHECK(ResourceVersionOf(*store.Get("jobs/p7")) == "200");
}

}  // namespace
}  // namespace spark_operator::kube
