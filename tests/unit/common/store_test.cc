// The informer's cache: lookups by key and by the indexes its owner adds, and no index it was not asked for.
#include "common/kube/store.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "common/base/json.h"

namespace spark_operator::kube {
namespace {

ObjectPtr Pod(const std::string& ns, const std::string& name, const std::string& app) {
  Result<rapidjson::Document> doc = ParseJson(R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns +
                                              R"(","labels":{"app":")" + app + R"("}}})");
  REQUIRE(doc.ok());
  return CompactCopy(*doc);
}

std::set<std::string> Names(const std::vector<ObjectPtr>& objects) {
  std::set<std::string> names;
  for (const ObjectPtr& o : objects) names.insert(NameOf(*o));
  return names;
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

}  // namespace
}  // namespace spark_operator::kube
