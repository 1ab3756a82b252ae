// s3://bucket/prefix: Amazon S3 and S3-compatible servers, every request signed with Signature Version 4. A
// writer sends an object smaller than one part as a single PutObject, a larger one as a multipart upload that
// becomes visible only when completed, and is aborted when the writer is dropped.
#include <glog/logging.h>

#include <algorithm>

#include "common/storage/part_writer.h"
#include "common/storage/s3_xml.h"
#include "common/storage/sigv4.h"
#include "common/storage/store_http.h"
#include "common/storage/stores.h"

namespace spark_operator::storage {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

constexpr uint64_t kMinPartBytes = 5ull << 20;  // S3's minimum for every part but the last.
constexpr uint64_t kMaxPartBytes = 5ull << 30;
constexpr int kMaxParts = 10'000;

// The signed connection to one bucket, shared by the store and its writers (a writer may outlive the store).
class S3Bucket {
 public:
  S3Bucket(std::unique_ptr<http::Client> client, Endpoint endpoint, std::string bucket, bool path_style,
           const StoreOptions& options)
      : client_(std::move(client)),
        endpoint_(std::move(endpoint)),
        bucket_(std::move(bucket)),
        path_style_(path_style),
        region_(options.s3_region),
        credentials_{options.s3_access_key_id, options.s3_secret_access_key, options.s3_session_token},
        timeout_(options.request_timeout) {}

  const std::string& bucket() const { return bucket_; }

  // A request on the object `name`, signed when there are credentials.
  http::Request Build(std::string method, const std::string& name, const Params& query, std::string body,
                      const Params& headers = {}) const {
    const std::string path =
        endpoint_.path + (path_style_ ? "/" + UriEncode(bucket_, true) : "") + "/" + UriEncode(name, false);
    http::Request request;
    request.method = std::move(method);
    request.target = path + (query.empty() ? "" : "?" + CanonicalQueryString(query));
    const std::string amz_date = AmzDate(std::chrono::system_clock::now());
    SigV4Request signing{request.method, path, query, headers, Sha256Hex(body)};
    signing.headers.emplace_back("Host", endpoint_.HostHeader());
    signing.headers.emplace_back("x-amz-date", amz_date);
    signing.headers.emplace_back("x-amz-content-sha256", signing.payload_sha256);
    if (!credentials_.session_token.empty()) {
      signing.headers.emplace_back("x-amz-security-token", credentials_.session_token);
    }
    request.headers = signing.headers;
    if (!credentials_.access_key_id.empty()) {
      request.headers.emplace_back("Authorization", SignV4(signing, credentials_, region_, "s3", amz_date));
    }
    request.body = std::move(body);
    return request;
  }

  // The response when it is a 2xx, else the error as a Status.
  Result<http::Response> Send(const http::Request& request, const std::string& what) {
    Result<http::Response> response = client_->Send(request);
    if (!response.ok()) return Scrub(TransportError(response.status(), what));
    if (response->status < 200 || response->status > 299) {
      return Scrub(S3ErrorStatus(response->status, response->body, what));
    }
    return response;
  }

  Result<std::string> Get(const std::string& name, uint64_t max_bytes, const std::string& what) {
    Result<std::string> body = GetBounded(
        *client_, Build("GET", name, {}, ""), max_bytes, timeout_,
        [&](int status, const std::string& error_body) { return S3ErrorStatus(status, error_body, what); }, what);
    if (!body.ok()) return Scrub(body.status());
    return body;
  }

 private:
  Status Scrub(const Status& status) const {
    return Redact(status, {credentials_.secret_access_key, credentials_.session_token});
  }

  const std::unique_ptr<http::Client> client_;
  const Endpoint endpoint_;
  const std::string bucket_;
  const bool path_style_;
  const std::string region_;
  const AwsCredentials credentials_;
  const std::chrono::milliseconds timeout_;
};

class S3Writer final : public PartWriter {
 public:
  S3Writer(std::shared_ptr<S3Bucket> bucket, std::string name, std::string content_type, uint64_t part_bytes)
      : PartWriter("s3://" + bucket->bucket() + "/" + name, part_bytes),
        bucket_(std::move(bucket)),
        name_(std::move(name)),
        content_type_(std::move(content_type)) {}

  ~S3Writer() override {
    if (committed() || upload_id_.empty()) return;
    // Best effort: parts of an upload neither completed nor aborted are kept (and billed) until a lifecycle rule
    // removes them.
    const Result<http::Response> aborted =
        bucket_->Send(bucket_->Build("DELETE", name_, {{"uploadId", upload_id_}}, ""), what() + ": aborting upload");
    if (!aborted.ok() && !IsNotFound(aborted.status())) LOG(WARNING) << aborted.status().message();
  }

 private:
  Status SendPart() override {
    if (upload_id_.empty()) RETURN_IF_ERROR(Start());
    if (etags_.size() >= kMaxParts) {
      return InvalidArgumentError(what() + ": object larger than " + std::to_string(kMaxParts) + " parts of " +
                                  std::to_string(part_bytes()) + " bytes");
    }
    const std::string number = std::to_string(etags_.size() + 1);
    const std::string what = this->what() + ": uploading part " + number;
    ASSIGN_OR_RETURN(const http::Response uploaded,
                     bucket_->Send(bucket_->Build("PUT", name_, {{"partNumber", number}, {"uploadId", upload_id_}},
                                                  std::exchange(buffer(), "")),
                                   what));
    std::string etag = uploaded.Header("ETag");
    if (etag.empty()) return InternalError(what + ": the answer has no ETag");
    etags_.push_back(std::move(etag));
    return OkStatus();
  }

  Status Finish() override {
    if (upload_id_.empty()) {
      return bucket_
          ->Send(bucket_->Build("PUT", name_, {}, std::exchange(buffer(), ""), {{"Content-Type", content_type_}}),
                 what())
          .status();
    }
    if (!buffer().empty()) RETURN_IF_ERROR(SendPart());
    return Complete();
  }

  Status Start() {
    ASSIGN_OR_RETURN(const http::Response created, bucket_->Send(bucket_->Build("POST", name_, {{"uploads", ""}}, "",
                                                                                {{"Content-Type", content_type_}}),
                                                                 what() + ": starting a multipart upload"));
    upload_id_ = XmlElementText(created.body, "UploadId");
    if (upload_id_.empty()) {
      return InternalError(what() + ": the answer to CreateMultipartUpload has no UploadId: " + Snippet(created.body));
    }
    return OkStatus();
  }

  Status Complete() {
    std::string xml = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < etags_.size(); ++i) {
      xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + XmlEscape(etags_[i]) +
             "</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    const std::string what = this->what() + ": completing the multipart upload";
    ASSIGN_OR_RETURN(const http::Response completed,
                     bucket_->Send(bucket_->Build("POST", name_, {{"uploadId", upload_id_}}, std::move(xml),
                                                  {{"Content-Type", "application/xml"}}),
                                   what));
    // S3 may answer 200 and still fail, with an <Error> in the body sent while it worked.
    if (completed.body.find("<Error>") != std::string::npos) return S3ErrorStatus(500, completed.body, what);
    return OkStatus();
  }

  const std::shared_ptr<S3Bucket> bucket_;
  const std::string name_;
  const std::string content_type_;
  std::string upload_id_;
  std::vector<std::string> etags_;
};

bool ValidRegion(const std::string& region) {
  return !region.empty() && std::all_of(region.begin(), region.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenS3Store(const ObjectUrl& url, const StoreOptions& options) {
  if (!ValidRegion(options.s3_region)) {
    return InvalidArgumentError("S3 region \"" + options.s3_region + "\" is not a region name (e.g. us-east-1)");
  }
  if (options.s3_access_key_id.empty() != options.s3_secret_access_key.empty()) {
    return InvalidArgumentError("S3 credentials need both an access key id and a secret access key");
  }
  const std::string endpoint_url =
      options.s3_endpoint.empty() ? "https://s3." + options.s3_region + ".amazonaws.com" : options.s3_endpoint;
  ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(endpoint_url, "S3 endpoint"));
  // A dotted bucket as a subdomain does not match the endpoint's wildcard certificate.
  const bool path_style =
      options.s3_path_style || endpoint.HostIsAddress() || (endpoint.tls && url.bucket.find('.') != std::string::npos);
  if (!path_style) endpoint.host = url.bucket + "." + endpoint.host;
  ASSIGN_OR_RETURN(std::unique_ptr<http::Client> client, MakeStoreClient(endpoint, options));
  const uint64_t part_bytes = std::clamp(options.part_bytes, kMinPartBytes, kMaxPartBytes);
  auto bucket = std::make_shared<S3Bucket>(std::move(client), std::move(endpoint), url.bucket, path_style, options);
  return std::unique_ptr<ObjectStore>(
      std::make_unique<BucketStore<S3Bucket, S3Writer>>("s3", std::move(bucket), url.prefix, part_bytes));
}

}  // namespace spark_operator::storage
