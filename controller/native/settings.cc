#include "controller/native/settings.h"

#include <cctype>
#include <vector>

#include "common/base/strings.h"

namespace spark_operator::controller::native {
namespace {

bool StartsWith(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// Settings that shape the driver's objects and that controller/native/driver_builder.cc builds. A key ending in
// '.' stands for every key under it.
const std::vector<std::string>& Implemented() {
  static const std::vector<std::string> kKeys = {
      "spark.kubernetes.namespace",
      "spark.kubernetes.driver.pod.name",
      "spark.kubernetes.container.image",
      "spark.kubernetes.driver.container.image",
      "spark.kubernetes.container.image.pullPolicy",
      "spark.kubernetes.container.image.pullSecrets",
      "spark.kubernetes.node.selector.",
      "spark.kubernetes.driver.node.selector.",
      "spark.kubernetes.driver.label.",
      "spark.kubernetes.driver.annotation.",
      "spark.kubernetes.driver.service.annotation.",
      "spark.kubernetes.driver.secrets.",
      "spark.kubernetes.driverEnv.",
      "spark.kubernetes.driver.request.cores",
      "spark.kubernetes.driver.limit.cores",
      "spark.kubernetes.authenticate.driver.serviceAccountName",
      "spark.kubernetes.scheduler.name",
      "spark.kubernetes.driver.scheduler.name",
      "spark.kubernetes.memoryOverheadFactor",
      "spark.kubernetes.driver.podTemplateFile",    // Read by the builder (controller/native/driver_builder.h).
      "spark.kubernetes.executor.podTemplateFile",  // Copied into its ConfigMap, as PodTemplateConfigMapStep does.
      "spark.driver.cores",
      "spark.driver.memory",
      "spark.driver.memoryOverhead",
      "spark.driver.memoryOverheadFactor",
      "spark.driver.minMemoryOverhead",
      "spark.driver.port",
      "spark.driver.blockManager.port",
      "spark.blockManager.port",
      "spark.ui.port",
  };
  return kKeys;
}

// spark.kubernetes.* settings that only travel to the driver in spark.properties (the driver uses them for its
// executors or at run time); they do not change anything spark-submit creates.
const std::vector<std::string>& PropertiesOnly() {
  static const std::vector<std::string> kKeys = {
      "spark.kubernetes.executor.",  // But see kDriverAffectingExecutorKeys.
      "spark.kubernetes.allocation.",
      "spark.kubernetes.submission.waitAppCompletion",
      "spark.kubernetes.report.interval",
      "spark.kubernetes.authenticate.submission.",  // How the submitter reaches the API server.
      "spark.kubernetes.authenticate.executor.serviceAccountName",
      "spark.kubernetes.dynamicAllocation.",
      "spark.kubernetes.appKillPodDeletionGracePeriod",
      "spark.kubernetes.file.upload.path",  // Only used for local files, which go to spark-submit.
      "spark.kubernetes.driver.reusePersistentVolumeClaim",
      "spark.kubernetes.driver.ownPersistentVolumeClaim",
      "spark.kubernetes.driver.waitToReusePersistentVolumeClaim",
  };
  return kKeys;
}

// Settings outside spark.kubernetes.* that change the driver's objects and are not built natively.
const std::vector<std::string>& NotImplemented() {
  static const std::vector<std::string> kKeys = {
      "spark.driver.resource.",  // GPUs and other resources: container limits.
      "spark.local.dir",         // Local directories: volumes.
      "spark.connect.",          // The Spark Connect port.
      "spark.jars.packages",     // Resolved by spark-submit with Ivy.
      "spark.jars.repositories",
      "spark.jars.ivy",
      "spark.jars.ivySettings",
      "spark.jars.excludes",
      "spark.archives",
      "spark.kerberos.",
      "spark.memory.offHeap.",
      "spark.pyspark.",  // Python executables: driver environment.
      "spark.app.id",
  };
  return kKeys;
}

bool Matches(const std::vector<std::string>& keys, const std::string& key) {
  for (const std::string& k : keys) {
    if (k.back() == '.' ? StartsWith(key, k) : key == k) return true;
  }
  return false;
}

// A file spark-submit would upload (spark.kubernetes.file.upload.path) because it is on the submitter's disk.
bool IsLocalFile(const std::string& uri) {
  const size_t colon = uri.find(':');
  const size_t slash = uri.find('/');
  const bool has_scheme = colon != std::string::npos && (slash == std::string::npos || colon < slash);
  return !has_scheme || StartsWith(uri, "file:");
}

}  // namespace

std::string UnsupportedSetting(const SubmitArguments& args) {
  for (const auto& [key, value] : args.conf) {
    // Said in the words of the spec, for the Event: these come from the controller's own templates.
    if (key == "spark.kubernetes.driver.podTemplateContainerName") {
      return "a driver pod template with containers (sidecars, or fields of the Spark container)";
    }
    if (StartsWith(key, "spark.kubernetes.")) {
      if (!Matches(Implemented(), key) && !Matches(PropertiesOnly(), key)) return key;
    } else if (Matches(NotImplemented(), key)) {
      return key;
    }
  }
  if (IsLocalFile(args.primary_resource)) return "a local primary resource (" + args.primary_resource + ")";
  for (const char* list : {"spark.jars", "spark.files", "spark.submit.pyFiles"}) {
    for (const std::string& uri : SplitCommas(ConfValue(args.conf, list))) {
      if (IsLocalFile(uri)) return std::string(list) + " with a local file (" + uri + ")";
    }
  }
  return "";
}

Result<int64_t> SparkSizeMiB(const std::string& text, char default_unit) {
  std::string lower;
  for (const char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) lower += static_cast<char>(std::tolower(c));
  }
  size_t digits = 0;
  while (digits < lower.size() && std::isdigit(static_cast<unsigned char>(lower[digits]))) ++digits;
  if (digits == 0 || digits > 15) return InvalidArgumentError("size " + text + ": expected a whole number and a unit");
  const int64_t number = std::stoll(lower.substr(0, digits));
  std::string unit = lower.substr(digits);
  if (unit.empty()) unit = std::string(1, default_unit);
  if (unit.size() == 2 && unit[1] == 'b') unit.resize(1);
  int shift;  // Power of 1024 relative to bytes.
  if (unit == "b") {
    shift = 0;
  } else if (unit == "k") {
    shift = 1;
  } else if (unit == "m") {
    shift = 2;
  } else if (unit == "g") {
    shift = 3;
  } else if (unit == "t") {
    shift = 4;
  } else if (unit == "p") {
    shift = 5;
  } else {
    return InvalidArgumentError("size " + text + ": unknown unit");
  }
  // Spark truncates toward zero when it converts to a coarser unit.
  int64_t mib = number;
  for (int s = shift; s < 2; ++s) mib /= 1024;
  for (int s = shift; s > 2; --s) {
    if (mib > (int64_t{1} << 40)) return InvalidArgumentError("size " + text + ": too large");
    mib *= 1024;
  }
  return mib;
}

}  // namespace spark_operator::controller::native
