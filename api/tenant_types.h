// The SparkTenant custom resource (spark-operator.k8s.io/v1alpha1, cluster-scoped) as plain C++ structs: a
// namespace the controller creates and keeps in shape, its members, quota and defaults. As for the
// SparkApplication, the JSON names, documentation and constraints live in api/tenant_fields.h.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"

namespace spark_operator::api {

inline constexpr char kTenantKind[] = "SparkTenant";
inline constexpr char kTenantPlural[] = "sparktenants";
inline constexpr char kTenantSingular[] = "sparktenant";
inline constexpr char kTenantShortName[] = "sparktenant";

enum class MemberKind { kUser, kGroup, kServiceAccount };
enum class DeletionPolicy { kRetain, kDelete };
enum class ConditionStatus { kTrue, kFalse, kUnknown };

template <>
struct EnumNames<MemberKind> {
  static constexpr std::array<std::string_view, 3> kNames{"User", "Group", "ServiceAccount"};
};
template <>
struct EnumNames<DeletionPolicy> {
  static constexpr std::array<std::string_view, 2> kNames{"Retain", "Delete"};
};
template <>
struct EnumNames<ConditionStatus> {
  static constexpr std::array<std::string_view, 3> kNames{"True", "False", "Unknown"};
};

struct TenantNamespace {
  std::string name;
  StringMap labels;
  StringMap annotations;

  bool operator==(const TenantNamespace&) const = default;
};

// An RBAC subject.
struct TenantMember {
  std::optional<MemberKind> kind;
  std::string name;
  std::string namespace_;  // ServiceAccount only.

  bool operator==(const TenantMember&) const = default;
};

struct TenantQuota {
  std::string cpu;     // api/quantity.h forms.
  std::string memory;  // Spark or Kubernetes form.
  std::optional<int32_t> pods;
  std::optional<int32_t> max_running_applications;

  bool operator==(const TenantQuota&) const = default;
};

struct ResourceAmounts {
  std::string cpu;
  std::string memory;

  bool operator==(const ResourceAmounts&) const = default;
};

struct TenantDefaults {
  ResourceAmounts requests;  // LimitRange defaultRequest, per container.
  ResourceAmounts limits;    // LimitRange default, per container.
  std::string driver_service_account;

  bool operator==(const TenantDefaults&) const = default;
};

struct SparkTenantSpec {
  TenantNamespace namespace_;
  std::vector<TenantMember> members;
  TenantQuota quota;
  TenantDefaults defaults;
  std::optional<DeletionPolicy> deletion_policy;

  bool operator==(const SparkTenantSpec&) const = default;
};

struct Condition {
  std::string type;
  std::optional<ConditionStatus> status;
  std::string reason;
  std::string message;
  std::string last_transition_time;
  int64_t observed_generation = 0;

  bool operator==(const Condition&) const = default;
};

// Quantities as the ResourceQuota reports them.
struct QuotaAmounts {
  std::string cpu;
  std::string memory;
  std::string pods;

  bool operator==(const QuotaAmounts&) const = default;
};

struct QuotaStatus {
  QuotaAmounts hard;
  QuotaAmounts used;

  bool operator==(const QuotaStatus&) const = default;
};

struct ApplicationCounts {
  int32_t running = 0;
  int32_t queued = 0;

  bool operator==(const ApplicationCounts&) const = default;
};

struct SparkTenantStatus {
  std::vector<Condition> conditions;
  std::string namespace_;
  QuotaStatus quota;
  ApplicationCounts applications;
  int64_t observed_generation = 0;

  bool operator==(const SparkTenantStatus&) const = default;
};

struct SparkTenant {
  ObjectMeta metadata;
  SparkTenantSpec spec;
  SparkTenantStatus status;

  bool operator==(const SparkTenant&) const = default;
};

}  // namespace spark_operator::api
