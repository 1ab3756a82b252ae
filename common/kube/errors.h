// Turns the API server's error responses (a metav1.Status body) into our Status, so callers can test
// IsNotFound, IsConflict, IsGone... and users read the server's own message.
#pragma once

#include <string_view>

#include "common/base/status.h"

namespace spark_operator::kube {

Status StatusFromResponse(int http_status, std::string_view body);

}  // namespace spark_operator::kube
