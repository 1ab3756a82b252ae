// The Service that exposes a driver's Spark UI: "<app>-ui-svc", owned by the SparkApplication (so the garbage
// collector deletes it with the app), selecting the driver pod of the current attempt. It lives only while a
// driver runs: a cluster has 2,768 node ports, and every Service in a namespace adds environment variables to
// each pod started there that has service links on.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <string_view>

#include "api/types.h"
#include "common/base/status.h"
#include "common/kube/client.h"

namespace spark_operator::controller {

// --ui-service-type. kNone: no Service, and no UI address in the status.
enum class UiServiceType { kNodePort, kClusterIP, kNone };

Result<UiServiceType> ParseUiServiceType(std::string_view text);
std::string_view UiServiceTypeName(UiServiceType type);

// metadata.ownerReferences entry pointing at `owner` (a whole object with apiVersion/kind/name/uid).
rapidjson::Value OwnerReference(const rapidjson::Value& owner, rapidjson::Document::AllocatorType& allocator);

// The Service object (pure); `type` is kNodePort or kClusterIP.
rapidjson::Document BuildUiService(const rapidjson::Value& app, int attempt, int ui_port,
                                   UiServiceType type = UiServiceType::kNodePort);

struct UiServiceInfo {
  std::string name;
  int node_port = 0;  // 0 for a ClusterIP Service.
};

// Creates the Service, or points an existing one at `attempt`'s driver.
Result<UiServiceInfo> EnsureUiService(kube::Client& client, const rapidjson::Value& app, int attempt, int ui_port,
                                      UiServiceType type = UiServiceType::kNodePort);

// The InternalIP of a node (its first address otherwise), for webUIURL.
Result<std::string> NodeAddress(kube::Client& client, const std::string& node_name);

// Ensures the Service for the running `driver` of `app` and fills the UI fields of `info`: NodePort
// "<node address>:<node port>", ClusterIP "<service>.<namespace>.svc:<port>". Nothing for kNone.
Status ExposeDriverUi(kube::Client& client, const rapidjson::Value& app, const rapidjson::Value& driver, int attempt,
                      int ui_port, UiServiceType type, api::DriverInfo& info);

// Deletes the Service (already gone is fine) and then clears the UI fields of `info`, so that the status never
// names a UI that no longer answers; on an error `info` is left as it was.
Status DeleteDriverUi(kube::Client& client, const rapidjson::Value& app, api::DriverInfo& info);

}  // namespace spark_operator::controller
