// Container logs of pods on the local cluster's fake nodes, for tests of code that reads them through the API
// server (GET /api/v1/namespaces/<ns>/pods/<pod>/log?container=<c>). The C++ twin of set_pod_log in
// tools/lib/pod_logs.bash (tools/cluster/README.md): kwok, the fake nodes' kubelet, serves a container's log from
// the file that the pod's kwok.x-k8s.io Logs object (same namespace and name as the pod) names for it.
#pragma once

#include <rapidjson/document.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/base/file.h"
#include "common/base/json.h"
#include "common/base/status.h"
#include "common/http/client.h"
#include "common/kube/client.h"
#include "common/kube/resource.h"
#include "tests/support/cluster.h"

namespace spark_operator::testing {

inline const kube::Resource kKwokLogs{"kwok.x-k8s.io", "v1alpha1", "logs", true};

// The copy of a container's log, in the CRI format, that kwok reads (set_pod_log writes the same path).
// tools/cluster/down.sh deletes them all; a test with large logs deletes ClusterDir()/pod-logs/<ns> itself.
inline std::string PodLogPath(const std::string& ns, const std::string& pod, const std::string& container) {
  return ClusterDir() + "/pod-logs/" + ns + "/" + pod + "/" + container + ".log";
}

// Writes the file `raw` to `cri` in the CRI log format, as a container runtime would: every line
// "<time> stdout F <line>", and a last line without a newline tagged P (partial; the newline that ends it in the
// file is not part of the log), so that what kwok serves is `raw` byte for byte. Streams: any size.
inline Status WriteCriLog(const std::string& raw, const std::string& cri) {
  std::ifstream in(raw, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + raw);
  std::ofstream out(cri, std::ios::binary | std::ios::trunc);
  if (!out) return InternalError("cannot write " + cri);

  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[64];
  const size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  const long nanos = static_cast<long>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() % 1'000'000'000);
  std::snprintf(stamp + n, sizeof stamp - n, ".%09ldZ", nanos);
  const std::string prefix = std::string(stamp) + " stdout F ";

  std::vector<char> buffer(1 << 20);
  bool line_start = true;
  std::streamoff last_tag = -1;  // Where the last line's "F" is, to make it "P" if that line never ends.
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    const char* p = buffer.data();
    const char* end = p + in.gcount();
    while (p < end) {
      if (line_start) {
        last_tag = static_cast<std::streamoff>(out.tellp()) + static_cast<std::streamoff>(prefix.size()) - 2;
        out.write(prefix.data(), static_cast<std::streamsize>(prefix.size()));
        line_start = false;
      }
      const char* newline = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      const char* stop = newline != nullptr ? newline + 1 : end;
      out.write(p, stop - p);
      line_start = newline != nullptr;
      p = stop;
    }
  }
  if (in.bad()) return InternalError("reading " + raw + " failed");
  if (!line_start) {
    out.seekp(last_tag);
    out.put('P');
    out.seekp(0, std::ios::end);
    out.put('\n');
  }
  out.close();
  if (!out) return InternalError("writing " + cri + " failed");
  return OkStatus();
}

namespace pod_logs_internal {

// The Logs object for `pod` with `container`'s entry set to `file` (other containers' entries kept), or null
// when `existing` already says so.
inline std::unique_ptr<rapidjson::Document> WithEntry(const rapidjson::Value* existing, const std::string& ns,
                                                      const std::string& pod, const std::string& container,
                                                      const std::string& file) {
  auto logs = std::make_unique<rapidjson::Document>();
  if (existing != nullptr) {
    logs->CopyFrom(*existing, logs->GetAllocator());
  } else {
    logs->SetObject();
    SetString(*logs, {"apiVersion"}, kKwokLogs.ApiVersion());
    SetString(*logs, {"kind"}, "Logs");
    SetString(*logs, {"metadata", "namespace"}, ns);
    SetString(*logs, {"metadata", "name"}, pod);
  }
  auto& a = logs->GetAllocator();
  rapidjson::Value entries(rapidjson::kArrayType);
  if (const rapidjson::Value* old = FindPath(*logs, {"spec", "logs"}); old != nullptr && old->IsArray()) {
    for (const rapidjson::Value& entry : old->GetArray()) {
      const rapidjson::Value* containers = FindPath(entry, {"containers"});
      bool names_it = false;
      if (containers != nullptr && containers->IsArray()) {
        for (const rapidjson::Value& c : containers->GetArray()) names_it |= c.IsString() && c.GetString() == container;
      }
      if (!names_it) {
        entries.PushBack(rapidjson::Value(entry, a), a);
      } else if (containers->Size() == 1 && GetString(entry, {"logsFile"}) == file) {
        return nullptr;  // Set already: the file was replaced in place.
      }
    }
  }
  rapidjson::Value entry(rapidjson::kObjectType);
  rapidjson::Value containers(rapidjson::kArrayType);
  containers.PushBack(JsonString(container, a), a);
  entry.AddMember("containers", containers, a);
  entry.AddMember("logsFile", JsonString(file, a), a);
  entry.AddMember("follow", false, a);
  entries.PushBack(entry, a);
  SetPath(*logs, {"spec", "logs"}, std::move(entries));
  return logs;
}

// Whether kwok serves the first bytes of `raw` as the container's log: asked of kwok itself, which needs no pod.
inline bool KwokServes(http::Client& kwok, const std::string& ns, const std::string& pod, const std::string& container,
                       const std::string& raw) {
  std::ifstream in(raw, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  std::string target = "/containerLogs/" + ns + "/" + pod + "/" + container;
  if (!head.empty()) target += "?limitBytes=" + std::to_string(head.size());
  http::Request request;
  request.target = target;
  const Result<http::Response> response = kwok.Send(request);
  return response.ok() && response->status == 200 && response->body == head;
}

}  // namespace pod_logs_internal

// Gives `container` of pod `ns`/`pod` the log in the file `path` (its content, as `kubectl logs` prints it),
// before or after the pod exists; calling it again replaces that container's log. Returns once kwok serves it,
// DeadlineExceeded after `timeout`. The pod's other containers keep theirs; one never set has none (the API
// server answers 400). The file is copied: changing it later changes nothing.
inline Status SetPodLog(kube::Client& client, const std::string& ns, const std::string& pod,
                        const std::string& container, const std::string& path,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const std::string file = PodLogPath(ns, pod, container);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
  if (ec) return InternalError("creating the folder of " + file + ": " + ec.message());
  // Replaced whole (rename), so that a reader never sees half of it.
  const std::string temporary = file + ".tmp." + std::to_string(::getpid());
  if (const Status written = WriteCriLog(path, temporary); !written.ok()) {
    std::filesystem::remove(temporary, ec);
    return written;
  }
  std::filesystem::rename(temporary, file, ec);
  if (ec) return InternalError("renaming " + temporary + ": " + ec.message());

  for (int attempt = 0;; ++attempt) {  // Read, change, write; again on a conflict with a concurrent writer.
    Result<rapidjson::Document> existing = client.Get(kKwokLogs, ns, pod);
    if (!existing.ok() && !IsNotFound(existing.status())) return existing.status();
    const std::unique_ptr<rapidjson::Document> logs =
        pod_logs_internal::WithEntry(existing.ok() ? &*existing : nullptr, ns, pod, container, file);
    if (logs == nullptr) break;
    const Status stored =
        existing.ok() ? client.Update(kKwokLogs, *logs).status() : client.Create(kKwokLogs, ns, *logs).status();
    if (stored.ok()) break;
    if ((!IsConflict(stored) && !IsAlreadyExists(stored)) || attempt >= 10) return stored;
  }

  const Result<std::string> ca = ReadFile(ClusterEnv("APISERVER_CA"));
  if (!ca.ok()) return ca.status();
  http::TlsOptions tls;
  tls.ca_pem = *ca;
  Result<std::unique_ptr<http::Client>> kwok = http::Client::Create(ClusterEnv("KWOK_URL"), tls);
  if (!kwok.ok()) return kwok.status();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pod_logs_internal::KwokServes(**kwok, ns, pod, container, path)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return DeadlineExceededError("kwok does not serve " + path + " as the log of " + ns + "/" + pod + " container " +
                                   container);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return OkStatus();
}

}  // namespace spark_operator::testing
