#include "controller/logs/log_upload.h"

#include <glog/logging.h>

#include <chrono>
#include <memory>

#include "common/base/json.h"
#include "common/base/sha256.h"
#include "common/kube/time_format.h"
#include "controller/finalizers.h"

namespace spark_operator::controller::logs {
namespace {

// A log that stops arriving for this long is a failed copy, tried again later.
constexpr std::chrono::seconds kIdleTimeout{60};

struct CopiedLog {
  std::string key;
  int64_t bytes = 0;
  std::string sha256;
  std::string error;  // Set when the API server has no log to give; no object is written then.
};

// A client error from the log endpoint (the pod or container is gone, or never started) will not change on a
// retry; anything else (the API server or kubelet unreachable) may.
bool LogUnavailable(const Status& status) {
  const int http = status.http_status();
  return IsNotFound(status) || status.code() == StatusCode::kInvalidArgument || (http >= 400 && http < 500);
}

Result<CopiedLog> CopyLog(kube::Client& client, storage::ObjectStore& store, const std::string& ns,
                          const std::string& pod, const std::string& container, std::string key,
                          const std::atomic<bool>& stop) {
  CopiedLog copied;
  copied.key = std::move(key);
  Result<std::unique_ptr<http::ResponseStream>> stream = client.StreamPodLog(ns, pod, container);
  if (!stream.ok()) {
    if (!LogUnavailable(stream.status())) return stream.status().WithContext("reading the log of " + pod);
    copied.error = stream.status().message();
    return copied;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<storage::ObjectWriter> writer,
                   store.NewWriter(copied.key, "text/plain; charset=utf-8"));
  Sha256 hash;
  for (;;) {
    if (stop) return CancelledError("the controller is stopping");
    Result<std::optional<std::string>> chunk = (*stream)->ReadChunk(kIdleTimeout);
    if (!chunk.ok()) return chunk.status().WithContext("reading the log of " + pod + "/" + container);
    if (!*chunk) break;
    hash.Update(**chunk);
    copied.bytes += static_cast<int64_t>((*chunk)->size());
    RETURN_IF_ERROR(writer->Append(**chunk).WithContext("storing " + copied.key));
  }
  RETURN_IF_ERROR(writer->Commit().WithContext("storing " + copied.key));
  copied.sha256 = hash.HexDigest();
  return copied;
}

Status WriteObject(storage::ObjectStore& store, const std::string& key, const std::string& content) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::ObjectWriter> writer, store.NewWriter(key, "application/json"));
  RETURN_IF_ERROR(writer->Append(content));
  return writer->Commit();
}

}  // namespace

Result<ShipSummary> ShipAttempt(kube::Client& client, storage::ObjectStore& store, const ShipRequest& request,
                                const std::atomic<bool>& stop) {
  ShipSummary summary;
  rapidjson::Document manifest(rapidjson::kObjectType);
  auto& a = manifest.GetAllocator();
  rapidjson::Value app(rapidjson::kObjectType);
  app.AddMember("namespace", JsonString(request.ns, a), a);
  app.AddMember("name", JsonString(request.app, a), a);
  app.AddMember("uid", JsonString(request.app_uid, a), a);
  manifest.AddMember("application", app, a);
  manifest.AddMember("attempt", request.run.attempt, a);
  manifest.AddMember("state", JsonString(request.app_state, a), a);
  rapidjson::Value pods(rapidjson::kArrayType);
  for (const PodLog& pod : request.run.pods) {
    rapidjson::Value p(rapidjson::kObjectType);
    p.AddMember("name", JsonString(pod.name, a), a);
    p.AddMember("role", JsonString(pod.role, a), a);
    p.AddMember("phase", JsonString(pod.phase, a), a);
    rapidjson::Value containers(rapidjson::kArrayType);
    for (const ContainerLog& container : pod.containers) {
      ASSIGN_OR_RETURN(const CopiedLog copied, CopyLog(client, store, request.ns, pod.name, container.name,
                                                       LogObjectKey(request.ns, request.app, request.app_uid,
                                                                    request.run.attempt, pod.name, container.name),
                                                       stop));
      rapidjson::Value c(rapidjson::kObjectType);
      c.AddMember("name", JsonString(container.name, a), a);
      if (container.exit_code) c.AddMember("exitCode", *container.exit_code, a);
      if (copied.error.empty()) {
        c.AddMember("object", JsonString(copied.key, a), a);
        c.AddMember("bytes", copied.bytes, a);
        c.AddMember("sha256", JsonString(copied.sha256, a), a);
        summary.objects += 1;
        summary.bytes += copied.bytes;
      } else {
        c.AddMember("error", JsonString(copied.error, a), a);
        summary.missing += 1;
      }
      containers.PushBack(c, a);
    }
    p.AddMember("containers", containers, a);
    pods.PushBack(p, a);
  }
  manifest.AddMember("pods", pods, a);
  manifest.AddMember("shippedTime", JsonString(kube::FormatTime(std::chrono::system_clock::now()), a), a);
  const std::string manifest_key = ManifestKey(request.ns, request.app, request.app_uid, request.run.attempt);
  RETURN_IF_ERROR(WriteObject(store, manifest_key, ToPrettyJson(manifest)).WithContext("storing " + manifest_key));

  // Stored: the pods may go, the driver last: a failure here leaves the rest held for the next try, which stores
  // the whole run again, and the driver still held keeps the run recognisable.
  for (auto it = request.run.pods.rbegin(); it != request.run.pods.rend(); ++it) {
    const PodLog& pod = *it;
    Result<rapidjson::Document> fresh = client.Get(kube::resources::kPods, request.ns, pod.name);
    if (!fresh.ok()) {
      if (IsNotFound(fresh.status())) continue;
      return fresh.status().WithContext("releasing pod " + pod.name);
    }
    const kube::ObjectMeta meta = kube::ParseObjectMeta(*fresh);
    if (meta.uid != pod.uid) continue;
    RETURN_IF_ERROR(
        RemoveFinalizer(client, kube::resources::kPods, meta, kLogsFinalizer, {{kLogsAnnotation, "shipped"}})
            .WithContext("releasing pod " + pod.name));
  }
  return summary;
}

}  // namespace spark_operator::controller::logs
