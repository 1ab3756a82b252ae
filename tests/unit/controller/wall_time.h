// RFC 3339 text as a wall time, for the schedule tests.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "common/kube/time_format.h"

namespace spark_operator::controller::testing {

inline std::chrono::system_clock::time_point At(const std::string& rfc3339) {
  const Result<std::chrono::system_clock::time_point> t = kube::ParseTime(rfc3339);
  REQUIRE(t.ok());
  return *t;
}

}  // namespace spark_operator::controller::testing
