// SparkApplications for unit tests, read from YAML the way the controller reads them from the API server.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "api/spark_application.h"
#include "common/base/yaml.h"

namespace spark_operator::testing {

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
