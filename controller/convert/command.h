// `spark-operator-controller convert`: the kubeflow converter (kubeflow.h) as a command, before gflags or the
// controller start.
//
//   spark-operator-controller convert -f in.yaml [--strict]     (-f -: standard input)
//
// Converted YAML on stdout; on stderr one line per field left out ("dropped: ...", "note: ...") and per
// converted application this operator would refuse ("warning: ..."). Exit codes below.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace spark_operator::controller::convert {

inline constexpr int kExitConverted = 0;  // Everything converted, or (without --strict) converted with fields left out.
inline constexpr int kExitError = 1;      // Unreadable or malformed input, a kind the converter does not know.
inline constexpr int kExitUsage = 2;      // Wrong arguments.
inline constexpr int kExitDropped = 3;    // --strict, and a field was dropped (notes and warnings do not count).

// `args` are the arguments after "convert". `in` is read for "-f -".
int RunConvertCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace spark_operator::controller::convert
