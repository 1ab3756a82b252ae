// The Kubernetes client against the real API server of tools/cluster/up.sh.
#include <filesystem>
#include <fstream>

#include "tests/support/cluster.h"

namespace spark_operator::kube {
namespace {

using testing::AdminClient;
using testing::ConfigMap;
using testing::Json;
using testing::TestNamespace;
const Resource& kConfigMaps = resources::kConfigMaps;

TEST_CASE("create, get, update and delete a ConfigMap, with typed errors") {
  auto client = AdminClient();
  const TestNamespace ns(client);

  const Result<rapidjson::Document> created =
      client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "app", {{"k", "v1"}}));
  REQUIRE(created.ok());
  CHECK_FALSE(UidOf(*created).empty());

  const Result<rapidjson::Document> duplicate = client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "app"));
  REQUIRE_FALSE(duplicate.ok());
  CHECK(IsAlreadyExists(duplicate.status()));
  CHECK_THAT(duplicate.status().message(), Catch::Contains("already exists"));

  Result<rapidjson::Document> fetched = client->Get(kConfigMaps, ns.name(), "app");
  REQUIRE(fetched.ok());
  CHECK(GetString(*fetched, {"data", "k"}) == "v1");

  SetString(*fetched, {"data", "k"}, "v2");
  const Result<rapidjson::Document> updated = client->Update(kConfigMaps, *fetched);
  REQUIRE(updated.ok());
  CHECK(GetString(*updated, {"data", "k"}) == "v2");

  // The same resourceVersion again is stale now.
  const Result<rapidjson::Document> stale = client->Update(kConfigMaps, *fetched);
  REQUIRE_FALSE(stale.ok());
  CHECK(IsConflict(stale.status()));

  const Result<rapidjson::Document> invalid =
      client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "Not_A_Name"));
  REQUIRE_FALSE(invalid.ok());
  CHECK(invalid.status().code() == StatusCode::kInvalid);
  CHECK_THAT(invalid.status().message(), Catch::Contains("Not_A_Name"));

  REQUIRE(client->Delete(kConfigMaps, ns.name(), "app").ok());
  const Result<rapidjson::Document> gone = client->Get(kConfigMaps, ns.name(), "app");
  REQUIRE_FALSE(gone.ok());
  CHECK(IsNotFound(gone.status()));
  CHECK(IsNotFound(client->Delete(kConfigMaps, ns.name(), "app")));
}

TEST_CASE("merge, JSON, strategic merge patches and server-side apply") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  REQUIRE(client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "p", {{"a", "1"}, {"b", "2"}})).ok());

  Result<rapidjson::Document> merged =
      client->Patch(kConfigMaps, ns.name(), "p", PatchType::kMerge, R"({"data":{"a":"10","b":null}})");
  REQUIRE(merged.ok());
  CHECK(GetString(*merged, {"data", "a"}) == "10");
  CHECK(FindPath(*merged, {"data", "b"}) == nullptr);

  Result<rapidjson::Document> json_patched =
      client->Patch(kConfigMaps, ns.name(), "p", PatchType::kJson,
                    R"([{"op":"add","path":"/data/c","value":"3"},{"op":"test","path":"/data/a","value":"10"}])");
  REQUIRE(json_patched.ok());
  CHECK(GetString(*json_patched, {"data", "c"}) == "3");

  const Result<rapidjson::Document> failed_test = client->Patch(kConfigMaps, ns.name(), "p", PatchType::kJson,
                                                                R"([{"op":"test","path":"/data/a","value":"wrong"}])");
  REQUIRE_FALSE(failed_test.ok());

  Result<rapidjson::Document> strategic = client->Patch(kConfigMaps, ns.name(), "p", PatchType::kStrategicMerge,
                                                        R"({"metadata":{"labels":{"tier":"spark"}}})");
  REQUIRE(strategic.ok());
  CHECK(GetString(*strategic, {"metadata", "labels", "tier"}) == "spark");

  const std::string apply = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied","namespace":")" +
                            ns.name() + R"("},"data":{"owner":"operator"}})";
  PatchOptions options;
  options.field_manager = "spark-operator";
  Result<rapidjson::Document> applied =
      client->Patch(kConfigMaps, ns.name(), "applied", PatchType::kApply, apply, options);
  REQUIRE(applied.ok());
  CHECK(GetString(*applied, {"data", "owner"}) == "operator");
  const rapidjson::Value* managers = FindPath(*applied, {"metadata", "managedFields"});
  REQUIRE(managers != nullptr);
  CHECK(GetString((*managers)[0], {"manager"}) == "spark-operator");

  // Another manager changing the same field conflicts unless it forces.
  const std::string other = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied","namespace":")" +
                            ns.name() + R"("},"data":{"owner":"someone-else"}})";
  PatchOptions intruder{"intruder", false, ""};
  const Result<rapidjson::Document> conflict =
      client->Patch(kConfigMaps, ns.name(), "applied", PatchType::kApply, other, intruder);
  REQUIRE_FALSE(conflict.ok());
  CHECK(IsConflict(conflict.status()));
  intruder.force = true;
  REQUIRE(client->Patch(kConfigMaps, ns.name(), "applied", PatchType::kApply, other, intruder).ok());
}

TEST_CASE("list with label selectors and limit/continue paging") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  for (int i = 0; i < 25; ++i) {
    const std::string parity = i % 2 == 0 ? "even" : "odd";
    REQUIRE(
        client
            ->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "cm-" + std::to_string(i), {}, {{"parity", parity}}))
            .ok());
  }
  ListOptions page_options;
  page_options.limit = 10;
  page_options.label_selector = "parity=even";
  const Result<rapidjson::Document> page = client->List(kConfigMaps, ns.name(), page_options);
  REQUIRE(page.ok());
  CHECK((*page)["items"].Size() == 10);
  CHECK_FALSE(GetString(*page, {"metadata", "continue"}).empty());

  const Result<rapidjson::Document> all = client->ListAll(kConfigMaps, ns.name(), page_options);
  REQUIRE(all.ok());
  CHECK((*all)["items"].Size() == 13);

  ListOptions set_based;
  set_based.label_selector = "parity in (odd),parity!=even";
  set_based.field_selector = "metadata.name!=cm-1";
  const Result<rapidjson::Document> odd = client->ListAll(kConfigMaps, ns.name(), set_based);
  REQUIRE(odd.ok());
  CHECK((*odd)["items"].Size() == 11);
}

TEST_CASE("the status subresource and delete with a propagation policy") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  const Result<rapidjson::Document> owner = client->Create(kConfigMaps, ns.name(), ConfigMap(ns.name(), "owner"));
  REQUIRE(owner.ok());
  rapidjson::Document dependent = ConfigMap(ns.name(), "dependent");
  const rapidjson::Document refs = Json(R"([{"apiVersion":"v1","kind":"ConfigMap","name":"owner","uid":")" +
                                        UidOf(*owner) + R"(","blockOwnerDeletion":true}])");
  SetPath(dependent, {"metadata", "ownerReferences"}, rapidjson::Value(refs, dependent.GetAllocator()));
  REQUIRE(client->Create(kConfigMaps, ns.name(), dependent).ok());

  DeleteOptions foreground;
  foreground.propagation = Propagation::kForeground;
  REQUIRE(client->Delete(kConfigMaps, ns.name(), "owner", foreground).ok());
  // kube-controller-manager's garbage collector removes the dependent, then the owner.
  CHECK(testing::Eventually([&] { return IsNotFound(client->Get(kConfigMaps, ns.name(), "dependent").status()); }));
  CHECK(testing::Eventually([&] { return IsNotFound(client->Get(kConfigMaps, ns.name(), "owner").status()); }));

  // Pods have a status subresource: a status update changes status and nothing else.
  rapidjson::Document pod = Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"status-pod"},
      "spec":{"nodeName":"not-a-node","containers":[{"name":"c","image":"busybox"}]}})");
  SetString(pod, {"metadata", "namespace"}, ns.name());
  Result<rapidjson::Document> created = client->Create(resources::kPods, ns.name(), pod);
  REQUIRE(created.ok());
  SetString(*created, {"status", "message"}, "set by the test");
  (*created)["spec"]["containers"][0]["image"].SetString("ignored-by-a-status-update", created->GetAllocator());
  const Result<rapidjson::Document> updated = client->UpdateStatus(resources::kPods, *created);
  REQUIRE(updated.ok());
  CHECK(GetString(*updated, {"status", "message"}) == "set by the test");
  CHECK(GetString((*updated)["spec"]["containers"][0], {"image"}) == "busybox");
}

TEST_CASE("bearer tokens, token files re-read on rotation, and bad credentials") {
  const std::string dir = testing::ClusterDir();
  Result<RestConfig> token_config = LoadKubeconfig(dir + "/kubeconfig-token");
  REQUIRE(token_config.ok());
  CHECK_FALSE(token_config->bearer_token.empty());
  auto token_client = Client::Create(*token_config);
  REQUIRE(token_client.ok());
  CHECK((*token_client)->Get(resources::kNamespaces, "", "default").ok());

  const std::string token_file = dir + "/rotating-token";
  std::ofstream(token_file) << "not-a-valid-token\n";
  RestConfig file_config = *token_config;
  file_config.bearer_token.clear();
  file_config.bearer_token_file = token_file;
  auto file_client = Client::Create(file_config);
  REQUIRE(file_client.ok());
  const Status rejected = (*file_client)->Get(resources::kNamespaces, "", "default").status();
  CHECK(rejected.code() == StatusCode::kUnauthenticated);

  std::ofstream(token_file) << token_config->bearer_token << "\n";
  std::filesystem::last_write_time(token_file, std::filesystem::file_time_type::clock::now() + std::chrono::seconds(2));
  CHECK((*file_client)->Get(resources::kNamespaces, "", "default").ok());
  std::filesystem::remove(token_file);
}

TEST_CASE("TLS verification and an unreachable server give clear errors") {
  RestConfig wrong_ca = testing::AdminConfig();
  wrong_ca.tls.ca_pem = wrong_ca.tls.client_cert_pem;  // A certificate that did not sign the server's.
  auto untrusted = Client::Create(wrong_ca);
  REQUIRE(untrusted.ok());
  const Status tls_error = (*untrusted)->Get(resources::kNamespaces, "", "default").status();
  CHECK(tls_error.code() == StatusCode::kUnavailable);
  CHECK_THAT(tls_error.message(), Catch::Contains("TLS handshake"));

  RestConfig unreachable = testing::AdminConfig();
  unreachable.server = "https://127.0.0.1:1";
  auto nowhere = Client::Create(unreachable);
  REQUIRE(nowhere.ok());
  const Status refused = (*nowhere)->Get(resources::kNamespaces, "", "default").status();
  CHECK(refused.code() == StatusCode::kUnavailable);
  CHECK_THAT(refused.message(), Catch::Contains("127.0.0.1:1"));
}

}  // namespace
}  // namespace spark_operator::kube
