#include "common/kube/client.h"

#include <glog/logging.h>

#include <algorithm>
#include <chrono>

#include "common/base/base64.h"
#include "common/base/json.h"
#include "common/kube/errors.h"

namespace spark_operator::kube {
namespace {

// Appends "&key=value" (or "?key=value" for the first) when value is not empty.
void AddQuery(std::string& target, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  target += target.find('?') == std::string::npos ? '?' : '&';
  target += std::string(key) + "=" + UrlEncode(value);
}

const char* PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::kApply:
      return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

const char* PropagationName(Propagation propagation) {
  switch (propagation) {
    case Propagation::kForeground:
      return "Foreground";
    case Propagation::kBackground:
      return "Background";
    case Propagation::kOrphan:
      return "Orphan";
    case Propagation::kDefault:
      break;
  }
  return "";
}

Result<WatchEventType> ParseEventType(const std::string& type) {
  if (type == "ADDED") return WatchEventType::kAdded;
  if (type == "MODIFIED") return WatchEventType::kModified;
  if (type == "DELETED") return WatchEventType::kDeleted;
  if (type == "BOOKMARK") return WatchEventType::kBookmark;
  if (type == "ERROR") return WatchEventType::kError;
  return InternalError("unknown watch event type \"" + type + "\"");
}

// Kept-alive connections kept for reuse. A request that finds none opens one (a TLS handshake on both sides), and
// one returned to a full pool is closed: as many as a client's users have requests in flight at once. A
// controller's workers and native submissions (each creating a driver's objects at once) opened 299 connections
// in one bench/scale.sh run with the HTTP client's default of 8.
constexpr size_t kMaxIdleConnections = 64;

}  // namespace

Result<std::shared_ptr<Client>> Client::Create(const RestConfig& config, ClientOptions options) {
  http::ClientOptions http_options;
  http_options.request_timeout = config.timeout;
  http_options.max_idle_connections = kMaxIdleConnections;
  if (options.connect_timeout.count() > 0) http_options.connect_timeout = options.connect_timeout;
  ASSIGN_OR_RETURN(std::unique_ptr<http::Client> http, http::Client::Create(config.server, config.tls, http_options));
  std::unique_ptr<http::Client> write_http;
  if (options.write_timeout.count() > 0) {
    http_options.request_timeout = options.write_timeout;
    http_options.connect_timeout = std::min(http_options.connect_timeout, options.write_timeout);
    ASSIGN_OR_RETURN(write_http, http::Client::Create(config.server, config.tls, http_options));
  }
  return std::shared_ptr<Client>(new Client(config, std::move(options), std::move(http), std::move(write_http)));
}

Client::Client(RestConfig config, ClientOptions options, std::unique_ptr<http::Client> http,
               std::unique_ptr<http::Client> write_http)
    : config_(std::move(config)),
      options_(std::move(options)),
      http_(std::move(http)),
      write_http_(std::move(write_http)),
      rate_limiter_(config_.qps, config_.burst) {
  if (options_.metrics == nullptr) return;
  requests_ = &options_.metrics->AddCounter("rest_client_requests_total",
                                            "Requests to the API server by verb and HTTP status (0: no answer).",
                                            {"verb", "code"});
  request_seconds_ = &options_.metrics->AddHistogram("rest_client_request_duration_seconds",
                                                     "Time from sending a request to its answer.", {"verb"});
  limiter_seconds_ = &options_.metrics->AddHistogram("rest_client_rate_limiter_duration_seconds",
                                                     "Time a request waited for the client's rate limiter.", {"verb"});
}

void Client::Count(const std::string& verb, int code, std::chrono::steady_clock::duration limited,
                   std::chrono::steady_clock::duration answered) {
  if (requests_ == nullptr) return;
  requests_->WithLabels({verb, std::to_string(code)}).Increment();
  request_seconds_->WithLabels({verb}).Observe(std::chrono::duration<double>(answered).count());
  limiter_seconds_->WithLabels({verb}).Observe(std::chrono::duration<double>(limited).count());
}

// The gate is checked after the rate limiter let the request go, the last moment before it is sent.
Result<http::Response> Client::Send(const http::Request& request) {
  if (request.method == "GET" || request.method == "HEAD") return http_->Send(request);
  if (options_.write_gate) RETURN_IF_ERROR(options_.write_gate());
  return (write_http_ != nullptr ? write_http_ : http_)->Send(request);
}

Result<std::string> Client::BearerToken() {
  if (config_.bearer_token_file.empty()) return config_.bearer_token;
  const std::lock_guard<std::mutex> lock(token_mutex_);
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(config_.bearer_token_file, ec);
  if (ec) {
    // Keep using the last token while a rotation replaces the file.
    if (!file_token_.empty()) return file_token_;
    return UnavailableError("reading token file " + config_.bearer_token_file + ": " + ec.message());
  }
  if (file_token_.empty() || mtime != file_token_mtime_) {
    ASSIGN_OR_RETURN(std::string token, ReadFile(config_.bearer_token_file));
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
    file_token_ = std::move(token);
    file_token_mtime_ = mtime;
  }
  return file_token_;
}

Result<http::Request> Client::NewRequest(const std::string& method, std::string target, std::string body,
                                         const std::string& content_type) {
  http::Request request;
  request.method = method;
  request.target = std::move(target);
  request.body = std::move(body);
  request.headers.emplace_back("Accept", "application/json");
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", content_type);
  ASSIGN_OR_RETURN(const std::string token, BearerToken());
  if (!options_.user_agent.empty()) request.headers.emplace_back("User-Agent", options_.user_agent);
  if (!token.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + token);
  } else if (!config_.username.empty()) {
    request.headers.emplace_back("Authorization", "Basic " + Base64Encode(config_.username + ":" + config_.password));
  }
  RETURN_IF_ERROR(rate_limiter_.Wait());
  return request;
}

Result<http::Response> Client::Raw(const std::string& method, const std::string& path, const std::string& body,
                                   const std::string& content_type) {
  ASSIGN_OR_RETURN(const http::Request request, NewRequest(method, path, body, content_type));
  return Send(request);
}

Result<rapidjson::Document> Client::Call(const std::string& method, std::string target, std::string body,
                                         const std::string& content_type) {
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(const http::Request request, NewRequest(method, std::move(target), std::move(body), content_type));
  const auto sent = std::chrono::steady_clock::now();
  Result<http::Response> response = Send(request);
  const auto answered = std::chrono::steady_clock::now();
  const int code = response.ok() ? response->status : 0;
  Count(method, code, sent - start, answered - sent);
  VLOG(2) << "api " << method << " " << request.target << " " << code << " limiter_ms "
          << std::chrono::duration<double, std::milli>(sent - start).count() << " ms "
          << std::chrono::duration<double, std::milli>(answered - sent).count();
  if (!response.ok()) return response.status().WithContext(method + " " + request.target);
  if (response->status >= 400) {
    const Status error = StatusFromResponse(response->status, response->body);
    VLOG(1) << method << " " << request.target << ": " << error.ToString();
    return error;
  }
  return ParseJson(response->body);
}

Result<rapidjson::Document> Client::Get(const Resource& resource, std::string_view ns, std::string_view name) {
  return Call("GET", resource.ObjectPath(ns, name));
}

Result<rapidjson::Document> Client::List(const Resource& resource, std::string_view ns, const ListOptions& options) {
  std::string target = resource.CollectionPath(ns);
  AddQuery(target, "labelSelector", options.label_selector);
  AddQuery(target, "fieldSelector", options.field_selector);
  if (options.limit > 0) AddQuery(target, "limit", std::to_string(options.limit));
  AddQuery(target, "continue", options.continue_token);
  AddQuery(target, "resourceVersion", options.resource_version);
  return Call("GET", std::move(target));
}

Result<rapidjson::Document> Client::ListAll(const Resource& resource, std::string_view ns, ListOptions options) {
  ASSIGN_OR_RETURN(rapidjson::Document all, List(resource, ns, options));
  // Later pages must come from the same snapshot: the continue token carries it, not resourceVersion.
  options.resource_version.clear();
  std::string next = GetString(all, {"metadata", "continue"});
  while (!next.empty()) {
    options.continue_token = next;
    ASSIGN_OR_RETURN(rapidjson::Document page, List(resource, ns, options));
    rapidjson::Value* items = &all["items"];
    if (rapidjson::Value* more = page.HasMember("items") ? &page["items"] : nullptr; more && more->IsArray()) {
      for (auto& item : more->GetArray())
        items->PushBack(rapidjson::Value(item, all.GetAllocator()), all.GetAllocator());
    }
    next = GetString(page, {"metadata", "continue"});
  }
  RemovePath(all, {"metadata", "continue"});
  return all;
}

Result<rapidjson::Document> Client::Create(const Resource& resource, std::string_view ns,
                                           const rapidjson::Value& object) {
  return Call("POST", resource.CollectionPath(ns), ToJson(object));
}

Result<rapidjson::Document> Client::Update(const Resource& resource, const rapidjson::Value& object) {
  return Call("PUT", resource.ObjectPath(NamespaceOf(object), NameOf(object)), ToJson(object));
}

Result<rapidjson::Document> Client::UpdateStatus(const Resource& resource, const rapidjson::Value& object) {
  return Call("PUT", resource.ObjectPath(NamespaceOf(object), NameOf(object), "status"), ToJson(object));
}

Result<rapidjson::Document> Client::Patch(const Resource& resource, std::string_view ns, std::string_view name,
                                          PatchType type, std::string_view patch, const PatchOptions& options) {
  std::string target = resource.ObjectPath(ns, name, options.subresource);
  AddQuery(target, "fieldManager", options.field_manager);
  if (options.force) AddQuery(target, "force", "true");
  if (type == PatchType::kApply && options.field_manager.empty()) {
    return InvalidArgumentError("server-side apply needs a field manager");
  }
  return Call("PATCH", std::move(target), std::string(patch), PatchContentType(type));
}

Status Client::Delete(const Resource& resource, std::string_view ns, std::string_view name,
                      const DeleteOptions& options) {
  rapidjson::Document body(rapidjson::kObjectType);
  SetString(body, {"kind"}, "DeleteOptions");
  SetString(body, {"apiVersion"}, "v1");
  if (options.propagation != Propagation::kDefault) {
    SetString(body, {"propagationPolicy"}, PropagationName(options.propagation));
  }
  if (options.grace_period_seconds) {
    SetPath(body, {"gracePeriodSeconds"}, rapidjson::Value(static_cast<int64_t>(*options.grace_period_seconds)));
  }
  if (!options.precondition_uid.empty()) SetString(body, {"preconditions", "uid"}, options.precondition_uid);
  return Call("DELETE", resource.ObjectPath(ns, name), ToJson(body)).status();
}

Result<std::unique_ptr<http::ResponseStream>> Client::StreamPodLog(std::string_view ns, std::string_view pod,
                                                                   std::string_view container) {
  std::string target = resources::kPods.ObjectPath(ns, pod, "log");
  AddQuery(target, "container", container);
  ASSIGN_OR_RETURN(const http::Request request, NewRequest("GET", std::move(target)));
  ASSIGN_OR_RETURN(std::unique_ptr<http::ResponseStream> stream, http_->OpenStream(request));
  if (stream->status() >= 400) {
    const Result<std::string> body = stream->ReadAll(config_.timeout);
    return StatusFromResponse(stream->status(), body.ok() ? *body : "");
  }
  return stream;
}

Result<std::unique_ptr<WatchStream>> Client::Watch(const Resource& resource, std::string_view ns,
                                                   const WatchOptions& options) {
  std::string target = resource.CollectionPath(ns) + "?watch=true";
  AddQuery(target, "labelSelector", options.label_selector);
  AddQuery(target, "fieldSelector", options.field_selector);
  AddQuery(target, "resourceVersion", options.resource_version);
  if (options.allow_bookmarks || options.send_initial_events) AddQuery(target, "allowWatchBookmarks", "true");
  if (options.send_initial_events) {
    AddQuery(target, "sendInitialEvents", "true");
    AddQuery(target, "resourceVersionMatch", "NotOlderThan");
  }
  if (options.timeout_seconds > 0) AddQuery(target, "timeoutSeconds", std::to_string(options.timeout_seconds));
  ASSIGN_OR_RETURN(const http::Request request, NewRequest("GET", std::move(target)));
  ASSIGN_OR_RETURN(std::unique_ptr<http::ResponseStream> stream, http_->OpenStream(request));
  if (stream->status() >= 400) {
    const Result<std::string> body = stream->ReadAll(config_.timeout);
    return StatusFromResponse(stream->status(), body.ok() ? *body : "");
  }
  return std::make_unique<WatchStream>(std::move(stream));
}

bool IsInitialEventsEnd(const WatchEvent& event) {
  return event.type == WatchEventType::kBookmark &&
         GetString(event.object, {"metadata", "annotations", "k8s.io/initial-events-end"}) == "true";
}

Result<std::optional<WatchEvent>> WatchStream::Next(std::chrono::milliseconds idle_timeout) {
  for (;;) {
    ASSIGN_OR_RETURN(const std::optional<std::string> line, stream_->ReadLine(idle_timeout));
    if (!line) return std::optional<WatchEvent>();
    if (line->empty()) continue;
    ASSIGN_OR_RETURN(rapidjson::Document event, ParseJson(*line));
    ASSIGN_OR_RETURN(const WatchEventType type, ParseEventType(GetString(event, {"type"})));
    if (!event.HasMember("object")) return InternalError("watch event without an object");
    WatchEvent result{type, rapidjson::Document()};
    result.object.CopyFrom(event["object"], result.object.GetAllocator());
    if (type == WatchEventType::kError) {
      const int code = static_cast<int>(GetInt(result.object, {"code"}));
      return StatusFromResponse(code == 0 ? 500 : code, ToJson(result.object));
    }
    return std::optional<WatchEvent>(std::move(result));
  }
}

}  // namespace spark_operator::kube
