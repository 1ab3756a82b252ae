#include "controller/logs/store_credentials.h"

#include "common/base/base64.h"
#include "common/base/json.h"

namespace spark_operator::controller::logs {

Status ReadStoreCredentials(kube::Client& client, const std::string& secret, storage::StoreOptions& options) {
  const size_t slash = secret.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == secret.size()) {
    return InvalidArgumentError("\"" + secret + "\": expected namespace/name of a Secret");
  }
  ASSIGN_OR_RETURN(const rapidjson::Document object,
                   client.Get(kube::resources::kSecrets, secret.substr(0, slash), secret.substr(slash + 1)));
  const auto value = [&](const char* key) -> Result<std::string> {
    const std::string encoded = GetString(object, {"data", key});
    if (encoded.empty()) return std::string();
    Result<std::string> decoded = Base64Decode(encoded);
    if (!decoded.ok()) return InvalidArgumentError("Secret " + secret + ": " + key + " is not valid base64");
    return decoded;
  };
  ASSIGN_OR_RETURN(const std::string key_json, value("key.json"));
  ASSIGN_OR_RETURN(const std::string access_key, value("AWS_ACCESS_KEY_ID"));
  ASSIGN_OR_RETURN(const std::string secret_key, value("AWS_SECRET_ACCESS_KEY"));
  ASSIGN_OR_RETURN(const std::string session_token, value("AWS_SESSION_TOKEN"));
  if (key_json.empty() && access_key.empty()) {
    return InvalidArgumentError("Secret " + secret + " holds neither key.json nor AWS_ACCESS_KEY_ID");
  }
  if (access_key.empty() != secret_key.empty()) {
    return InvalidArgumentError("Secret " + secret + ": AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together");
  }
  if (!key_json.empty()) options.gcs_service_account_json = key_json;
  if (!access_key.empty()) {
    options.s3_access_key_id = access_key;
    options.s3_secret_access_key = secret_key;
    options.s3_session_token = session_token;
  }
  return OkStatus();
}

}  // namespace spark_operator::controller::logs
