// An app that asks the initializer for mounts, with no initializer installed: the controller notices the driver
// pod came out unmutated and fails the app, instead of letting the job run without its configuration.
#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

TEST_CASE("without the initializer webhook, an app that needs its mounts fails with a clear message") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "mounts");
  RunningController controller(ns.name());
  rapidjson::Document app = ExampleApp(ns.name(), "conf");
  SetString(app, {"spec", "sparkConfigMap"}, "spark-conf");
  CreateApp(*client, app);

  REQUIRE(Eventually([&] { return State(*client, ns.name(), "conf") == "FAILED"; }, std::chrono::seconds(120)));
  const std::string message =
      GetString(GetApp(*client, ns.name(), "conf"), {"status", "applicationState", "errorMessage"});
  CHECK_THAT(message, Catch::Contains(
                          "driver pod conf-1-driver was created without sparkConfigMap spark-conf at /etc/spark/conf"));
  CHECK_THAT(message, Catch::Contains("spark-operator-initializer webhook did not mutate it"));
  // Events are sent after the status write that they announce, so the state can be read first.
  CHECK(Eventually([&] { return HasEvent(*client, ns.name(), "conf", "Warning/SparkApplicationFailed"); }));
  CHECK(Eventually([&] { return PodNames(*client, ns.name(), "spark-role=driver").empty(); }));
}

}  // namespace
}  // namespace spark_operator::controller::testing
