#include "common/metrics/metrics.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <thread>

namespace spark_operator::metrics {
namespace {

TEST_CASE("the registry renders counters, gauges and histograms in the Prometheus text format") {
  Registry registry;
  auto& requests = registry.AddCounter("app_requests_total", "Requests handled.", {"code", "path"});
  requests.WithLabels({"200", "/a"}).Increment();
  requests.WithLabels({"200", "/a"}).Increment(2);
  requests.WithLabels({"500", "say \"hi\"\\\n"}).Increment();
  registry.AddGauge("app_up", "Whether it is up.").WithLabels({}).Set(1);
  auto& latency = registry.AddHistogram("app_latency_seconds", "Latency.", {}, {0.1, 0.5});
  latency.WithLabels({}).Observe(0.05);
  latency.WithLabels({}).Observe(0.3);
  latency.WithLabels({}).Observe(7);
  CHECK(registry.Render() ==
        "# HELP app_requests_total Requests handled.\n"
        "# TYPE app_requests_total counter\n"
        "app_requests_total{code=\"200\",path=\"/a\"} 3\n"
        "app_requests_total{code=\"500\",path=\"say \\\"hi\\\"\\\\\\n\"} 1\n"
        "# HELP app_up Whether it is up.\n"
        "# TYPE app_up gauge\n"
        "app_up 1\n"
        "# HELP app_latency_seconds Latency.\n"
        "# TYPE app_latency_seconds histogram\n"
        "app_latency_seconds_bucket{le=\"0.1\"} 1\n"
        "app_latency_seconds_bucket{le=\"0.5\"} 2\n"
        "app_latency_seconds_bucket{le=\"+Inf\"} 3\n"
        "app_latency_seconds_sum 7.35\n"
        "app_latency_seconds_count 3\n");
}

TEST_CASE("counters only go up and are safe to use from several threads") {
  Registry registry;
  Counter& c = registry.AddCounter("c_total", "c").WithLabels({});
  c.Increment(-5);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.Increment();
    });
  }
  for (auto& t : threads) t.join();
  CHECK(c.Value() == 40000);
  CHECK(&registry.AddCounter("c_total", "c") == &registry.AddCounter("c_total", "c"));
}

TEST_CASE("values format as Prometheus expects") {
  CHECK(FormatValue(3) == "3");
  CHECK(FormatValue(0.1) == "0.1");
  CHECK(FormatValue(INFINITY) == "+Inf");
  CHECK(FormatValue(-INFINITY) == "-Inf");
  CHECK(FormatValue(NAN) == "NaN");
}

}  // namespace
}  // namespace spark_operator::metrics
