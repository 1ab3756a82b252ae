// A reconcile right after our own status write reads what the write returned, not the cache's older copy, and the
// cache is the judge again as soon as it has caught up or someone else changed the app.
#include "controller/own_writes.h"

#include <catch2/catch.hpp>

#include "common/base/json.h"
#include "controller/cache_transform.h"

namespace spark_operator::controller {
namespace {

kube::ObjectPtr App(const std::string& version, const std::string& state) {
  return std::make_shared<const rapidjson::Document>(
      ParseJson(R"({"metadata":{"name":"app","namespace":"ns","resourceVersion":")" + version +
                R"("},"status":{"applicationState":{"state":")" + state + R"("}}})")
          .value());
}

kube::PackedObject Packed(const kube::ObjectPtr& app) {
  return kube::PackedObject::Pack("ns/app", *app, AppCacheDictionary().get());
}

std::string StateOf(const kube::ObjectPtr& app) { return GetString(*app, {"status", "applicationState", "state"}); }

TEST_CASE("the object our write returned is read while the cache holds the version it replaced") {
  OwnWrites writes;
  const kube::ObjectPtr written = App("11", "SUBMITTED");
  writes.Record("ns/app", "10", Packed(written));

  const kube::ObjectPtr read = writes.Fresher("ns/app", App("10", "NEW"));
  CHECK(ToJson(*read) == ToJson(*written));
  // Another app's cached object is left alone.
  CHECK(StateOf(writes.Fresher("ns/other", App("10", "NEW"))) == "NEW");
}

TEST_CASE("once the cache has caught up or moved on, it is read, and the kept write is gone") {
  OwnWrites writes;
  writes.Record("ns/app", "10", Packed(App("11", "SUBMITTED")));
  // Someone else's change (version 12) wins over our kept write.
  CHECK(StateOf(writes.Fresher("ns/app", App("12", "FAILED"))) == "FAILED");
  // Dropped: even the replaced version is now taken from the cache.
  CHECK(StateOf(writes.Fresher("ns/app", App("10", "NEW"))) == "NEW");
}

TEST_CASE("a chain of our writes the cache has not seen: any version they replaced reads the last one") {
  OwnWrites writes;
  writes.Record("ns/app", "10", Packed(App("11", "SUBMITTED")));
  writes.Record("ns/app", "11", Packed(App("12", "RUNNING")));
  CHECK(StateOf(writes.Fresher("ns/app", App("10", "NEW"))) == "RUNNING");
  CHECK(StateOf(writes.Fresher("ns/app", App("11", "SUBMITTED"))) == "RUNNING");
  writes.Forget("ns/app");
  CHECK(StateOf(writes.Fresher("ns/app", App("11", "SUBMITTED"))) == "SUBMITTED");
}

}  // namespace
}  // namespace spark_operator::controller
