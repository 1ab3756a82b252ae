// Store settings from the environment Google's and AWS's tools use.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/storage/object_store.h"

namespace spark_operator::storage {
namespace {

// Sets the variables for one test and restores a clean environment afterwards.
struct Environment {
  static constexpr const char* kNames[] = {"GOOGLE_APPLICATION_CREDENTIALS",
                                           "AWS_ACCESS_KEY_ID",
                                           "AWS_SECRET_ACCESS_KEY",
                                           "AWS_SESSION_TOKEN",
                                           "AWS_REGION",
                                           "AWS_DEFAULT_REGION",
                                           "AWS_ENDPOINT_URL_S3",
                                           "AWS_ENDPOINT_URL"};
  Environment() { Clear(); }
  ~Environment() { Clear(); }
  static void Clear() {
    for (const char* name : kNames) unsetenv(name);
  }
  void Set(const char* name, const std::string& value) { setenv(name, value.c_str(), 1); }
};

TEST_CASE("AWS variables fill the S3 options - the S3-specific endpoint and AWS_REGION win") {
  Environment env;
  env.Set("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
  env.Set("AWS_SECRET_ACCESS_KEY", "secret");
  env.Set("AWS_SESSION_TOKEN", "session");
  env.Set("AWS_DEFAULT_REGION", "eu-west-1");
  env.Set("AWS_ENDPOINT_URL", "http://generic:9000");
  StoreOptions options;
  REQUIRE(LoadStoreOptionsFromEnvironment(options).ok());
  CHECK(options.s3_access_key_id == "AKIDEXAMPLE");
  CHECK(options.s3_secret_access_key == "secret");
  CHECK(options.s3_session_token == "session");
  CHECK(options.s3_region == "eu-west-1");
  CHECK(options.s3_endpoint == "http://generic:9000");

  env.Set("AWS_REGION", "ap-south-1");
  env.Set("AWS_ENDPOINT_URL_S3", "http://s3only:9000");
  REQUIRE(LoadStoreOptionsFromEnvironment(options).ok());
  CHECK(options.s3_region == "ap-south-1");
  CHECK(options.s3_endpoint == "http://s3only:9000");
}

TEST_CASE("no variables change nothing - half a key pair is refused without the secret in the message") {
  Environment env;
  StoreOptions options;
  REQUIRE(LoadStoreOptionsFromEnvironment(options).ok());
  CHECK(options.s3_region == "us-east-1");
  CHECK(options.s3_access_key_id.empty());
  CHECK(options.gcs_service_account_json.empty());

  env.Set("AWS_SECRET_ACCESS_KEY", "very-secret-value");
  const Status half = LoadStoreOptionsFromEnvironment(options);
  CHECK(half.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(half.message(), Catch::Contains("AWS_ACCESS_KEY_ID is not"));
  CHECK_THAT(half.message(), !Catch::Contains("very-secret-value"));
}

TEST_CASE("GOOGLE_APPLICATION_CREDENTIALS names the key file, whose content becomes the key") {
  Environment env;
  const std::string path = (std::filesystem::temp_directory_path() / "so-env-test-key.json").string();
  std::ofstream(path) << R"({"type":"service_account"})";
  env.Set("GOOGLE_APPLICATION_CREDENTIALS", path);
  StoreOptions options;
  REQUIRE(LoadStoreOptionsFromEnvironment(options).ok());
  CHECK(options.gcs_service_account_json == R"({"type":"service_account"})");
  std::filesystem::remove(path);

  const Status missing = LoadStoreOptionsFromEnvironment(options);
  CHECK(missing.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(missing.message(), Catch::Contains("GOOGLE_APPLICATION_CREDENTIALS"));
  CHECK_THAT(missing.message(), Catch::Contains(path));
}

}  // namespace
}  // namespace spark_operator::storage
