#include "tools/crdgen/reference.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <string_view>

#include "api/spark_application.h"
#include "common/base/json.h"
#include "fixtures.h"

namespace spark_operator::api {
namespace {

constexpr char kReferenceFile[] = "docs/spark-application.md";

TEST_CASE("docs/spark-application.md holds the reference generated from api/fields.h") {
  const bool up_to_date = testing::ReadSourceFile(kReferenceFile) == SparkApplicationReferenceMarkdown();
  if (!up_to_date) FAIL(kReferenceFile << " is out of date with api/fields.h: run `make crd` to regenerate it");
}

std::map<std::string, FieldReference> ByPath(const std::vector<FieldReference>& rows) {
  std::map<std::string, FieldReference> out;
  for (const FieldReference& row : rows) out[row.path] = row;
  return out;
}

TEST_CASE("the reference lists every spec and status field with its type, enum values, rules and default") {
  const std::map<std::string, FieldReference> spec = ByPath(SparkApplicationSpecReference());
  REQUIRE(spec.count("spec.driver.memory") == 1);
  CHECK(spec.at("spec.driver.memory").type == "string");
  CHECK(spec.at("spec.driver.memory").default_value == "1g");
  CHECK(spec.at("spec.driver.memory").rules.find("memory") != std::string::npos);
  CHECK(spec.at("spec.type").required);
  CHECK(spec.at("spec.type").values == std::vector<std::string>{"Java", "Scala", "Python", "R"});
  CHECK(spec.at("spec.executor.instances").rules == "at least 1");
  CHECK(spec.at("spec.executor.cores").rules == "greater than 0, at most 1024");
  CHECK(spec.at("spec.driver.secrets[].name").required);
  CHECK(spec.at("spec.driver.secrets[].secretType").default_value == "Generic");
  CHECK(spec.at("spec.sparkConf").type == "map of string to string");
  CHECK(spec.at("spec.imagePullSecrets").type == "list of string");
  CHECK(spec.at("spec.restartPolicy.type").default_value == "Never");
  CHECK(spec.at("spec.timeToLiveSeconds").default_value.empty());

  const std::map<std::string, FieldReference> status = ByPath(SparkApplicationStatusReference());
  CHECK(status.at("status.applicationState.state").values ==
        std::vector<std::string>{"NEW", "SUBMITTED", "RUNNING", "COMPLETED", "FAILED", "SUBMISSION_FAILED",
                                 "PENDING_RERUN", "UNKNOWN", "QUEUED", "SUSPENDED"});
  CHECK(status.at("status.executorState").values.size() == 5);
  CHECK(status.at("status.submissionTime").rules == "RFC 3339 time");
}

// "spec.driver.secrets[].secretType" in `root`, taking the first element of a list; nullptr when absent.
const rapidjson::Value* Find(const rapidjson::Value& root, std::string_view path) {
  const rapidjson::Value* at = &root;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    path = dot == std::string_view::npos ? "" : path.substr(dot + 1);
    const bool list = part.ends_with("[]");
    if (list) part.remove_suffix(2);
    if (!at->IsObject()) return nullptr;
    const auto member = at->FindMember(rapidjson::Value(part.data(), static_cast<unsigned>(part.size())));
    if (member == at->MemberEnd()) return nullptr;
    at = &member->value;
    if (list) {
      if (!at->IsArray() || at->Empty()) return nullptr;
      at = &(*at)[0];
    }
  }
  return at;
}

SparkApplication Defaulted(const char* restart_type) {
  SparkApplication app;
  app.spec.type = AppType::kScala;
  app.spec.main_application_file = "local:///app.jar";
  app.spec.driver.secrets.push_back({"s", "/s", std::nullopt});
  app.spec.executor.secrets.push_back({"s", "/s", std::nullopt});
  if (restart_type != nullptr) app.spec.restart_policy.type = EnumFromName<RestartPolicyType>(restart_type);
  ApplyDefaults(app);
  return app;
}

TEST_CASE("every default the reference states is the one ApplyDefaults fills in") {
  // Retry settings are only defaulted for OnFailure, so the rows are looked up in an app that leaves everything
  // out, then in one that only sets OnFailure.
  const rapidjson::Document plain = ToJson(Defaulted(nullptr));
  const rapidjson::Document on_failure = ToJson(Defaulted("OnFailure"));
  int checked = 0;
  for (const FieldReference& row : SparkApplicationSpecReference()) {
    if (row.default_value.empty()) continue;
    INFO(row.path << " documented default " << row.default_value);
    const rapidjson::Value* value = Find(plain, row.path);
    if (value == nullptr) value = Find(on_failure, row.path);
    if (value == nullptr) {
      CHECK(row.default_value == "false");  // ToJson leaves false out.
    } else if (value->IsString()) {
      CHECK(value->GetString() == row.default_value);
    } else {
      CHECK(ToJson(*value) == row.default_value);
    }
    ++checked;
  }
  CHECK(checked >= 12);
}

}  // namespace
}  // namespace spark_operator::api
