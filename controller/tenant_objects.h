// What a SparkTenant stands for in the cluster: the objects the tenant reconciler applies, built from the
// (defaulted, valid) tenant alone, and the status read back from its ResourceQuota. Pure, so unit tests see
// exactly what is sent.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "api/spark_tenant.h"
#include "common/kube/resource.h"
#include "controller/tenant.h"

namespace spark_operator::controller {

// Not in common/kube/resource.h's list: only the tenant controller uses them.
inline const kube::Resource kLimitRanges{"", "v1", "limitranges"};
inline const kube::Resource kSparkTenants{"spark-operator.k8s.io", "v1alpha1", "sparktenants", false};

// On the namespace and every object made for a tenant; its value is the tenant's name.
inline constexpr char kTenantLabel[] = "spark-operator.k8s.io/tenant";
inline constexpr char kTenantFinalizer[] = "spark-operator.k8s.io/tenant-namespace";
inline constexpr char kMembersBindingName[] = "spark-tenant-members";
// Shipped in deploy/rbac/tenant_member_role.yaml; the operator may bind it and nothing else.
inline constexpr char kMemberClusterRole[] = "spark-operator-tenant-member";
inline constexpr char kTenantQuotaObjectName[] = "spark-tenant-quota";
inline constexpr char kTenantLimitRangeName[] = "spark-tenant-defaults";

// In apply order: Namespace, ServiceAccount, Role and RoleBinding spark-driver, RoleBinding of the members,
// then the ResourceQuota and LimitRange when the spec asks for them (see TenantObjectsToDelete).
std::vector<TenantObject> BuildTenantManifest(const api::SparkTenant& tenant);

// The ResourceQuota and LimitRange the spec no longer asks for: the reconciler deletes them.
std::vector<TenantObject> TenantObjectsToDelete(const api::SparkTenant& tenant);

// Whether the spec asks for a ResourceQuota (any of cpu, memory, pods).
bool HasQuota(const api::TenantQuota& quota);

// Whether `live`, an object as the API server holds it, already has every field of `wanted`, an apply body, with
// the same value: an apply would change nothing. Quantities under resource amounts compare by value ("1024Mi" is
// "1Gi"), an empty list or map wanted matches an absent one (the server drops them), and apiVersion and kind
// are not compared (informer caches drop them). Fields the object has beyond `wanted` do not matter: only a
// tenant spec change can remove a field, and the reconciler applies everything then.
bool AppliedAsWanted(const rapidjson::Value& live, const rapidjson::Value& wanted);

// status.quota from the ResourceQuota as read from the server (its status).
api::QuotaStatus QuotaStatusFrom(const rapidjson::Value& quota);

}  // namespace spark_operator::controller
