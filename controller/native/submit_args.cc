#include "controller/native/submit_args.h"

#include <set>

namespace spark_operator::controller::native {
namespace {

constexpr char kPythonRunner[] = "org.apache.spark.deploy.PythonRunner";

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "a,b" + "c" -> "a,b,c", skipping empty parts (SparkSubmit's mergeFileLists).
std::string MergeLists(const std::string& list, const std::string& item) {
  if (list.empty()) return item;
  if (item.empty()) return list;
  return list + "," + item;
}

}  // namespace

std::string ConfValue(const SparkConf& conf, const std::string& key, const std::string& fallback) {
  const auto it = conf.find(key);
  return it == conf.end() ? fallback : it->second;
}

std::map<std::string, std::string> ConfWithPrefix(const SparkConf& conf, const std::string& prefix) {
  std::map<std::string, std::string> out;
  for (auto it = conf.lower_bound(prefix); it != conf.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    out.emplace(it->first.substr(prefix.size()), it->second);
  }
  return out;
}

Result<SubmitArguments> ParseSubmitArgs(const std::vector<std::string>& argv) {
  // The flags controller/submit/submission.cc emits, each standing for a Spark setting (SparkSubmit's OptionAssigner).
  static const std::map<std::string, std::string> kFlagKeys = {
      {"--master", "spark.master"},
      {"--deploy-mode", "spark.submit.deployMode"},
      {"--name", "spark.app.name"},
      {"--driver-memory", "spark.driver.memory"},
      {"--executor-memory", "spark.executor.memory"},
      {"--jars", "spark.jars"},
      {"--files", "spark.files"},
      {"--py-files", "spark.submit.pyFiles"},
  };
  SubmitArguments args;
  std::map<std::string, std::string> flags;
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.rfind("--", 0) != 0) break;  // The primary resource.
    if (i + 1 >= argv.size()) return InvalidArgumentError("option " + arg + " has no value");
    const std::string& value = argv[++i];
    if (arg == "--conf") {
      const size_t eq = value.find('=');
      if (eq == std::string::npos) return InvalidArgumentError("--conf " + value + ": expected key=value");
      args.conf[value.substr(0, eq)] = value.substr(eq + 1);
    } else if (arg == "--class") {
      args.main_class = value;
    } else if (kFlagKeys.count(arg) != 0) {
      flags[arg] = value;
    } else {
      return InvalidArgumentError("option " + arg + " is not understood by the native submitter");
    }
  }
  if (i >= argv.size()) return InvalidArgumentError("no primary resource");
  args.primary_resource = argv[i];
  args.app_args.assign(argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end());
  for (const auto& [flag, value] : flags) args.conf[kFlagKeys.at(flag)] = value;
  if (ConfValue(args.conf, "spark.submit.deployMode") != "cluster") {
    return InvalidArgumentError("only cluster mode is submitted natively");
  }
  args.master = ConfValue(args.conf, "spark.master");
  args.python = EndsWith(args.primary_resource, ".py");
  if (args.python) {
    args.main_class = kPythonRunner;
  } else {
    // A JVM app's primary resource travels in spark.jars, after the user's jars.
    args.conf["spark.jars"] = MergeLists(ConfValue(args.conf, "spark.jars"), args.primary_resource);
  }
  // SparkSubmit always writes the list of Python files, empty for a JVM app.
  args.conf.try_emplace("spark.submit.pyFiles", "");
  return args;
}

}  // namespace spark_operator::controller::native
