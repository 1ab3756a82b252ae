// The SparkApplication CustomResourceDefinition, generated from the field descriptions in api/fields.h.
// tools/crdgen prints it; deploy/crd/ holds the generated copy, and a unit test fails when the two differ.
#pragma once

#include <rapidjson/document.h>

#include <string>

namespace spark_operator::api {

// apiextensions.k8s.io/v1 CustomResourceDefinition with the OpenAPI v3 schema, status subresource and printer
// columns. The spec schema lists every field and no x-kubernetes-preserve-unknown-fields, so the API server
// prunes or (kubectl's default strict validation) rejects unknown spec fields, as ParseSparkApplication does.
rapidjson::Document SparkApplicationCrd();
// The same as YAML, with a header saying how to regenerate it: the exact content of
// deploy/crd/spark-operator.k8s.io_sparkapplications.yaml.
std::string SparkApplicationCrdYaml();

// The cluster-scoped SparkTenant CRD, from api/tenant_fields.h, likewise; the content of
// deploy/crd/spark-operator.k8s.io_sparktenants.yaml.
rapidjson::Document SparkTenantCrd();
std::string SparkTenantCrdYaml();

// The namespaced ScheduledSparkApplication CRD, from api/scheduled_fields.h (its template is the
// SparkApplication spec's schema); the content of deploy/crd/spark-operator.k8s.io_scheduledsparkapplications.yaml.
rapidjson::Document ScheduledSparkApplicationCrd();
std::string ScheduledSparkApplicationCrdYaml();

}  // namespace spark_operator::api
