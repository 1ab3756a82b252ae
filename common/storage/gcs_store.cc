// gs://bucket/prefix: Google Cloud Storage through its JSON API. A writer sends an object smaller than one chunk
// as a single media upload, a larger one as a resumable upload in chunks (a multiple of 256 KiB each), and the
// object exists only once the last chunk, which names the total size, is in.
#include <glog/logging.h>

#include <algorithm>
#include <charconv>

#include "common/base/json.h"
#include "common/storage/gcs_auth.h"
#include "common/storage/part_writer.h"
#include "common/storage/store_http.h"
#include "common/storage/stores.h"

namespace spark_operator::storage {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr uint64_t kChunkQuantum = 256 * 1024;  // GCS takes chunks in multiples of this, but for the last.

// {"error": {"code": 403, "message": "..."}}, or whatever text the server sent.
Status GcsErrorStatus(int http_status, std::string_view body, const std::string& what) {
  std::string message;
  if (Result<rapidjson::Document> doc = ParseJson(body); doc.ok() && doc->IsObject()) {
    message = GetString(*doc, {"error", "message"});
  }
  if (message.empty()) message = body.empty() ? "no details" : std::string(body);
  return Status(CodeForHttpStatus(http_status),
                what + ": HTTP " + std::to_string(http_status) + ": " + Snippet(message), http_status);
}

// "bytes=0-1234" -> 1235 bytes persisted; no header: none.
Result<uint64_t> PersistedBytes(const std::string& range) {
  if (range.empty()) return uint64_t{0};
  const size_t dash = range.rfind('-');
  if (range.rfind("bytes=0-", 0) != 0 || dash == std::string::npos) {
    return UnavailableError("unexpected Range \"" + Snippet(range) + "\" in a resumable upload's answer");
  }
  uint64_t last = 0;
  const char* end = range.data() + range.size();
  const auto parsed = std::from_chars(range.data() + dash + 1, end, last);
  if (parsed.ec != std::errc() || parsed.ptr != end) {
    return UnavailableError("unexpected Range \"" + Snippet(range) + "\" in a resumable upload's answer");
  }
  return last + 1;
}

// The connection to one bucket, shared by the store and its writers (a writer may outlive the store).
class GcsBucket {
 public:
  GcsBucket(std::unique_ptr<http::Client> client, Endpoint endpoint, std::string bucket,
            std::unique_ptr<TokenSource> tokens, std::chrono::milliseconds timeout)
      : client_(std::move(client)),
        endpoint_(std::move(endpoint)),
        bucket_(std::move(bucket)),
        tokens_(std::move(tokens)),
        timeout_(timeout) {}

  const std::string& bucket() const { return bucket_; }
  std::string ObjectPath(const std::string& name) const {
    return endpoint_.path + "/storage/v1/b/" + bucket_ + "/o/" + UriEncode(name, true);
  }
  std::string UploadPath(const std::string& upload_type, const std::string& name) const {
    return endpoint_.path + "/upload/storage/v1/b/" + bucket_ + "/o?uploadType=" + upload_type +
           "&name=" + UriEncode(name, true);
  }

  Result<http::Request> Build(std::string method, std::string target, std::string body = "",
                              Headers headers = {}) const {
    http::Request request{std::move(method), std::move(target), std::move(body), std::move(headers)};
    request.headers.emplace_back("Host", endpoint_.HostHeader());
    Result<std::string> authorization = tokens_->Authorization();
    if (!authorization.ok()) return Scrub(authorization.status());
    if (!authorization->empty()) request.headers.emplace_back("Authorization", std::move(*authorization));
    return request;
  }

  // The response when its status is 2xx or `also_ok`, else the error as a Status.
  Result<http::Response> Send(const http::Request& request, const std::string& what, int also_ok = 0) {
    Result<http::Response> response = client_->Send(request);
    if (!response.ok()) return Scrub(TransportError(response.status(), what));
    if ((response->status < 200 || response->status > 299) && response->status != also_ok) {
      return Scrub(GcsErrorStatus(response->status, response->body, what));
    }
    return response;
  }

  Result<std::string> Get(const std::string& name, uint64_t max_bytes, const std::string& what) {
    ASSIGN_OR_RETURN(const http::Request request, Build("GET", ObjectPath(name) + "?alt=media"));
    Result<std::string> body = GetBounded(
        *client_, request, max_bytes, timeout_,
        [&](int status, const std::string& error_body) { return GcsErrorStatus(status, error_body, what); }, what);
    if (!body.ok()) return Scrub(body.status());
    return body;
  }

 private:
  Status Scrub(const Status& status) const { return Redact(status, {tokens_->CurrentToken()}); }

  const std::unique_ptr<http::Client> client_;
  const Endpoint endpoint_;
  const std::string bucket_;
  const std::unique_ptr<TokenSource> tokens_;
  const std::chrono::milliseconds timeout_;
};

class GcsWriter final : public PartWriter {
 public:
  GcsWriter(std::shared_ptr<GcsBucket> bucket, std::string name, std::string content_type, uint64_t chunk_bytes)
      : PartWriter("gs://" + bucket->bucket() + "/" + name, chunk_bytes),
        bucket_(std::move(bucket)),
        name_(std::move(name)),
        content_type_(std::move(content_type)) {}

  ~GcsWriter() override {
    if (committed() || session_.empty()) return;
    // Best effort: an abandoned session expires by itself after a week, and never becomes an object.
    Result<http::Request> cancel = bucket_->Build("DELETE", session_);
    if (!cancel.ok()) return;
    const Result<http::Response> cancelled = bucket_->Send(*cancel, what() + ": cancelling the upload", 499);
    if (!cancelled.ok()) VLOG(1) << cancelled.status().message();
  }

 private:
  // Whole quanta of the buffer; the server may keep fewer bytes than sent, and what it did not keep stays in the
  // buffer for the next request.
  Status SendPart() override {
    if (session_.empty()) RETURN_IF_ERROR(Start());
    const uint64_t size = buffer().size() / kChunkQuantum * kChunkQuantum;
    const std::string range = "bytes " + std::to_string(offset_) + "-" + std::to_string(offset_ + size - 1) + "/*";
    return Put(size, range, /*last=*/false);
  }

  // A media upload when no chunk went out yet; else the rest with the total size, repeated while the server
  // keeps part of it and asks for more.
  Status Finish() override {
    if (session_.empty()) {
      ASSIGN_OR_RETURN(const http::Request request,
                       bucket_->Build("POST", bucket_->UploadPath("media", name_), std::exchange(buffer(), ""),
                                      {{"Content-Type", content_type_}}));
      return bucket_->Send(request, what()).status();
    }
    for (;;) {
      const uint64_t total = offset_ + buffer().size();
      const std::string range = buffer().empty() ? "bytes */" + std::to_string(total)
                                                 : "bytes " + std::to_string(offset_) + "-" +
                                                       std::to_string(total - 1) + "/" + std::to_string(total);
      bool done = false;
      RETURN_IF_ERROR(Put(buffer().size(), range, /*last=*/true, &done));
      if (done) return OkStatus();
      // An empty last request that the server still answers with "more": it lost what it had kept.
      if (buffer().empty()) return UnavailableError(what() + ": the server asks for bytes it had already kept");
    }
  }

  Status Start() {
    rapidjson::Document metadata(rapidjson::kObjectType);
    SetString(metadata, {"name"}, name_);
    SetString(metadata, {"contentType"}, content_type_);
    ASSIGN_OR_RETURN(const http::Request request,
                     bucket_->Build("POST", bucket_->UploadPath("resumable", name_), ToJson(metadata),
                                    {{"Content-Type", "application/json; charset=UTF-8"},
                                     {"X-Upload-Content-Type", content_type_}}));
    ASSIGN_OR_RETURN(const http::Response started, bucket_->Send(request, what() + ": starting a resumable upload"));
    const std::string location = started.Header("Location");
    if (location.empty()) return UnavailableError(what() + ": the resumable upload's answer has no Location");
    // Followed on the configured endpoint whatever host it names: an emulator names its own listen address, and
    // the token must not go anywhere else.
    ASSIGN_OR_RETURN(session_, PathAndQuery(location));
    return OkStatus();
  }

  Status Put(uint64_t size, const std::string& range, bool last, bool* done = nullptr) {
    std::string& buffer = this->buffer();
    std::string body = size == buffer.size() ? std::exchange(buffer, "") : buffer.substr(0, size);
    const std::string what = this->what() + ": uploading bytes from " + std::to_string(offset_);
    ASSIGN_OR_RETURN(http::Request request,
                     bucket_->Build("PUT", session_, std::move(body), {{"Content-Range", range}}));
    ASSIGN_OR_RETURN(const http::Response response, bucket_->Send(request, what, 308));
    if (response.status != 308) {
      if (!last) return UnavailableError(what + ": the server finished the upload before its last chunk");
      *done = true;
      return OkStatus();
    }
    ASSIGN_OR_RETURN(const uint64_t persisted, PersistedBytes(response.Header("Range")));
    if (persisted < offset_ || persisted > offset_ + size) {
      return UnavailableError(what + ": the server reports " + std::to_string(persisted) + " bytes kept");
    }
    const uint64_t kept = persisted - offset_;
    if (kept == 0 && size > 0) return UnavailableError(what + ": the server kept none of it");
    if (buffer.empty()) {
      buffer = std::move(request.body).substr(kept);
    } else {
      buffer.erase(0, kept);
    }
    offset_ = persisted;
    return OkStatus();
  }

  const std::shared_ptr<GcsBucket> bucket_;
  const std::string name_;
  const std::string content_type_;
  std::string session_;  // The upload's path and query on the endpoint.
  uint64_t offset_ = 0;  // Bytes the server has kept.
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenGcsStore(const ObjectUrl& url, const StoreOptions& options) {
  const bool emulator = !options.gcs_endpoint.empty();
  ASSIGN_OR_RETURN(Endpoint endpoint,
                   ParseEndpoint(emulator ? options.gcs_endpoint : "https://storage.googleapis.com", "GCS endpoint"));
  ASSIGN_OR_RETURN(std::unique_ptr<TokenSource> tokens, MakeGcsTokenSource(options, emulator));
  ASSIGN_OR_RETURN(std::unique_ptr<http::Client> client, MakeStoreClient(endpoint, options));
  const uint64_t chunk_bytes = std::max(kChunkQuantum, options.part_bytes / kChunkQuantum * kChunkQuantum);
  auto bucket = std::make_shared<GcsBucket>(std::move(client), std::move(endpoint), url.bucket, std::move(tokens),
                                            options.request_timeout);
  return std::unique_ptr<ObjectStore>(
      std::make_unique<BucketStore<GcsBucket, GcsWriter>>("gs", std::move(bucket), url.prefix, chunk_bytes));
}

}  // namespace spark_operator::storage
