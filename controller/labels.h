// The label and annotation keys the controller puts on the pods it launches, shared by the submission
// builder, the pod informer and the tests.
#pragma once

#include <string>
#include <string_view>

namespace spark_operator::controller {

inline constexpr char kAppNameLabel[] = "spark-operator.k8s.io/app-name";
inline constexpr char kAttemptLabel[] = "spark-operator.k8s.io/submission-attempt";
inline constexpr char kLaunchedByLabel[] = "spark-operator.k8s.io/launched-by-spark-operator";
// The UID of the app a driver was submitted for: names are reused when an app is deleted and created again.
inline constexpr char kAppUidLabel[] = "spark-operator.k8s.io/app-uid";
// Label values stop at 63 characters but app names may be longer, so the full name also travels as an
// annotation; the pod handler prefers it.
inline constexpr char kAppNameAnnotation[] = "spark-operator.k8s.io/app-name";
// Where controllers before status.observedGeneration kept the spec generation the status belongs to; still read
// from apps they wrote.
inline constexpr char kObservedGenerationAnnotation[] = "spark-operator.k8s.io/observed-generation";

// Set by Spark itself.
inline constexpr char kSparkRoleLabel[] = "spark-role";
inline constexpr char kSparkAppSelectorLabel[] = "spark-app-selector";

// A valid label value for `name`: itself when short enough, else a prefix plus a hash of the whole.
std::string LabelValueFor(std::string_view name);

// "<app>-<attempt>-driver", at most 63 characters; a long app name is cut and given a hash so that two long
// names sharing a prefix still get different pods.
std::string DriverPodName(std::string_view app_name, int attempt);
std::string UiServiceName(std::string_view app_name);
// "<app>-ui-ingress", as kubeflow names it, cut to 63 characters like the Service.
std::string UiIngressName(std::string_view app_name);

}  // namespace spark_operator::controller
