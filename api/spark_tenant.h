// The SparkTenant API the controller uses: read a tenant, fill in defaults, check it, write its status. The
// fields are in api/tenant_types.h, their descriptions in api/tenant_fields.h.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "api/tenant_types.h"
#include "common/base/status.h"

namespace spark_operator::api {

inline constexpr char kDefaultDriverServiceAccount[] = "spark";

// As ParseSparkApplication: metadata and status leniently, the spec strictly, every problem in one message.
// apiVersion and kind, when present, must be spark-operator.k8s.io/v1alpha1 and SparkTenant.
Result<SparkTenant> ParseSparkTenant(const rapidjson::Value& object);

// The whole object with apiVersion and kind; empty fields left out.
rapidjson::Document TenantToJson(const SparkTenant& tenant);
// The value of .status, whole, for PUT .../status.
rapidjson::Document TenantStatusToJson(const SparkTenantStatus& status);

// namespace.name: the tenant's name; members' ServiceAccount namespace: the tenant's namespace;
// defaults.driverServiceAccount: spark; deletionPolicy: Retain. Idempotent.
void ApplyDefaults(SparkTenant& tenant);

// The per-field rules of api/tenant_fields.h, after ApplyDefaults, and: a namespace only for ServiceAccount
// members; defaults.limits at least defaults.requests. Every problem in one InvalidArgument message.
Status Validate(const SparkTenant& tenant);

}  // namespace spark_operator::api
