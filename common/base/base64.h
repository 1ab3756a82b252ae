// Base64 as Kubernetes uses it (kubeconfig *-data fields, Secret data, AdmissionReview patches).
#pragma once

#include <string>
#include <string_view>

#include "common/base/status.h"

namespace spark_operator {

std::string Base64Encode(std::string_view data);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace spark_operator
