// The ScheduledSparkApplication custom resource (spark-operator.k8s.io/v1alpha1, namespaced): a
// SparkApplication spec run on a cron schedule, with kubeflow's v1beta2 field names. As for the other kinds,
// the JSON names, documentation and constraints live in api/scheduled_fields.h.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"

namespace spark_operator::api {

inline constexpr char kScheduledKind[] = "ScheduledSparkApplication";
inline constexpr char kScheduledPlural[] = "scheduledsparkapplications";
inline constexpr char kScheduledSingular[] = "scheduledsparkapplication";
inline constexpr char kScheduledShortName[] = "scheduledsparkapp";

enum class ConcurrencyPolicy { kAllow, kForbid, kReplace };
enum class ScheduleState { kScheduled, kFailedValidation, kSuspended };

template <>
struct EnumNames<ConcurrencyPolicy> {
  static constexpr std::array<std::string_view, 3> kNames{"Allow", "Forbid", "Replace"};
};
template <>
struct EnumNames<ScheduleState> {
  static constexpr std::array<std::string_view, 3> kNames{"Scheduled", "FailedValidation", "Suspended"};
};

struct ScheduledSparkApplicationSpec {
  std::string schedule;
  std::string time_zone;
  SparkApplicationSpec template_;
  std::optional<ConcurrencyPolicy> concurrency_policy;
  bool suspend = false;
  std::optional<int32_t> successful_run_history_limit;
  std::optional<int32_t> failed_run_history_limit;

  bool operator==(const ScheduledSparkApplicationSpec&) const = default;
};

struct ScheduledSparkApplicationStatus {
  std::optional<ScheduleState> schedule_state;
  std::string reason;
  std::string last_run;  // RFC 3339, as every timestamp here: the scheduled time of the last run.
  std::string next_run;
  std::string last_run_name;
  std::vector<std::string> past_successful_run_names;  // Newest first.
  std::vector<std::string> past_failed_run_names;      // Newest first.
  int64_t observed_generation = 0;

  bool operator==(const ScheduledSparkApplicationStatus&) const = default;
};

struct ScheduledSparkApplication {
  ObjectMeta metadata;
  ScheduledSparkApplicationSpec spec;
  ScheduledSparkApplicationStatus status;

  bool operator==(const ScheduledSparkApplication&) const = default;
};

}  // namespace spark_operator::api
