// A reconcile right after our own status write reads what the write returned, not the cache's older copy, and the
// cache is the judge again as soon as it has caught up or someone else changed the app.
#include "controller/own_writes.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "common/base/json.h"

namespace spark_operator::controller {
namespace {

kube::ObjectPtr App(const std::string& version, const std::string& state) {
  return std::make_shared<const rapidjson::Document>(
      ParseJson(R"({"metadata":{"name":"app","namespace":"ns","resourceVersion":")" + version +
                R"("},"status":{"applicationState":{"state":")" + state + R"("}}})")
          .value());
}

std::string StateOf(const kube::ObjectPtr& app) { return GetString(*app, {"status", "applicationState", "state"}); }

TEST_CASE("the object our write returned is read while the cache holds the version it replaced") {
  OwnWrites writes;
  const kube::ObjectPtr written = App("11", "SUBMITTED");
  const kube::ObjectPtr kept = writes.Record("ns/app", "10", *written);
  CHECK(ToJson(*kept) == ToJson(*written));

  CHECK(ToJson(*writes.Fresher("ns/app", App("10", "NEW"))) == ToJson(*written));
  // Another app's cached object is left alone.
  CHECK(StateOf(writes.Fresher("ns/other", App("10", "NEW"))) == "NEW");
}

TEST_CASE("once the cache has our write, it is read, and the kept write is gone") {
  OwnWrites writes;
  writes.Record("ns/app", "10", *App("11", "SUBMITTED"));
  // The cache caught up: its own object is read.
  const kube::ObjectPtr cached = App("11", "SUBMITTED");
  CHECK(writes.Fresher("ns/app", cached) == cached);
  // Dropped: even the replaced version is now taken from the cache.
  CHECK(StateOf(writes.Fresher("ns/app", App("10", "NEW"))) == "NEW");
}

TEST_CASE("someone else's later change wins over our kept write") {
  OwnWrites writes;
  writes.Record("ns/app", "10", *App("11", "SUBMITTED"));
  CHECK(StateOf(writes.Fresher("ns/app", App("12", "FAILED"))) == "FAILED");
  CHECK(StateOf(writes.Fresher("ns/app", App("10", "NEW"))) == "NEW");
}

TEST_CASE("a chain of our writes the cache has not seen: any version they replaced reads the last one") {
  OwnWrites writes;
  writes.Record("ns/app", "10", *App("11", "SUBMITTED"));
  writes.Record("ns/app", "11", *App("12", "RUNNING"));
  CHECK(StateOf(writes.Fresher("ns/app", App("10", "NEW"))) == "RUNNING");
  CHECK(StateOf(writes.Fresher("ns/app", App("11", "SUBMITTED"))) == "RUNNING");
  writes.Forget("ns/app");
  CHECK(StateOf(writes.Fresher("ns/app", App("11", "SUBMITTED"))) == "SUBMITTED");
}

TEST_CASE("a chain remembers the last 8 versions it replaced") {
  OwnWrites writes;
  for (int version = 10; version < 20; ++version) {
    writes.Record("ns/app", std::to_string(version), *App(std::to_string(version + 1), "RUNNING"));
  }
  CHECK(StateOf(writes.Fresher("ns/app", App("12", "OLD"))) == "RUNNING");
  // Version 11 fell out of the chain: the cache's object is read and the kept write dropped.
  CHECK(StateOf(writes.Fresher("ns/app", App("11", "OLD"))) == "OLD");
}

}  // namespace
}  // namespace spark_operator::controller
