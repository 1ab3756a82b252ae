// Where tests find the checkout, the built executables and the local cluster. CMake compiles the defaults
// in (tests/CMakeLists.txt); environment variables of the same names win, for running a binary by hand.
#pragma once

#include <cstdlib>
#include <string>

namespace spark_operator::testing {

// $SO_SOURCE_DIR, else the checkout the test was built from.
inline std::string SourceDir() {
  const char* dir = std::getenv("SO_SOURCE_DIR");
  return dir != nullptr ? dir : SO_SOURCE_DIR_DEFAULT;
}

// $SO_BIN_DIR, else the build's bin/ folder (the services' executables).
inline std::string BinDir() {
  const char* dir = std::getenv("SO_BIN_DIR");
  return dir != nullptr ? dir : SO_BIN_DIR_DEFAULT;
}

inline std::string ClusterDir() {
  const char* dir = std::getenv("SO_CLUSTER_DIR");
  return dir != nullptr ? dir : SourceDir() + "/.local/cluster";
}

}  // namespace spark_operator::testing
