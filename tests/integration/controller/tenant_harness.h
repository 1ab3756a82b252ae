// What the tenant, admission and RBAC integration tests share: unique names, the members' ClusterRole, clients
// that act as a service account, and a SparkTenant that is deleted, with its namespace, at the end of the test
// whatever the controller did.
#pragma once

#include <unistd.h>

#include <memory>
#include <string>

#include "controller/tenant_objects.h"
#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {

inline std::string UniqueName(const std::string& prefix) {
  static int counter = 0;
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

// The members' ClusterRole as deploy/rbac ships it.
inline void EnsureMemberRole(kube::Client& client) {
  const Result<std::string> yaml = ReadFile(SourceDir() + "/deploy/rbac/tenant_member_role.yaml");
  REQUIRE(yaml.ok());
  const Result<rapidjson::Document> role = YamlToJson(*yaml);
  REQUIRE(role.ok());
  kube::PatchOptions apply;
  apply.field_manager = "integration-test";
  apply.force = true;
  const auto applied = client.Patch(kube::Resource{"rbac.authorization.k8s.io", "v1", "clusterroles", false}, "",
                                    "spark-operator-tenant-member", kube::PatchType::kApply, ToJson(*role), apply);
  if (!applied.ok()) FAIL(applied.status().ToString());
}

// A client authenticated as the service account `ns`/`name` (created here), by a token the API server issues for
// it: the server's own authentication and RBAC decide what it may do.
inline std::shared_ptr<kube::Client> ClientAs(kube::Client& admin, const std::string& ns, const std::string& name) {
  REQUIRE(admin
              .Create(kube::resources::kServiceAccounts, ns,
                      Json(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":")" + name + "\"}}"))
              .ok());
  kube::RestConfig config = spark_operator::testing::AdminConfig();
  config.tls.client_cert_pem.clear();
  config.tls.client_key_pem.clear();
  config.bearer_token = spark_operator::testing::ServiceAccountToken(admin, ns, name);
  Result<std::shared_ptr<kube::Client>> client = kube::Client::Create(config);
  REQUIRE(client.ok());
  return *client;
}

class Tenant {
 public:
  // `wait_ready`: return only once the controller applied the tenant's objects (Ready, reason Applied).
  Tenant(std::shared_ptr<kube::Client> client, const std::string& name, const std::string& spec_json,
         bool wait_ready = false)
      : client_(std::move(client)), name_(name) {
    const auto created = client_->Create(
        kSparkTenants, "",
        Json(R"({"apiVersion":"spark-operator.k8s.io/v1alpha1","kind":"SparkTenant","metadata":{"name":")" + name +
             R"("},"spec":)" + spec_json + "}"));
    if (!created.ok()) FAIL("creating tenant " << name << ": " << created.status().ToString());
    if (!wait_ready) return;
    REQUIRE(Eventually([&] {
      const auto t = client_->Get(kSparkTenants, "", name_);
      return t.ok() && ToJson(*t).find(R"("reason":"Applied")") != std::string::npos;
    }));
  }
  ~Tenant() {
    (void)client_->Delete(kSparkTenants, "", name_);
    (void)client_->Patch(kSparkTenants, "", name_, kube::PatchType::kMerge, R"({"metadata":{"finalizers":null}})");
    (void)client_->Delete(kube::resources::kNamespaces, "", name_);
  }
  const std::string& name() const { return name_; }

 private:
  std::shared_ptr<kube::Client> client_;
  std::string name_;
};

}  // namespace spark_operator::controller::testing
