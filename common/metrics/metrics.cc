#include "common/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace spark_operator::metrics {
namespace {

void AtomicAdd(std::atomic<double>& target, double amount) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + amount, std::memory_order_relaxed)) {
  }
}

std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     const std::string& extra_name = "", const std::string& extra_value = "") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    out += (out.empty() ? "" : ",") + names[i] + "=\"" + EscapeLabelValue(i < values.size() ? values[i] : "") + "\"";
  }
  if (!extra_name.empty()) out += (out.empty() ? "" : ",") + extra_name + "=\"" + extra_value + "\"";
  return out.empty() ? "" : "{" + out + "}";
}

}  // namespace

void Counter::Increment(double amount) {
  if (amount > 0) AtomicAdd(value_, amount);
}

void Gauge::Add(double amount) { AtomicAdd(value_, amount); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)), counts_(upper_bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  const size_t bucket =
      static_cast<size_t>(std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  std::lock_guard lock(mutex_);
  ++counts_[bucket];
  sum_ += value;
}

Histogram::Snapshot Histogram::Snap() const {
  Snapshot snap;
  snap.upper_bounds = upper_bounds_;
  std::lock_guard lock(mutex_);
  uint64_t running = 0;
  for (const uint64_t c : counts_) {
    running += c;
    snap.cumulative_counts.push_back(running);
  }
  snap.count = running;
  snap.sum = sum_;
  return snap;
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

template <typename T>
T& Family<T>::WithLabels(const std::vector<std::string>& values) {
  std::vector<std::string> key(label_names_.size());
  for (size_t i = 0; i < key.size() && i < values.size(); ++i) key[i] = values[i];
  std::lock_guard lock(mutex_);
  auto& slot = series_[key];
  if (!slot) {
    if constexpr (std::is_same_v<T, Histogram>) {
      slot = std::make_unique<T>(buckets_);
    } else {
      slot = std::make_unique<T>();
    }
  }
  return *slot;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Registry::Entry& Registry::FindOrAdd(const std::string& name, const std::string& help) {
  for (auto& e : entries_) {
    if (e->name == name) return *e;
  }
  entries_.push_back(std::make_unique<Entry>());
  entries_.back()->name = name;
  entries_.back()->help = help;
  return *entries_.back();
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  Entry& e = FindOrAdd(name, help);
  if (!e.counter) e.counter = std::make_unique<Family<Counter>>(std::move(label_names));
  return *e.counter;
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  Entry& e = FindOrAdd(name, help);
  if (!e.gauge) e.gauge = std::make_unique<Family<Gauge>>(std::move(label_names));
  return *e.gauge;
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names, std::vector<double> buckets) {
  std::sort(buckets.begin(), buckets.end());
  std::lock_guard lock(mutex_);
  Entry& e = FindOrAdd(name, help);
  if (!e.histogram) e.histogram = std::make_unique<Family<Histogram>>(std::move(label_names), std::move(buckets));
  return *e.histogram;
}

std::string Registry::Render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& e : entries_) {
    const std::string header = "# HELP " + e->name + " " + EscapeHelp(e->help) + "\n# TYPE " + e->name + " ";
    if (e->counter) {
      out += header + "counter\n";
      const auto& names = e->counter->label_names();
      e->counter->ForEach([&](const std::vector<std::string>& values, const Counter& c) {
        out += e->name + LabelSet(names, values) + " " + FormatValue(c.Value()) + "\n";
      });
    } else if (e->gauge) {
      out += header + "gauge\n";
      const auto& names = e->gauge->label_names();
      e->gauge->ForEach([&](const std::vector<std::string>& values, const Gauge& g) {
        out += e->name + LabelSet(names, values) + " " + FormatValue(g.Value()) + "\n";
      });
    } else if (e->histogram) {
      out += header + "histogram\n";
      const auto& names = e->histogram->label_names();
      e->histogram->ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
        const Histogram::Snapshot s = h.Snap();
        for (size_t i = 0; i < s.cumulative_counts.size(); ++i) {
          const std::string le = i < s.upper_bounds.size() ? FormatValue(s.upper_bounds[i]) : "+Inf";
          out += e->name + "_bucket" + LabelSet(names, values, "le", le) + " " +
                 FormatValue(static_cast<double>(s.cumulative_counts[i])) + "\n";
        }
        out += e->name + "_sum" + LabelSet(names, values) + " " + FormatValue(s.sum) + "\n";
        out += e->name + "_count" + LabelSet(names, values) + " " + FormatValue(static_cast<double>(s.count)) + "\n";
      });
    }
  }
  return out;
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
  } else {
    // The shortest of %.15g / %.17g that reads back exactly, so 0.1 prints as 0.1.
    std::snprintf(buffer, sizeof(buffer), "%.15g", value);
    if (std::strtod(buffer, nullptr) != value) std::snprintf(buffer, sizeof(buffer), "%.17g", value);
  }
  return buffer;
}

}  // namespace spark_operator::metrics
