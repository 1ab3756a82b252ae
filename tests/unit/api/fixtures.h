// Manifests shared by the api tests.
#pragma once

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "common/base/yaml.h"
#include "tests/support/full_app.h"
#include "tests/support/paths.h"
#include "tests/support/spark_app.h"

namespace spark_operator::api::testing {

using spark_operator::testing::kFullApplication;
using spark_operator::testing::PiApp;
using spark_operator::testing::PiYaml;

inline rapidjson::Document Yaml(const std::string& yaml) {
  Result<rapidjson::Document> doc = YamlToJson(yaml);
  REQUIRE(doc.ok());
  return std::move(doc).value();
}

using spark_operator::testing::SourceDir;

inline std::string ReadSourceFile(const std::string& relative) {
  const std::string path = SourceDir() + "/" + relative;
  std::ifstream file(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace spark_operator::api::testing
