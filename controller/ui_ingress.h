// The Ingress to a driver's UI Service (--ingress-url-format, spec.sparkUIOptions): "<app>-ui-ingress", owned by
// the SparkApplication and, like the Service, living only while a driver runs. A URL with a path is served under
// it the way kubeflow's operator does it: the path becomes spark.ui.proxyBase (controller/submit/submission.cc) and the
// Ingress strips it again with a capture-group path and nginx's rewrite-target, since the UI itself answers at /.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "common/base/status.h"
#include "common/kube/client.h"
#include "controller/ui_service.h"

namespace spark_operator::controller {

// The Ingress object (pure); `plan.ingress` must be set.
rapidjson::Document BuildUiIngress(const rapidjson::Value& app, const UiPlan& plan);

// http(s)://host/path of the UI: https when ingressTLS covers the host (or the format said https).
std::string UiIngressAddress(const UiPlan& plan);

// Creates the Ingress, or replaces one made for an earlier spec.
Status EnsureUiIngress(kube::Client& client, const rapidjson::Value& app, const UiPlan& plan);

// Already gone is fine.
Status DeleteUiIngress(kube::Client& client, const rapidjson::Value& app);

}  // namespace spark_operator::controller
