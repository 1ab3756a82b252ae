// SparkApplications for unit tests, read from YAML the way the controller reads them from the API server.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "api/spark_application.h"
#include "common/base/yaml.h"

namespace spark_operator::testing {

// SparkPi, the smallest valid SparkApplication, as a user writes it. `spec` goes on under spec (its lines indented
// two spaces); `metadata` is the whole of metadata.
inline std::string PiYaml(const std::string& spec = "", const std::string& metadata = "{name: pi, namespace: jobs}") {
  return "\napiVersion: spark-operator.k8s.io/v1alpha1\nkind: SparkApplication\nmetadata: " + metadata +
         "\nspec:\n  type: Scala\n  mainClass: org.apache.spark.examples.SparkPi\n"
         "  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar\n"
         "  image: apache/spark:4.2.0\n" +
         spec;
}

// The same built in C++, not defaulted yet: a test sets what the defaults depend on first.
inline api::SparkApplication PiApp() {
  api::SparkApplication app;
  app.metadata.name = "pi";
  app.spec.type = api::AppType::kScala;
  app.spec.main_class = "org.apache.spark.examples.SparkPi";
  app.spec.main_application_file = "local:///opt/spark/examples/jars/spark-examples.jar";
  app.spec.image = "apache/spark:4.2.0";
  return app;
}

// Parsed and defaulted; the test fails on a parse error.
inline api::SparkApplication LoadApp(const std::string& yaml) {
  Result<rapidjson::Document> doc = YamlToJson(yaml);
  REQUIRE(doc.ok());
  Result<api::SparkApplication> app = api::ParseSparkApplication(*doc);
  INFO(app.status().ToString());
  REQUIRE(app.ok());
  api::ApplyDefaults(*app);
  return std::move(*app);
}

}  // namespace spark_operator::testing
