// Name and path rules of Kubernetes, shared by SparkApplication validation and the admission webhook (which
// checks the same kinds of values in its annotations). The patterns are published in the CRD schema, so they
// are written in the common subset of ECMAScript and RE2 (the API server's regex engine); the functions are
// hand-written rather than std::regex so that long hostile input cannot exhaust the stack. A unit test keeps
// each function and its pattern in agreement.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace spark_operator::api {

inline constexpr char kDns1123SubdomainPattern[] = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
inline constexpr size_t kDns1123SubdomainMaxLength = 253;
inline constexpr char kDns1123LabelPattern[] = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
inline constexpr size_t kDns1123LabelMaxLength = 63;
// The classic Kubernetes rule (C identifiers plus '-' and '.'), which every shell and Spark's
// spark.kubernetes.driverEnv.<name> handle.
inline constexpr char kEnvVarNamePattern[] = "^[-._a-zA-Z][-._a-zA-Z0-9]*$";
// Log destinations (spec.logs.destination): a GCS or S3 bucket with an optional prefix, or a local directory.
// IsLogDestination also refuses ".." segments, which the pattern lets through (as with mount paths).
// A non-negative decimal such as Spark's memory overhead factors take ("0.1", "1", ".5").
inline constexpr char kDecimalPattern[] = "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$";
inline constexpr char kLogDestinationPattern[] = "^((gs|s3)://[a-z0-9][-_.a-z0-9]*[a-z0-9](/.*)?|file:///.*)$";

// Object names: ConfigMaps, Secrets, service accounts.
bool IsDns1123Subdomain(std::string_view value);
// Service and namespace names.
bool IsDns1123Label(std::string_view value);
// Label and annotation keys: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.
bool IsQualifiedName(std::string_view value);
bool IsLabelValue(std::string_view value);
bool IsEnvVarName(std::string_view value);
// Absolute, and no ".." segment that could climb out of the intended directory.
bool IsCleanAbsolutePath(std::string_view value);
bool IsLogDestination(std::string_view value);

// Eight hex digits of FNV-1a over `text`: stable across builds and processes (std::hash is not), for names that
// must be cut to fit a length limit yet stay distinct.
std::string NameHash8(std::string_view text);

// OK, or InvalidArgument "<field>: <value> <what is wrong>", e.g.
// `spec.driver.configMaps[0].name: "My_Map" must be a DNS-1123 subdomain (...)`.
Status ValidateDns1123Subdomain(std::string_view field, std::string_view value);
Status ValidateDns1123Label(std::string_view field, std::string_view value);
Status ValidateQualifiedName(std::string_view field, std::string_view value);
Status ValidateLabelValue(std::string_view field, std::string_view value);
Status ValidateEnvVarName(std::string_view field, std::string_view value);
Status ValidateMountPath(std::string_view field, std::string_view value);
Status ValidateLogDestination(std::string_view field, std::string_view value);
Status ValidateDecimal(std::string_view field, std::string_view value);

}  // namespace spark_operator::api
