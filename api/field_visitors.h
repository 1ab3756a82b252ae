// The generic halves of the codec and of Validate(), for the other resources described like the
// SparkApplication (api/tenant_fields.h): defined in api/codec.cc and api/validate.cc and instantiated there for
// each struct that uses them, so the visitors are written once.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "common/base/status.h"

namespace spark_operator::api::internal {

// Reads `json` into `out` by its VisitFields; `strict`: unknown fields are errors. Every error in one
// InvalidArgument message, paths starting at `path`.
template <class T>
Status ReadFields(const rapidjson::Value& json, const char* path, bool strict, T& out);

// `value` as JSON, empty members left out; null when nothing is set.
template <class T>
rapidjson::Value WriteFields(const T& value, rapidjson::Document::AllocatorType& a);

// The per-field rules of the FieldDocs (required, bounds, named checks) of `value`, under `path`.
template <class T>
void CheckFields(const std::string& path, const T& value, std::vector<std::string>& problems);

}  // namespace spark_operator::api::internal
