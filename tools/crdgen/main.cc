// Prints the SparkApplication CustomResourceDefinition, or writes it to --out, and writes the field reference
// to --markdown-out. Both are generated from api/fields.h; `make crd` writes the committed copies:
//   spark-operator-crdgen --out=deploy/crd/spark-operator.k8s.io_sparkapplications.yaml
//                         --markdown-out=docs/spark-application.md
//                         --policy-markdown-out=docs/submission-policy.md
//                         --tenant-out=deploy/crd/spark-operator.k8s.io_sparktenants.yaml
//                         --tenant-markdown-out=docs/spark-tenant.md
//                         --scheduled-out=deploy/crd/spark-operator.k8s.io_scheduledsparkapplications.yaml
//                         --scheduled-markdown-out=docs/scheduled-spark-application.md

#include <gflags/gflags.h>

#include <iostream>
#include <string>

#include "api/submission_policy.h"
#include "common/base/file.h"
#include "tools/crdgen/crd.h"
#include "tools/crdgen/reference.h"

DEFINE_string(out, "", "File to write the CRD YAML to; standard output when empty.");
DEFINE_string(markdown_out, "",
              "File to write the SparkApplication field reference (Markdown) to; not written "
              "when empty.");
DEFINE_string(tenant_out, "", "File to write the SparkTenant CRD YAML to; not written when empty.");
DEFINE_string(tenant_markdown_out, "",
              "File to write the SparkTenant field reference (Markdown) to; not written when empty.");
DEFINE_string(scheduled_out, "", "File to write the ScheduledSparkApplication CRD YAML to; not written when empty.");
DEFINE_string(scheduled_markdown_out, "",
              "File to write the ScheduledSparkApplication field reference (Markdown) to; not written when empty.");
DEFINE_string(policy_markdown_out, "",
              "File to write what a SparkApplication may not ask of spark-submit "
              "(Markdown) to; not written when empty.");

namespace {

bool Write(const std::string& path, const std::string& content) {
  const spark_operator::Status written = spark_operator::WriteFileAtomically(path, content);
  if (!written.ok()) std::cerr << "spark-operator-crdgen: " << written.ToString() << "\n";
  return written.ok();
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("Prints the SparkApplication CustomResourceDefinition YAML; writes the field reference.");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (!FLAGS_markdown_out.empty() &&
      !Write(FLAGS_markdown_out, spark_operator::api::SparkApplicationReferenceMarkdown())) {
    return 1;
  }
  if (!FLAGS_policy_markdown_out.empty() &&
      !Write(FLAGS_policy_markdown_out, spark_operator::api::SubmissionPolicyMarkdown())) {
    return 1;
  }
  if (!FLAGS_tenant_out.empty() && !Write(FLAGS_tenant_out, spark_operator::api::SparkTenantCrdYaml())) return 1;
  if (!FLAGS_tenant_markdown_out.empty() &&
      !Write(FLAGS_tenant_markdown_out, spark_operator::api::SparkTenantReferenceMarkdown())) {
    return 1;
  }
  if (!FLAGS_scheduled_out.empty() &&
      !Write(FLAGS_scheduled_out, spark_operator::api::ScheduledSparkApplicationCrdYaml())) {
    return 1;
  }
  if (!FLAGS_scheduled_markdown_out.empty() &&
      !Write(FLAGS_scheduled_markdown_out, spark_operator::api::ScheduledSparkApplicationReferenceMarkdown())) {
    return 1;
  }
  const std::string yaml = spark_operator::api::SparkApplicationCrdYaml();
  if (FLAGS_out.empty()) {
    std::cout << yaml;
    return std::cout.good() ? 0 : 1;
  }
  return Write(FLAGS_out, yaml) ? 0 : 1;
}
