// A small RFC 6902 applier (add, replace, remove) for tests only: mutator tests apply their patch and compare
// the resulting pod with the expected one.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "common/base/status.h"

namespace spark_operator::testing {

// Applies `patch` (a JSON array of operations) to `doc` in place.
Status ApplyJsonPatch(rapidjson::Document& doc, const std::string& patch);

}  // namespace spark_operator::testing
