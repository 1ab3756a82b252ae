// Prints the SparkApplication CustomResourceDefinition, or writes it to --out, and writes the field reference
// to --markdown-out. Both are generated from api/fields.h; `make crd` writes the committed copies:
//   spark-operator-crdgen --out=deploy/crd/spark-operator.k8s.io_sparkapplications.yaml \
//                         --markdown-out=docs/spark-application.md
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include <gflags/gflags.h>

#include "api/crd.h"
#include "api/reference.h"

DEFINE_string(out, "", "File to write the CRD YAML to; standard output when empty.");
DEFINE_string(markdown_out, "", "File to write the SparkApplication field reference (Markdown) to; not written "
                                "when empty.");

namespace {

// Written beside the target and renamed over it, so an interrupted run never leaves half a file behind.
bool WriteFile(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file << content;
    if (!file.good()) {
      std::cerr << "spark-operator-crdgen: cannot write " << tmp << "\n";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::perror(("spark-operator-crdgen: rename to " + path).c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("Prints the SparkApplication CustomResourceDefinition YAML; writes the field reference.");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  if (!FLAGS_markdown_out.empty() &&
      !WriteFile(FLAGS_markdown_out, spark_operator::api::SparkApplicationReferenceMarkdown())) {
    return 1;
  }
  const std::string yaml = spark_operator::api::SparkApplicationCrdYaml();
  if (FLAGS_out.empty()) {
    std::cout << yaml;
    return std::cout.good() ? 0 : 1;
  }
  return WriteFile(FLAGS_out, yaml) ? 0 : 1;
}
