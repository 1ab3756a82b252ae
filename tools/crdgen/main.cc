// Prints the SparkApplication CustomResourceDefinition, or writes it to --out. deploy/crd/ holds its output:
//   spark-operator-crdgen --out=deploy/crd/spark-operator.k8s.io_sparkapplications.yaml
#include <cstdio>
#include <fstream>
#include <iostream>

#include <gflags/gflags.h>

#include "api/crd.h"

DEFINE_string(out, "", "File to write the CRD YAML to; standard output when empty.");

int main(int argc, char** argv) {
  gflags::SetUsageMessage("Prints the SparkApplication CustomResourceDefinition YAML.");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  const std::string yaml = spark_operator::api::SparkApplicationCrdYaml();
  if (FLAGS_out.empty()) {
    std::cout << yaml;
    return std::cout.good() ? 0 : 1;
  }
  // Written beside the target and renamed over it, so an interrupted run never leaves half a CRD behind.
  const std::string tmp = FLAGS_out + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file << yaml;
    if (!file.good()) {
      std::cerr << "spark-operator-crdgen: cannot write " << tmp << "\n";
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), FLAGS_out.c_str()) != 0) {
    std::perror(("spark-operator-crdgen: rename to " + FLAGS_out).c_str());
    return 1;
  }
  return 0;
}
