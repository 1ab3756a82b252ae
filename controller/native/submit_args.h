// The spark-submit command line the controller builds (controller/submit/submission.h), read back the way Spark's
// SparkSubmit reads it, so that the native submitter starts from exactly what spark-submit would get.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/base/status.h"

namespace spark_operator::controller::native {

// Spark's configuration after spark-submit resolved flags and --conf: key -> value, the last --conf of a key
// winning, a flag winning over the --conf it stands for (as SparkSubmitArguments does).
using SparkConf = std::map<std::string, std::string>;

struct SubmitArguments {
  std::string master;
  std::string main_class;        // The user's class; for Python, PythonRunner.
  std::string primary_resource;  // The jar or .py file.
  std::vector<std::string> app_args;
  bool python = false;
  SparkConf conf;  // Includes spark.app.name, spark.master, spark.submit.deployMode, spark.jars, ...
};

// InvalidArgument for an option this parser does not know (the caller then runs spark-submit instead), or for
// anything but cluster mode.
Result<SubmitArguments> ParseSubmitArgs(const std::vector<std::string>& argv);

// The value of `key`, or `fallback`.
std::string ConfValue(const SparkConf& conf, const std::string& key, const std::string& fallback = "");

// Every `prefix<rest>` key as rest -> value.
std::map<std::string, std::string> ConfWithPrefix(const SparkConf& conf, const std::string& prefix);

}  // namespace spark_operator::controller::native
