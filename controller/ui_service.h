// The Service that exposes a driver's Spark UI: "<app>-ui-svc", owned by the SparkApplication (so the garbage
// collector deletes it with the app), selecting the driver pod of the current attempt. It lives only while a
// driver runs: a cluster has 2,768 node ports, and every Service in a namespace adds environment variables to
// each pod started there that has service links on.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/ingress_url.h"
#include "api/types.h"
#include "common/base/status.h"
#include "common/kube/client.h"
#include "common/kube/object_meta.h"
#include "common/kube/pod.h"

namespace spark_operator::controller {

// --ui-service-type. kNone: no Service, and no UI address in the status.
enum class UiServiceType { kNodePort, kClusterIP, kNone };

Result<UiServiceType> ParseUiServiceType(std::string_view text);
std::string_view UiServiceTypeName(UiServiceType type);

// The controller's UI flags; spec.sparkUIOptions overrides each for one app.
struct UiDefaults {
  UiServiceType service_type = UiServiceType::kNodePort;  // --ui-service-type.
  std::string ingress_url_format;  // --ingress-url-format; empty: an Ingress only for apps that name a format.
  std::string ingress_class_name;  // --ingress-class-name.
  // Reconciles that may wait on a UI Service's create or delete at once (controller/slots.h).
  int service_slots = 4;
};

// How one app's UI is exposed: the flags merged with its spec.sparkUIOptions.
struct UiPlan {
  UiServiceType type = UiServiceType::kNodePort;  // kNone: neither a Service nor an Ingress.
  int ui_port = 4040;                             // The driver's spark.ui.port, the Service's target.
  int service_port = 4040;
  std::string port_name = "spark-driver-ui-port";
  api::StringMap service_annotations;
  api::StringMap service_labels;
  std::optional<api::IngressUrl> ingress;  // Set: an Ingress to the Service.
  std::string ingress_class;
  api::StringMap ingress_annotations;
  std::vector<api::IngressTLS> ingress_tls;
};

// The Ingress address of `app`'s UI, from its ingressURLFormat or else `default_format`; none without a format
// or with one that does not expand to a valid address (Validate() and the controller's start refuse those).
std::optional<api::IngressUrl> UiIngressUrl(const api::SparkApplication& app, const std::string& default_format);

// An Ingress needs a Service to point at: with one, a type of None becomes ClusterIP.
UiPlan PlanUi(const api::SparkApplication& app, const UiDefaults& defaults);

// Whether `existing` has every label and annotation `desired` sets, with the same values (others may be there).
bool CarriesMetadata(const kube::ObjectMeta& existing, const kube::ObjectMeta& desired);

// metadata.ownerReferences entry pointing at `owner` (a whole object with apiVersion/kind/name/uid).
rapidjson::Value OwnerReference(const rapidjson::Value& owner, rapidjson::Document::AllocatorType& allocator);

// The Service object (pure); `plan.type` is kNodePort or kClusterIP.
rapidjson::Document BuildUiService(const rapidjson::Value& app, int attempt, const UiPlan& plan);
rapidjson::Document BuildUiService(const rapidjson::Value& app, int attempt, int ui_port,
                                   UiServiceType type = UiServiceType::kNodePort);

struct UiServiceInfo {
  std::string name;
  int node_port = 0;  // 0 for a ClusterIP Service.
};

// Creates the Service, or points an existing one at `attempt`'s driver. One whose type, port or the labels and
// annotations the plan sets differ (the spec changed) is deleted, and Unavailable asks for a later try.
// `likely_missing` (the status names no Service yet): try to create before reading, one request instead of two.
Result<UiServiceInfo> EnsureUiService(kube::Client& client, const rapidjson::Value& app, int attempt,
                                      const UiPlan& plan, bool likely_missing = false);

// The InternalIP of a node (its first address otherwise), for webUIURL.
Result<std::string> NodeAddress(kube::Client& client, const std::string& node_name);

// NodeAddress, remembered for `ttl`: every driver on a node would otherwise read that node again (one GET per
// application). Thread-safe.
class NodeAddresses {
 public:
  explicit NodeAddresses(std::chrono::seconds ttl = std::chrono::seconds(30));
  Result<std::string> Get(kube::Client& client, const std::string& node_name);

 private:
  static constexpr size_t kMaxNodes = 10000;
  struct Known {
    std::string address;
    std::chrono::steady_clock::time_point read;
  };
  const std::chrono::steady_clock::duration ttl_;
  std::mutex mu_;
  std::map<std::string, Known> known_;
};

// Ensures the Service (and with plan.ingress the Ingress, controller/ui_ingress.h) for the running `driver` of
// `app` and fills the UI fields of `info`: NodePort "<node address>:<node port>", ClusterIP
// "<service>.<namespace>.svc:<port>", the Ingress's name and address. Nothing for kNone.
Status ExposeDriverUi(kube::Client& client, const rapidjson::Value& app, const kube::Pod& driver, int attempt,
                      const UiPlan& plan, api::DriverInfo& info, NodeAddresses& nodes);

// Deletes the Service and the Ingress `info` names (already gone is fine) and then clears the UI fields of
// `info`, so that the status never names a UI that no longer answers; on an error `info` is left as it was.
Status DeleteDriverUi(kube::Client& client, const rapidjson::Value& app, api::DriverInfo& info);

}  // namespace spark_operator::controller
