// `spark-operator-controller convert` as a user runs it (controller/convert/command.h), and the path handling
// under the converter (controller/convert/prune.h).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/base/json.h"
#include "controller/convert/command.h"
#include "controller/convert/prune.h"

namespace spark_operator::controller::convert {
namespace {

constexpr char kApp[] = R"(apiVersion: sparkoperator.k8s.io/v1beta2
kind: SparkApplication
metadata: {name: pi, namespace: default}
spec:
  type: Scala
  image: spark:3.5.1
  mainClass: org.apache.spark.examples.SparkPi
  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar
  driver: {cores: 1, podName: pi-driver}
)";

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run Command(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  const int code = RunConvertCommand(args, in, out, err);
  return {code, out.str(), err.str()};
}

TEST_CASE("convert command: YAML on stdout, what was left out on stderr, exit 3 for drops only with --strict") {
  const Run run = Command({"-f", "-"}, kApp);
  CHECK(run.code == kExitConverted);
  CHECK(run.out.rfind("apiVersion: spark-operator.k8s.io/v1alpha1\n", 0) == 0);
  CHECK(run.out.find("podName") == std::string::npos);
  CHECK(run.err ==
        "dropped: SparkApplication default/pi: spec.driver.podName: unknown field (kubeflow's "
        "in-cluster-client mode only; the operator names driver pods <app>-<run>-driver)\n");

  const Run strict = Command({"--strict", "-f", "-"}, kApp);
  CHECK(strict.code == kExitDropped);
  CHECK(strict.out == run.out);
  CHECK(strict.err.find("convert: --strict: fields were dropped") != std::string::npos);

  std::string clean = kApp;
  clean.replace(clean.find(", podName: pi-driver"), 20, "");
  const Run clean_strict = Command({"--strict", "-f", "-"}, clean);
  CHECK(clean_strict.code == kExitConverted);
  CHECK(clean_strict.err.empty());
}

TEST_CASE("convert command: files, malformed input and wrong arguments") {
  const std::string path = "/tmp/convert-command-test-" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream file(path);
    file << kApp;
  }
  const Run from_file = Command({"-f", path});
  CHECK(from_file.code == kExitConverted);
  CHECK(from_file.out == Command({"-f", "-"}, kApp).out);
  CHECK(Command({"--filename=" + path}).code == kExitConverted);
  std::remove(path.c_str());

  const Run missing = Command({"-f", path});
  CHECK(missing.code == kExitError);
  CHECK(missing.err == "convert: cannot open " + path + "\n");

  const Run malformed = Command({"-f", "-"}, "kind: [");
  CHECK(malformed.code == kExitError);
  CHECK(malformed.out.empty());
  CHECK(malformed.err.rfind("convert: standard input: malformed YAML", 0) == 0);

  // Nothing is written when any document fails, so a pipe into kubectl applies nothing half-converted.
  const Run half = Command({"-f", "-"}, std::string(kApp) + "---\napiVersion: v1\nkind: Pod\n");
  CHECK(half.code == kExitError);
  CHECK(half.out.empty());
  CHECK(half.err.find("document 2: apiVersion \"v1\"") != std::string::npos);

  CHECK(Command({}).code == kExitUsage);
  CHECK(Command({"-f"}).code == kExitUsage);
  CHECK(Command({"-f", "-", "--frobnicate"}).code == kExitUsage);
  const Run help = Command({"--help"});
  CHECK(help.code == kExitConverted);
  CHECK(help.out.find("usage: spark-operator-controller convert -f FILE [--strict]") != std::string::npos);
}

rapidjson::Document Parsed(const std::string& json) {
  Result<rapidjson::Document> doc = ParseJson(json);
  REQUIRE(doc.ok());
  return std::move(*doc);
}

TEST_CASE("convert paths: names holding dots and brackets resolve against the document") {
  const rapidjson::Document doc =
      Parsed(R"({"sparkConf":{"spark.a.b":1,"x]y":2},"a.b":{"c":3},"a":{"b":4},"env":[{"name":"A"},{"v":1}]})");
  const auto path = [&](std::string_view p) {
    const std::optional<StepPath> steps = ResolvePath(doc, p);
    return steps ? FormatPath(*steps) + "|" + std::to_string(steps->size()) : std::string("none");
  };
  CHECK(path("sparkConf[spark.a.b]") == "sparkConf.spark.a.b|2");
  CHECK(path("sparkConf[x]y]") == "sparkConf.x]y|2");
  CHECK(path("a.b.c") == "a.b.c|2");  // The longest name first: "a.b", then "c".
  CHECK(path("a.b") == "a.b|1");
  CHECK(path("env[1].v") == "env[1].v|3");
  CHECK(path("env[2]") == "none");
  CHECK(path("env[x]") == "none");
  CHECK(path("nothing") == "none");
  CHECK(path("") == "|0");
}

TEST_CASE("convert paths: removals keep list indices right and remove list elements whole") {
  rapidjson::Document doc = Parsed(R"({"env":[{"n":0,"bad":1},{"n":1},{"n":2,"bad":1},{"n":3}],"x":{"y":1,"z":2}})");
  std::vector<StepPath> targets;
  for (const char* p : {"env[0].bad", "env[2].bad", "env[2]", "x.y"}) {
    const std::optional<StepPath> steps = ResolvePath(doc, p);
    REQUIRE(steps);
    targets.push_back(RemovalTarget(*steps));
  }
  CHECK(FormatPath(targets[0]) == "env[0]");
  CHECK(FormatPath(targets[3]) == "x.y");
  RemoveAll(doc, targets);
  CHECK(ToJson(doc) == R"({"env":[{"n":1},{"n":3}],"x":{"z":2}})");
}

}  // namespace
}  // namespace spark_operator::controller::convert
