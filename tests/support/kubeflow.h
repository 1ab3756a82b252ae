// kubeflow's examples/spark-pi.yaml (sparkoperator.k8s.io/v1beta2), where the converter's unit and integration
// tests start from.
#pragma once

#include <string>

namespace spark_operator::testing {

// Its spec as far as the application goes, then `spec_lines` (indented two spaces, under spec:).
inline std::string KubeflowPiSpec(const std::string& spec_lines) {
  return "spec:\n  type: Scala\n  mode: cluster\n  image: spark:3.5.1\n  imagePullPolicy: IfNotPresent\n"
         "  mainClass: org.apache.spark.examples.SparkPi\n"
         "  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples_2.12-3.5.1.jar\n"
         "  sparkVersion: 3.5.1\n" +
         spec_lines;
}

// Its driver, as spec lines.
inline constexpr char kKubeflowPiDriver[] =
    "  driver:\n    cores: 1\n    coreLimit: 1200m\n    memory: 512m\n    serviceAccount: spark\n";

}  // namespace spark_operator::testing
