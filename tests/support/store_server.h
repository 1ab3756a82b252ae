// A real object-store server on loopback for tests (tools/stores/: fake-gcs-server for GCS, versitygw for S3),
// started through tools/stores/start.sh and stopped through stop.sh, so tests and scripts run them alike. A
// stopped server started again takes the same port and finds its buckets and objects.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "common/storage/object_store.h"
#include "tests/support/paths.h"

namespace spark_operator::testing {

class StoreServer {
 public:
  // `kind` is "gcs" or "s3"; `dir` holds the server's data and env; `bucket` is created.
  StoreServer(std::string kind, std::string dir, std::string bucket)
      : kind_(std::move(kind)), dir_(std::move(dir)), bucket_(std::move(bucket)) {
    Start();
  }
  ~StoreServer() { Stop(); }
  StoreServer(const StoreServer&) = delete;
  StoreServer& operator=(const StoreServer&) = delete;

  void Start() {
    const std::string output = Run(SourceDir() + "/tools/stores/start.sh " + kind_ + " '" + dir_ + "' --bucket " +
                                   bucket_ + " 2>&1");
    env_.clear();
    size_t start = 0;
    while (start < output.size()) {
      const size_t end = output.find('\n', start) == std::string::npos ? output.size() : output.find('\n', start);
      const std::string line = output.substr(start, end - start);
      if (const size_t eq = line.find('='); eq != std::string::npos && line.rfind("STORE_", 0) == 0) {
        env_[line.substr(0, eq)] = line.substr(eq + 1);
      }
      start = end + 1;
    }
    if (env_["STORE_ENDPOINT"].empty()) FAIL("starting the " << kind_ << " store failed:\n" << output);
  }
  void Stop() { Run(SourceDir() + "/tools/stores/stop.sh '" + dir_ + "' 2>&1"); }

  // The destination URL of `prefix` in the bucket.
  std::string Url(const std::string& prefix) const {
    return (kind_ == "gcs" ? "gs://" : "s3://") + bucket_ + "/" + prefix;
  }
  // How the controller reaches and signs in to this server.
  storage::StoreOptions Options() const {
    storage::StoreOptions options;
    if (kind_ == "gcs") {
      options.gcs_endpoint = env_.at("STORE_ENDPOINT");
    } else {
      options.s3_endpoint = env_.at("STORE_ENDPOINT");
      options.s3_path_style = true;
      options.s3_region = env_.at("STORE_S3_REGION");
      options.s3_access_key_id = env_.at("STORE_S3_ACCESS_KEY");
      options.s3_secret_access_key = env_.at("STORE_S3_SECRET_KEY");
    }
    return options;
  }
  // The same as controller flags.
  std::vector<std::string> Flags() const {
    if (kind_ == "gcs") return {"--gcs-endpoint=" + env_.at("STORE_ENDPOINT")};
    return {"--s3-endpoint=" + env_.at("STORE_ENDPOINT"), "--s3-path-style", "--s3-region=" + env_.at("STORE_S3_REGION")};
  }
  // The credentials as the controller's environment carries them.
  std::vector<std::string> Environment() const {
    if (kind_ == "gcs") return {};
    return {"AWS_ACCESS_KEY_ID=" + env_.at("STORE_S3_ACCESS_KEY"),
            "AWS_SECRET_ACCESS_KEY=" + env_.at("STORE_S3_SECRET_KEY")};
  }
  std::unique_ptr<storage::ObjectStore> Open(const std::string& prefix) const {
    Result<storage::ObjectUrl> url = storage::ParseObjectUrl(Url(prefix));
    REQUIRE(url.ok());
    Result<std::unique_ptr<storage::ObjectStore>> store = storage::OpenObjectStore(*url, Options());
    if (!store.ok()) FAIL("opening " << Url(prefix) << ": " << store.status().ToString());
    return std::move(*store);
  }

 private:
  static std::string Run(const std::string& command) {
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    pclose(pipe);
    return output;
  }

  const std::string kind_;
  const std::string dir_;
  const std::string bucket_;
  std::map<std::string, std::string> env_;
};

}  // namespace spark_operator::testing
