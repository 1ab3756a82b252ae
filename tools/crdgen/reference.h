// The SparkApplication field reference (docs/spark-application.md), generated like the CRD from the field
// descriptions in api/fields.h. tools/crdgen writes it; a unit test fails when the committed copy differs.
#pragma once

#include <string>
#include <vector>

namespace spark_operator::api {

// One row of the reference: a field, with the JSON path a user writes (lists as "[]", e.g.
// "spec.driver.secrets[].secretType").
struct FieldReference {
  std::string path;
  std::string type;  // "string", "integer (int32)", "list of string", "map of string to string", "object".
  std::vector<std::string> values;  // An enum's allowed values, in declaration order; empty otherwise.
  std::string rules;                // What the schema and Validate() check on the value alone, e.g. "at least 1".
  std::string default_value;        // The value ApplyDefaults fills in, taken from the description's "Defaults to X.".
  bool required = false;
  std::string description;
};

// Every field under .spec / .status, depth first, in declaration order.
std::vector<FieldReference> SparkApplicationSpecReference();
std::vector<FieldReference> SparkApplicationStatusReference();

// The whole Markdown page, with a header saying how to regenerate it: the exact content of
// docs/spark-application.md.
std::string SparkApplicationReferenceMarkdown();

// The same for the SparkTenant (api/tenant_fields.h): docs/spark-tenant.md.
std::vector<FieldReference> SparkTenantSpecReference();
std::vector<FieldReference> SparkTenantStatusReference();
std::string SparkTenantReferenceMarkdown();

// The same for the ScheduledSparkApplication (api/scheduled_fields.h): docs/scheduled-spark-application.md.
// spec.template is one row; its fields are the SparkApplication spec's.
std::vector<FieldReference> ScheduledSparkApplicationSpecReference();
std::vector<FieldReference> ScheduledSparkApplicationStatusReference();
std::string ScheduledSparkApplicationReferenceMarkdown();

}  // namespace spark_operator::api
