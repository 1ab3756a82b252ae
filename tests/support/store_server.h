// An object-store server of tools/stores/ (fake-gcs-server or versitygw) for one test: started on a free
// loopback port in a temporary directory by tools/stores/start.sh, stopped and removed at the end. Stop() and
// Start() in between bring the same server back on the same port with the same data.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/storage/object_store.h"
#include "tests/support/paths.h"

namespace spark_operator::testing {

class StoreServer {
 public:
  // `kind` is "gcs" or "s3"; `buckets` are created once it answers.
  StoreServer(std::string kind, std::vector<std::string> buckets)
      : kind_(std::move(kind)), buckets_(std::move(buckets)) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("so-store-" + kind_ + "-XXXXXX")).string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir_ = pattern;
    Start();
  }
  ~StoreServer() {
    Exec(SourceDir() + "/tools/stores/stop.sh " + dir_);  // No REQUIRE here: a destructor must not throw.
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  StoreServer(const StoreServer&) = delete;
  StoreServer& operator=(const StoreServer&) = delete;

  void Start() {
    std::string command = SourceDir() + "/tools/stores/start.sh " + kind_ + " " + dir_;
    for (const std::string& bucket : buckets_) command += " --bucket " + bucket;
    const std::string output = Run(command);
    env_.clear();
    size_t start = 0;
    while (start < output.size()) {
      const size_t end = std::min(output.find('\n', start), output.size());
      const std::string line = output.substr(start, end - start);
      if (const size_t eq = line.find('='); eq != std::string::npos) env_[line.substr(0, eq)] = line.substr(eq + 1);
      start = end + 1;
    }
    REQUIRE(!Env("STORE_ENDPOINT").empty());
  }

  // Returns once the server has exited.
  void Stop() { Run(SourceDir() + "/tools/stores/stop.sh " + dir_); }

  // A variable of the server's env file (STORE_ENDPOINT, STORE_S3_ACCESS_KEY, ...).
  std::string Env(const std::string& key) const {
    const auto it = env_.find(key);
    return it == env_.end() ? "" : it->second;
  }
  const std::string& endpoint() const { return env_.at("STORE_ENDPOINT"); }

  // Options that reach this server with its credentials.
  storage::StoreOptions Options() const {
    storage::StoreOptions options;
    if (kind_ == "gcs") {
      options.gcs_endpoint = endpoint();
    } else {
      options.s3_endpoint = endpoint();
      options.s3_path_style = true;
      options.s3_region = Env("STORE_S3_REGION");
      options.s3_access_key_id = Env("STORE_S3_ACCESS_KEY");
      options.s3_secret_access_key = Env("STORE_S3_SECRET_KEY");
    }
    options.request_timeout = std::chrono::seconds(20);
    return options;
  }

  // The destination URL of `prefix` in the first bucket.
  std::string Url(const std::string& prefix) const {
    return (kind_ == "gcs" ? "gs://" : "s3://") + buckets_.at(0) + "/" + prefix;
  }
  // Options() as the controller's flags and environment.
  std::vector<std::string> Flags() const {
    if (kind_ == "gcs") return {"--gcs-endpoint=" + endpoint()};
    return {"--s3-endpoint=" + endpoint(), "--s3-path-style", "--s3-region=" + Env("STORE_S3_REGION")};
  }
  std::vector<std::string> Environment() const {
    if (kind_ == "gcs") return {};
    return {"AWS_ACCESS_KEY_ID=" + Env("STORE_S3_ACCESS_KEY"), "AWS_SECRET_ACCESS_KEY=" + Env("STORE_S3_SECRET_KEY")};
  }
  // The store at Url(prefix), as the controller opens it.
  std::unique_ptr<storage::ObjectStore> Open(const std::string& prefix) const {
    Result<storage::ObjectUrl> url = storage::ParseObjectUrl(Url(prefix));
    REQUIRE(url.ok());
    Result<std::unique_ptr<storage::ObjectStore>> store = storage::OpenObjectStore(*url, Options());
    if (!store.ok()) FAIL("opening " << Url(prefix) << ": " << store.status().ToString());
    return std::move(*store);
  }

 private:
  // The command's exit status (-1 when it could not run) and standard output; its errors go to the test's.
  static std::pair<int, std::string> Exec(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return {-1, ""};
    std::string output;
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    return {pclose(pipe), output};
  }

  static std::string Run(const std::string& command) {
    auto [status, output] = Exec(command);
    INFO(command << " printed:\n" << output);
    REQUIRE(status == 0);
    return output;
  }

  const std::string kind_;
  const std::vector<std::string> buckets_;
  std::string dir_;
  std::map<std::string, std::string> env_;
};

}  // namespace spark_operator::testing
