#include "controller/spark_requests.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "api/quantity.h"
#include "controller/native/settings.h"
#include "controller/submit/submission.h"

namespace spark_operator::controller {
namespace {

using Conf = std::map<std::string, std::string>;

constexpr int64_t kDefaultMinOverheadMiB = 384;
constexpr int64_t kDefaultExecutors = 2;  // Spark's DEFAULT_NUMBER_EXECUTORS.

// Spark's configuration as spark-submit resolves its command line: the last --conf of a key wins, and
// --driver-memory and --executor-memory win over the --conf they stand for. Other flags set nothing read here.
Conf ResolveConf(const std::vector<std::string>& argv) {
  Conf conf;
  Conf flags;
  for (size_t i = 1; i + 1 < argv.size() && argv[i].rfind("--", 0) == 0; i += 2) {
    const std::string& value = argv[i + 1];
    if (argv[i] == "--conf") {
      const size_t eq = value.find('=');
      if (eq != std::string::npos) conf[value.substr(0, eq)] = value.substr(eq + 1);
    } else if (argv[i] == "--driver-memory") {
      flags["spark.driver.memory"] = value;
    } else if (argv[i] == "--executor-memory") {
      flags["spark.executor.memory"] = value;
    }
  }
  for (auto& [key, value] : flags) conf[key] = std::move(value);
  return conf;
}

const std::string* Find(const Conf& conf, const std::string& key) {
  const auto it = conf.find(key);
  return it == conf.end() ? nullptr : &it->second;
}

// A size in MiB, `fallback` when unset or refused (Spark would refuse the submission).
int64_t SizeMiB(const Conf& conf, const std::string& key, int64_t fallback, char default_unit = 'm') {
  const std::string* text = Find(conf, key);
  if (text == nullptr) return fallback;
  const Result<int64_t> mib = native::SparkSizeMiB(*text, default_unit);
  return mib.ok() ? *mib : fallback;
}

double Double(const Conf& conf, const std::string& key, double fallback) {
  const std::string* text = Find(conf, key);
  if (text == nullptr) return fallback;
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  return end != text->c_str() && *end == '\0' ? value : fallback;
}

int64_t Int(const Conf& conf, const std::string& key, int64_t fallback) {
  const std::string* text = Find(conf, key);
  if (text == nullptr) return fallback;
  char* end = nullptr;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  return end != text->c_str() && *end == '\0' ? value : fallback;
}

bool Bool(const Conf& conf, const std::string& key) {
  const std::string* text = Find(conf, key);
  if (text == nullptr) return false;
  std::string lower;
  for (const char c : *text) {
    if (!std::isspace(static_cast<unsigned char>(c))) lower += static_cast<char>(std::tolower(c));
  }
  return lower == "true";
}

// spark.kubernetes.<role>.request.cores, else spark.<role>.cores, else one core.
int64_t CpuMillis(const Conf& conf, const std::string& role) {
  const std::string* request = Find(conf, "spark.kubernetes." + role + ".request.cores");
  const std::string* cores = Find(conf, "spark." + role + ".cores");
  const std::string text = request != nullptr ? *request : cores != nullptr ? *cores : "1";
  const Result<int64_t> millis = api::ParseCpuMillis(text);
  return millis.ok() ? *millis : 1000;
}

// Heap plus overhead: spark.<role>.memoryOverhead, else max(factor x heap, spark.<role>.minMemoryOverhead) with
// spark.<role>.memoryOverheadFactor, else `default_factor`.
int64_t HeapAndOverheadMiB(const Conf& conf, const std::string& role, double default_factor) {
  const std::string prefix = "spark." + role + ".";
  const int64_t heap = SizeMiB(conf, prefix + "memory", 1024);
  const double factor = Double(conf, prefix + "memoryOverheadFactor", default_factor);
  const int64_t minimum = SizeMiB(conf, prefix + "minMemoryOverhead", kDefaultMinOverheadMiB);
  const int64_t overhead = SizeMiB(conf, prefix + "memoryOverhead",
                                   std::max(static_cast<int64_t>(factor * static_cast<double>(heap)), minimum));
  return heap + overhead;
}

}  // namespace

SparkRequests ComputeSparkRequests(const api::SparkApplication& app) {
  SubmissionContext context;
  context.spark_submit = "spark-submit";
  context.master = "k8s://https://kubernetes.default.svc";
  const Result<std::vector<std::string>> argv = BuildSubmitArgs(app, context);
  const Conf conf = argv.ok() ? ResolveConf(*argv) : Conf{};
  const bool python = app.spec.type == api::AppType::kPython;
  const bool jvm = !python && app.spec.type != api::AppType::kR;

  SparkRequests r;
  // The driver passes its default factor on to the executors as spark.kubernetes.memoryOverheadFactor.
  const double default_factor = Double(conf, "spark.kubernetes.memoryOverheadFactor", jvm ? 0.1 : 0.4);
  r.driver = {CpuMillis(conf, "driver"), HeapAndOverheadMiB(conf, "driver", default_factor)};
  r.executor = {CpuMillis(conf, "executor"), HeapAndOverheadMiB(conf, "executor", default_factor)};
  if (Bool(conf, "spark.memory.offHeap.enabled")) {
    r.executor.memory_mib += SizeMiB(conf, "spark.memory.offHeap.size", 0, 'b');
  }
  if (python) r.executor.memory_mib += SizeMiB(conf, "spark.executor.pyspark.memory", 0);

  const int64_t instances = Int(conf, "spark.executor.instances", -1);
  if (Bool(conf, "spark.dynamicAllocation.enabled")) {
    const int64_t min = Int(conf, "spark.dynamicAllocation.minExecutors", 0);
    r.executors = std::max({min, Int(conf, "spark.dynamicAllocation.initialExecutors", min), instances, int64_t{0}});
  } else {
    r.executors = instances >= 0 ? instances : kDefaultExecutors;
  }
  return r;
}

}  // namespace spark_operator::controller
