// The one description of every SparkTenant field, as api/fields.h is for the SparkApplication: parsing,
// serialization, validation, the CRD schema and docs/spark-tenant.md are all visitors over these functions.
#pragma once

#include "api/fields.h"
#include "api/tenant_types.h"

namespace spark_operator::api {

SO_API_FIELDS(TenantNamespace) {
  v.Field("name", s.name,
          {.description = "Name of the namespace the controller creates for the tenant. Defaults to the tenant's "
                          "name.",
           .check = Check::kDnsLabel});
  v.Field(
      "labels", s.labels,
      {.description = "Labels put on the namespace, next to spark-operator.k8s.io/tenant.", .check = Check::kLabels});
  v.Field("annotations", s.annotations,
          {.description = "Annotations put on the namespace.", .check = Check::kAnnotationKeys});
}

SO_API_FIELDS(TenantMember) {
  v.Field("kind", s.kind, {.description = "Kind of RBAC subject.", .required = true});
  v.Field("name", s.name, {.description = "User, group or service account name.", .required = true});
  v.Field("namespace", s.namespace_,
          {.description = "ServiceAccount only: its namespace. Defaults to the tenant's namespace.",
           .check = Check::kDnsLabel});
}

SO_API_FIELDS(TenantQuota) {
  v.Field("cpu", s.cpu,
          {.description = "Hard limit of requests.cpu in the namespace: cores (16, 0.5) or millicores (500m). "
                          "Unset: no limit.",
           .check = Check::kCpu});
  v.Field("memory", s.memory,
          {.description = "Hard limit of requests.memory in the namespace, in Spark form (64g) or Kubernetes form "
                          "(64Gi). Unset: no limit.",
           .check = Check::kMemory});
  v.Field("pods", s.pods, {.description = "Hard limit of pods in the namespace. Unset: no limit.", .minimum = 0});
  v.Field("maxRunningApplications", s.max_running_applications,
          {.description = "Applications of the namespace submitted and not finished at once. Unset: no limit.",
           .minimum = 0});
}

SO_API_FIELDS(ResourceAmounts) {
  v.Field("cpu", s.cpu, {.description = "CPU quantity, e.g. 500m or 1.", .check = Check::kCpu});
  v.Field("memory", s.memory,
          {.description = "Memory, in Spark form (512m) or Kubernetes form (512Mi).", .check = Check::kMemory});
}

SO_API_FIELDS(TenantDefaults) {
  v.Field("requests", s.requests,
          {.description = "Requests given to a container that sets none (the LimitRange's defaultRequest). Spark "
                          "sets its own container's requests; sidecars and init containers without requests get "
                          "these, and admission counts them."});
  v.Field("limits", s.limits,
          {.description = "Limits given to a container that sets none (the LimitRange's default). Keep them at "
                          "least as large as any Spark pod's request: the API server refuses a pod whose request "
                          "exceeds its limit."});
  v.Field("driverServiceAccount", s.driver_service_account,
          {.description = "Service account the controller creates for drivers, with the Role spark-driver bound "
                          "to it. Defaults to spark.",
           .check = Check::kDnsSubdomain});
}

SO_API_FIELDS(SparkTenantSpec) {
  v.Field("namespace", s.namespace_, {.description = "The tenant's namespace."});
  v.Field("members", s.members,
          {.description = "Who may create, read and delete SparkApplications in the namespace and read its pods, "
                          "logs, events and services: bound to the ClusterRole spark-operator-tenant-member there."});
  v.Field("quota", s.quota, {.description = "Limits of the namespace (a ResourceQuota) and of its applications."});
  v.Field("defaults", s.defaults, {.description = "Per-container defaults (a LimitRange) and the driver account."});
  v.Field("deletionPolicy", s.deletion_policy,
          {.description = "What deleting the tenant does to its namespace: Retain keeps it and everything in it, "
                          "Delete deletes it. Defaults to Retain."});
}

SO_API_FIELDS(Condition) {
  v.Field("type", s.type, {.description = "Ready: the namespace and everything in it are as the spec says."});
  v.Field("status", s.status, {.description = "Whether the condition holds."});
  v.Field("reason", s.reason, {.description = "One word saying why, e.g. Applied or NamespaceNotOwned."});
  v.Field("message", s.message, {.description = "What is wrong, when something is."});
  v.Field("lastTransitionTime", s.last_transition_time,
          {.description = "When the status last changed.", .check = Check::kDateTime});
  v.Field("observedGeneration", s.observed_generation, {.description = "The generation the condition is about."});
}

SO_API_FIELDS(QuotaAmounts) {
  v.Field("cpu", s.cpu, {.description = "requests.cpu."});
  v.Field("memory", s.memory, {.description = "requests.memory."});
  v.Field("pods", s.pods, {.description = "pods."});
}

SO_API_FIELDS(QuotaStatus) {
  v.Field("hard", s.hard, {.description = "The limits, as the ResourceQuota reports them."});
  v.Field("used", s.used, {.description = "What the namespace's pods request now."});
}

SO_API_FIELDS(ApplicationCounts) {
  v.Field("running", s.running, {.description = "Applications submitted and not finished."});
  v.Field("queued", s.queued, {.description = "Applications waiting for quota."});
}

SO_API_FIELDS(SparkTenantStatus) {
  v.Field("conditions", s.conditions, {.description = "Ready, with a reason."});
  v.Field("namespace", s.namespace_, {.description = "The tenant's namespace."});
  v.Field("quota", s.quota, {.description = "The namespace's ResourceQuota."});
  v.Field("applications", s.applications, {.description = "The namespace's applications."});
  v.Field("observedGeneration", s.observed_generation, {.description = "The generation last acted on."});
}

}  // namespace spark_operator::api
