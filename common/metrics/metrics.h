// A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text exposition
// format (version 0.0.4) for a /metrics endpoint. Metric objects live as long as the registry; all calls are
// thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace spark_operator::metrics {

class Counter {
 public:
  void Increment(double amount = 1);  // Negative amounts are ignored: counters only go up.
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);  // Sorted; +Inf is implied.
  void Observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative_counts;  // One per bound, then +Inf.
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Snap() const;

 private:
  const std::vector<double> upper_bounds_;
  mutable std::mutex mutex_;
  std::vector<uint64_t> counts_;  // Per bucket, not cumulative; last is +Inf.
  double sum_ = 0;
};

// Default latency buckets in seconds, from 100 µs to 10 s.
std::vector<double> DefaultLatencyBuckets();

// All series of one metric name, keyed by label values (in the order of the family's label names).
template <typename T>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::vector<double> buckets = {})
      : label_names_(std::move(label_names)), buckets_(std::move(buckets)) {}

  // The series for these label values, created on first use. Missing values are empty, extras ignored.
  T& WithLabels(const std::vector<std::string>& values);

  const std::vector<std::string>& label_names() const { return label_names_; }
  // Calls f(label_values, series) in label order.
  template <typename F>
  void ForEach(F&& f) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, series] : series_) f(values, *series);
  }

 private:
  const std::vector<std::string> label_names_;
  const std::vector<double> buckets_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> series_;
};

class Registry {
 public:
  // Names must be unique within the registry and match [a-zA-Z_:][a-zA-Z0-9_:]*; a second registration
  // of the same name and type returns the first family.
  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names = {},
                                  std::vector<double> buckets = DefaultLatencyBuckets());

  // The text exposition format, families in registration order.
  std::string Render() const;

  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  struct Entry {
    std::string name;
    std::string help;
    std::unique_ptr<Family<Counter>> counter;
    std::unique_ptr<Family<Gauge>> gauge;
    std::unique_ptr<Family<Histogram>> histogram;
  };
  Entry& FindOrAdd(const std::string& name, const std::string& help);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

// Exposed for tests: label value escaping (\\, \", \n) and number formatting (+Inf, -Inf, NaN, integers
// without exponent).
std::string EscapeLabelValue(const std::string& value);
std::string FormatValue(double value);

}  // namespace spark_operator::metrics
