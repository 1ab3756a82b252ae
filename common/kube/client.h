// Generic access to any resource on the API server: the REST verbs, the status subresource and watch.
// Objects go in and come out as RapidJSON documents; errors are Status values with the server's message
// (IsNotFound, IsConflict, ... in common/status.h). Safe to share between threads.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/base/rate_limiter.h"
#include "common/base/status.h"
#include "common/http/client.h"
#include "common/kube/config.h"
#include "common/kube/resource.h"
#include "common/metrics/metrics.h"

namespace spark_operator::kube {

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;  // Page size; 0 lets the server send everything.
  std::string continue_token;
  std::string resource_version;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // Events after this version.
  bool allow_bookmarks = true;
  int timeout_seconds = 0;  // 0 lets the server choose.
  // A streaming list (sendInitialEvents, resourceVersionMatch=NotOlderThan): the watch begins with every object as
  // ADDED, then a bookmark annotated k8s.io/initial-events-end (IsInitialEventsEnd). With resource_version empty,
  // the state is at least as new as the moment of the request, as a list's.
  bool send_initial_events = false;
};

enum class PatchType { kMerge, kJson, kStrategicMerge, kApply };

struct PatchOptions {
  std::string field_manager;  // Required for server-side apply.
  bool force = false;         // Server-side apply: take over fields other managers own.
  std::string subresource;    // "status" to patch the status subresource.
};

enum class Propagation { kDefault, kForeground, kBackground, kOrphan };

struct DeleteOptions {
  Propagation propagation = Propagation::kDefault;
  std::optional<int64_t> grace_period_seconds;
  std::string precondition_uid;
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

struct WatchEvent {
  WatchEventType type;
  rapidjson::Document object;
};

class WatchStream;

// The bookmark that ends a streaming list's initial events.
bool IsInitialEventsEnd(const WatchEvent& event);

// What one client instance needs beyond where the server is.
struct ClientOptions {
  std::string user_agent;  // Empty: the HTTP client's default.
  // Checked just before each request that changes something (POST, PUT, PATCH, DELETE) is sent; a refusal fails
  // that request unsent. The leader-election fence of a controller.
  std::function<Status()> write_gate;
  // Non-zero: bounds each network step (connect, TLS handshake, send, receive) of those requests instead of
  // config.timeout, so that a write cannot stay in flight long after the gate closed.
  std::chrono::milliseconds write_timeout{0};
  // Non-zero: bounds connecting and the TLS handshake of every request (default 10 s).
  std::chrono::milliseconds connect_timeout{0};
  // Where to count requests, under client-go's names: rest_client_requests_total{verb,code},
  // rest_client_request_duration_seconds{verb} (sent to answered) and rest_client_rate_limiter_duration_seconds{verb}
  // (held by --kube-api-qps). Watches and log streams are not counted. Null: nothing is counted; else it must
  // outlive the client.
  metrics::Registry* metrics = nullptr;
};

class Client {
 public:
  static Result<std::shared_ptr<Client>> Create(const RestConfig& config, ClientOptions options = {});

  Result<rapidjson::Document> Get(const Resource& resource, std::string_view ns, std::string_view name);
  // One page; follow `metadata.continue` with ListOptions::continue_token, or use ListAll.
  Result<rapidjson::Document> List(const Resource& resource, std::string_view ns, const ListOptions& options = {});
  // Every page, merged into one list whose metadata.resourceVersion is the first page's.
  Result<rapidjson::Document> ListAll(const Resource& resource, std::string_view ns, ListOptions options = {});
  Result<rapidjson::Document> Create(const Resource& resource, std::string_view ns, const rapidjson::Value& object);
  // Namespace and name come from the object; its resourceVersion makes the update conditional.
  Result<rapidjson::Document> Update(const Resource& resource, const rapidjson::Value& object);
  Result<rapidjson::Document> UpdateStatus(const Resource& resource, const rapidjson::Value& object);
  Result<rapidjson::Document> Patch(const Resource& resource, std::string_view ns, std::string_view name,
                                    PatchType type, std::string_view patch, const PatchOptions& options = {});
  Status Delete(const Resource& resource, std::string_view ns, std::string_view name,
                const DeleteOptions& options = {});
  Result<std::unique_ptr<WatchStream>> Watch(const Resource& resource, std::string_view ns,
                                             const WatchOptions& options);

  // The log of one container of a pod (GET .../pods/<name>/log), streamed: read it with ReadChunk. A status
  // error (pod or container not found, no log yet) is returned as one.
  Result<std::unique_ptr<http::ResponseStream>> StreamPodLog(std::string_view ns, std::string_view pod,
                                                             std::string_view container);

  // Any request, for paths the verbs above do not cover (/readyz, /version, discovery).
  Result<http::Response> Raw(const std::string& method, const std::string& path, const std::string& body = "",
                             const std::string& content_type = "application/json");

  const RestConfig& config() const { return config_; }

 private:
  Client(RestConfig config, ClientOptions options, std::unique_ptr<http::Client> http,
         std::unique_ptr<http::Client> write_http);
  Result<http::Response> Send(const http::Request& request);
  Result<http::Request> NewRequest(const std::string& method, std::string target, std::string body = "",
                                   const std::string& content_type = "application/json");
  Result<rapidjson::Document> Call(const std::string& method, std::string target, std::string body = "",
                                   const std::string& content_type = "application/json");
  Result<std::string> BearerToken();
  void Count(const std::string& verb, int code, std::chrono::steady_clock::duration limited,
             std::chrono::steady_clock::duration answered);

  const RestConfig config_;
  const ClientOptions options_;
  std::unique_ptr<http::Client> http_;
  std::unique_ptr<http::Client> write_http_;  // Null: writes go through http_.
  TokenBucketRateLimiter rate_limiter_;
  // Null without options_.metrics.
  metrics::Family<metrics::Counter>* requests_ = nullptr;
  metrics::Family<metrics::Histogram>* request_seconds_ = nullptr;
  metrics::Family<metrics::Histogram>* limiter_seconds_ = nullptr;

  std::mutex token_mutex_;
  std::string file_token_;
  std::filesystem::file_time_type file_token_mtime_{};
};

// The events of one watch request, in order. A watch ends when the server closes it (after its timeout);
// the caller starts a new one from the last resourceVersion seen. Informer does all of that.
class WatchStream {
 public:
  explicit WatchStream(std::unique_ptr<http::ResponseStream> stream) : stream_(std::move(stream)) {}
  // The next event; nullopt when the server ended the watch. An ERROR event carrying 410 is returned as a
  // Gone status, meaning the caller must list again.
  Result<std::optional<WatchEvent>> Next(std::chrono::milliseconds idle_timeout = std::chrono::minutes(5));
  // Safe from any thread: makes a blocked Next return Cancelled.
  void Stop() { stream_->Cancel(); }

 private:
  std::unique_ptr<http::ResponseStream> stream_;
};

}  // namespace spark_operator::kube
