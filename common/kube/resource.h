// Names a kind of object on the API server by group, version and plural resource, and builds its URL paths.
#pragma once

#include <string>
#include <string_view>

namespace spark_operator::kube {

struct Resource {
  std::string group;  // Empty for the core group.
  std::string version;
  std::string plural;
  bool namespaced = true;

  // "/api/v1" or "/apis/<group>/<version>".
  std::string GroupVersionPath() const;
  // The collection in `ns` (all namespaces when empty, or for cluster-scoped resources).
  std::string CollectionPath(std::string_view ns) const;
  // One object, and optionally one of its subresources ("status").
  std::string ObjectPath(std::string_view ns, std::string_view name, std::string_view subresource = "") const;
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
};

// The resources the operator uses.
namespace resources {
inline const Resource kPods{"", "v1", "pods"};
inline const Resource kServices{"", "v1", "services"};
inline const Resource kConfigMaps{"", "v1", "configmaps"};
inline const Resource kSecrets{"", "v1", "secrets"};
inline const Resource kServiceAccounts{"", "v1", "serviceaccounts"};
inline const Resource kEvents{"", "v1", "events"};
inline const Resource kResourceQuotas{"", "v1", "resourcequotas"};
inline const Resource kNodes{"", "v1", "nodes", false};
inline const Resource kNamespaces{"", "v1", "namespaces", false};
inline const Resource kNetworkPolicies{"networking.k8s.io", "v1", "networkpolicies"};
inline const Resource kIngresses{"networking.k8s.io", "v1", "ingresses"};
inline const Resource kLeases{"coordination.k8s.io", "v1", "leases"};
inline const Resource kRoles{"rbac.authorization.k8s.io", "v1", "roles"};
inline const Resource kRoleBindings{"rbac.authorization.k8s.io", "v1", "rolebindings"};
inline const Resource kCustomResourceDefinitions{"apiextensions.k8s.io", "v1", "customresourcedefinitions", false};
inline const Resource kMutatingWebhookConfigurations{"admissionregistration.k8s.io", "v1",
                                                     "mutatingwebhookconfigurations", false};
inline const Resource kSparkApplications{"spark-operator.k8s.io", "v1alpha1", "sparkapplications"};
}  // namespace resources

// Escapes a query parameter value (label selectors contain '=', ',' and '!').
std::string UrlEncode(std::string_view value);

}  // namespace spark_operator::kube
