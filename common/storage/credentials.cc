// Store settings from the variables Google's and AWS's own tools read, so that a Secret mounted as the usual
// environment configures the operator as it would configure gsutil or the aws CLI.
#include <cstdlib>

#include "common/base/file.h"
#include "common/storage/object_store.h"

namespace spark_operator::storage {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

void SetIfPresent(std::string& field, const std::string& value) {
  if (!value.empty()) field = value;
}

}  // namespace

Status LoadStoreOptionsFromEnvironment(StoreOptions& options) {
  if (const std::string path = Env("GOOGLE_APPLICATION_CREDENTIALS"); !path.empty()) {
    Result<std::string> key = ReadFile(path);
    // The path is not a secret; the file's content is, and appears nowhere.
    if (!key.ok()) return InvalidArgumentError("GOOGLE_APPLICATION_CREDENTIALS: " + key.status().message());
    if (key->empty()) return InvalidArgumentError("GOOGLE_APPLICATION_CREDENTIALS: " + path + " is empty");
    options.gcs_service_account_json = std::move(*key);
  }

  const std::string access_key = Env("AWS_ACCESS_KEY_ID");
  const std::string secret_key = Env("AWS_SECRET_ACCESS_KEY");
  if (access_key.empty() != secret_key.empty()) {
    return InvalidArgumentError(access_key.empty() ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                                                   : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
  SetIfPresent(options.s3_access_key_id, access_key);
  SetIfPresent(options.s3_secret_access_key, secret_key);
  SetIfPresent(options.s3_session_token, Env("AWS_SESSION_TOKEN"));
  const std::string region = Env("AWS_REGION");
  SetIfPresent(options.s3_region, region.empty() ? Env("AWS_DEFAULT_REGION") : region);
  const std::string endpoint = Env("AWS_ENDPOINT_URL_S3");
  SetIfPresent(options.s3_endpoint, endpoint.empty() ? Env("AWS_ENDPOINT_URL") : endpoint);
  return OkStatus();
}

}  // namespace spark_operator::storage
