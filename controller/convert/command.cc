#include "controller/convert/command.h"

#include <fstream>
#include <istream>
#include <ostream>

#include "common/base/status.h"
#include "controller/convert/kubeflow.h"

namespace spark_operator::controller::convert {
namespace {

constexpr char kUsage[] =
    "usage: spark-operator-controller convert -f FILE [--strict]\n"
    "  Converts kubeflow spark-operator SparkApplications and ScheduledSparkApplications\n"
    "  (sparkoperator.k8s.io/v1beta2, YAML, several documents or a List) into spark-operator.k8s.io/v1alpha1\n"
    "  YAML on stdout, and names on stderr every field it leaves out.\n"
    "  -f FILE    the input; - reads standard input\n"
    "  --strict   exit 3 when a field was dropped\n";

// At most kMaxInputBytes + 1 bytes, so that a larger input is refused without being read whole.
Result<std::string> ReadBounded(std::istream& in, const std::string& name) {
  std::string text(kMaxInputBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return InvalidArgumentError("reading " + name + " failed");
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

}  // namespace

int RunConvertCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  std::string file;
  bool strict = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "-f" || args[i] == "--filename") && i + 1 < args.size()) {
      file = args[++i];
    } else if (args[i].rfind("--filename=", 0) == 0) {
      file = args[i].substr(11);
    } else if (args[i] == "--strict") {
      strict = true;
    } else if (args[i] == "-h" || args[i] == "--help") {
      out << kUsage;
      return kExitConverted;
    } else {
      err << "convert: unexpected argument \"" << args[i] << "\"\n" << kUsage;
      return kExitUsage;
    }
  }
  if (file.empty()) {
    err << "convert: -f FILE is required\n" << kUsage;
    return kExitUsage;
  }
  Result<std::string> text = InvalidArgumentError("");
  if (file == "-") {
    text = ReadBounded(in, "standard input");
  } else {
    std::ifstream stream(file, std::ios::binary);
    if (!stream) {
      err << "convert: cannot open " << file << "\n";
      return kExitError;
    }
    text = ReadBounded(stream, file);
  }
  if (!text.ok()) {
    err << "convert: " << text.status().message() << "\n";
    return kExitError;
  }
  const Result<Conversion> conversion = ConvertKubeflowYaml(*text);
  if (!conversion.ok()) {
    err << "convert: " << (file == "-" ? "standard input" : file) << ": " << conversion.status().message() << "\n";
    return kExitError;
  }
  out << conversion->yaml;
  err << FormatFindings(conversion->findings);
  if (strict && conversion->Dropped()) {
    err << "convert: --strict: fields were dropped (see above)\n";
    return kExitDropped;
  }
  return kExitConverted;
}

}  // namespace spark_operator::controller::convert
