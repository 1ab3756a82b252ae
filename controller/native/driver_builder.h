// The objects spark-submit creates in cluster mode, built in C++ the way Spark 4.2's KubernetesDriverBuilder
// builds them (basic driver, driver service, mounted secrets, executor pod template, local dirs, driver command,
// network policy, and the conf map with spark.properties). tests/integration/controller/native_parity_test.cc compares
// each object with what the real spark-submit stores for the same command line.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/base/status.h"
#include "controller/native/submit_args.h"

namespace spark_operator::controller::native {

// The Spark version whose builder this reproduces: its label goes on the driver, as spark-submit's own version
// does.
inline constexpr char kSparkVersion[] = "4.2.0";

// What spark-submit draws at random or from the clock. The native submitter derives them from the app's UID and
// attempt so that a second try of one attempt builds the same names.
struct DriverIdentity {
  std::string app_id;              // "spark-" + 32 hex digits.
  std::string resource_unique_id;  // 16 hex digits: the driver Service's and NetworkPolicy's name suffix.
  std::string conf_map_unique_id;  // 16 hex digits: the conf map's name.
  std::string local_dir_uuid;      // A UUID: the local directory's name.
  int64_t submit_time_millis = 0;
  std::string spark_user;  // SPARK_USER: $SPARK_USER, else the user the process runs as.
};

// Deterministic identity for attempt `attempt` of the app with UID `app_uid`, submitted at `now_millis`.
DriverIdentity IdentityFor(const std::string& app_uid, int attempt, int64_t now_millis);

struct DriverObjects {
  rapidjson::Document pod;
  // Created after the pod, each with the pod as its controlling owner (set by the submitter, which learns the
  // pod's UID when it creates it).
  rapidjson::Document service;
  rapidjson::Document network_policy;
  rapidjson::Document config_map;
  // The executor pod template's ConfigMap, when spark.kubernetes.executor.podTemplateFile is set.
  std::optional<rapidjson::Document> executor_template_map;
};

// `pod_template` is the parsed spark.kubernetes.driver.podTemplateFile, or null; `executor_template` the text of
// spark.kubernetes.executor.podTemplateFile, or null. InvalidArgument when a setting cannot be read (the same
// settings make spark-submit fail).
Result<DriverObjects> BuildDriverObjects(const SubmitArguments& args, const rapidjson::Value* pod_template,
                                         const std::string* executor_template, const DriverIdentity& identity);

}  // namespace spark_operator::controller::native
