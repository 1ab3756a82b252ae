// The ScheduledSparkApplication API the controller uses: read one, fill in defaults, check it, write its
// status. The fields are in api/scheduled_types.h, their descriptions in api/scheduled_fields.h. The schedule's
// syntax and time zone are checked by the controller (controller/cron.h), which alone reads the zone database.
#pragma once

#include <rapidjson/document.h>

#include "api/scheduled_types.h"
#include "api/types.h"
#include "common/base/status.h"

namespace spark_operator::api {

inline constexpr char kDefaultTimeZone[] = "UTC";
inline constexpr int32_t kDefaultRunHistoryLimit = 1;

// As ParseSparkApplication: metadata and status leniently, the spec (template included) strictly, every problem
// in one message. apiVersion and kind, when present, must be spark-operator.k8s.io/v1alpha1 and
// ScheduledSparkApplication.
Result<ScheduledSparkApplication> ParseScheduledSparkApplication(const rapidjson::Value& object);

// The whole object with apiVersion and kind; empty fields left out.
rapidjson::Document ScheduledToJson(const ScheduledSparkApplication& scheduled);
// The value of .status, whole, for PUT .../status.
rapidjson::Document ScheduledStatusToJson(const ScheduledSparkApplicationStatus& status);

// timeZone UTC, concurrencyPolicy Allow, both history limits 1. The template is left as written: each run is a
// SparkApplication, which gets the SparkApplication defaults when it is read. Idempotent.
void ApplyDefaults(ScheduledSparkApplication& scheduled);

// The per-field rules of api/scheduled_fields.h and, for the template, everything Validate(SparkApplication)
// checks (after the SparkApplication defaults), with paths under spec.template; metadata.name at most
// kMaxScheduledNameLength characters, so that run names fit in a label. Every problem in one InvalidArgument
// message.
Status Validate(const ScheduledSparkApplication& scheduled);

}  // namespace spark_operator::api
