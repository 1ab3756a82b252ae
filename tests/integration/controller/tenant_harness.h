// What the tenant and admission integration tests share: unique names and a SparkTenant that is deleted, with its
// namespace, at the end of the test whatever the controller did.
#pragma once

#include <unistd.h>

#include <memory>
#include <string>

#include "controller/tenant_objects.h"
#include "tests/integration/controller/harness.h"

namespace spark_operator::controller::testing {

inline std::string UniqueName(const std::string& prefix) {
  static int counter = 0;
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
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
