// The NodePort Service that exposes a driver's Spark UI: "<app>-ui-svc", owned by the SparkApplication (so the
// garbage collector deletes it with the app), selecting the driver pod of the current attempt.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>

#include "common/base/status.h"
#include "common/kube/client.h"

namespace spark_operator::controller {

// metadata.ownerReferences entry pointing at `owner` (a whole object with apiVersion/kind/name/uid).
rapidjson::Value OwnerReference(const rapidjson::Value& owner, rapidjson::Document::AllocatorType& allocator);

// The Service object (pure).
rapidjson::Document BuildUiService(const rapidjson::Value& app, int attempt, int ui_port);

struct UiServiceInfo {
  std::string name;
  int node_port = 0;
};

// Creates the Service, or points an existing one at `attempt`'s driver.
Result<UiServiceInfo> EnsureUiService(kube::Client& client, const rapidjson::Value& app, int attempt, int ui_port);

// The InternalIP of a node (its first address otherwise), for webUIURL.
Result<std::string> NodeAddress(kube::Client& client, const std::string& node_name);

}  // namespace spark_operator::controller
