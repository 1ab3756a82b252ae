// spark-submit command lines in unit tests: build one from an app, read a flag or a --conf back as spark-submit
// would (the last one given wins).
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "controller/submit/submission.h"

namespace spark_operator::testing {

inline std::vector<std::string> SubmitArgv(const api::SparkApplication& app,
                                           const controller::SubmissionContext& context) {
  Result<std::vector<std::string>> argv = controller::BuildSubmitArgs(app, context);
  INFO(argv.status().ToString());
  REQUIRE(argv.ok());
  return std::move(*argv);
}

// The value of the last `flag`, or "<missing>".
inline std::string FlagValue(const std::vector<std::string>& argv, const std::string& flag) {
  std::string value = "<missing>";
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == flag) value = argv[i + 1];
  }
  return value;
}

// The value of the last `--conf key=...`, or "<missing>".
inline std::string Conf(const std::vector<std::string>& argv, const std::string& key) {
  std::string value = "<missing>";
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == "--conf" && argv[i + 1].rfind(key + "=", 0) == 0) value = argv[i + 1].substr(key.size() + 1);
  }
  return value;
}

}  // namespace spark_operator::testing
