// Object stores the controller writes finished applications' logs to: Google Cloud Storage, Amazon S3 (and
// S3-compatible stores), or a local directory. Uploads stream: memory stays bounded by one part whatever the
// object's size, and nothing appears under a key until its upload is committed, so a writer killed half-way
// leaves no partial object behind.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/base/status.h"

namespace spark_operator::storage {

// Where objects go: "gs://bucket/prefix", "s3://bucket/prefix" or "file:///absolute/dir". The prefix may be empty.
struct ObjectUrl {
  enum class Scheme { kGcs, kS3, kFile };
  Scheme scheme = Scheme::kFile;
  std::string bucket;  // Empty for file://.
  std::string prefix;  // Without leading or trailing '/'; for file:// the absolute directory.

  std::string ToString() const;  // The URL again, normalised.
};

// InvalidArgument naming what is wrong ("s3://: missing bucket", "ftp://x: unsupported scheme", ...).
Result<ObjectUrl> ParseObjectUrl(std::string_view url);

// One object being written. Append may upload a part once enough data is buffered; Commit uploads the rest and
// makes the object visible under its key, replacing any object of the same key. Destroying a writer without a
// successful Commit abandons the upload (best effort: a multipart upload is aborted, a temporary file removed).
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual Status Append(std::string_view data) = 0;
  virtual Status Commit() = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // `key` is relative to the URL's prefix, '/'-separated, e.g. "ns/app/1/app-1-driver/spark-kubernetes-driver.log".
  virtual Result<std::unique_ptr<ObjectWriter>> NewWriter(const std::string& key,
                                                          const std::string& content_type) = 0;
  // A whole object (small ones: manifests, and tests); NotFound when there is none; an object larger than
  // `max_bytes` is an error.
  virtual Result<std::string> Read(const std::string& key, uint64_t max_bytes) = 0;
  // The destination, without any credential, for logs, Events and the status.
  virtual std::string Describe() const = 0;
};

// How to reach and authenticate to each kind of store. Credentials are read when the store is opened; none of
// them ever appears in a Status message.
struct StoreOptions {
  // Google Cloud Storage. Endpoint empty: https://storage.googleapis.com.
  std::string gcs_endpoint;
  // A service-account key (the JSON file's content): OAuth 2.0 JWT bearer flow, signed with the key (RS256),
  // token from the key's token_uri. Empty: the metadata server's token (gcs_metadata_endpoint, default
  // http://metadata.google.internal); with a custom gcs_endpoint and no key, no token at all (emulators).
  std::string gcs_service_account_json;
  std::string gcs_metadata_endpoint;

  // S3. Endpoint empty: https://s3.<region>.amazonaws.com (virtual-hosted style unless s3_path_style).
  std::string s3_endpoint;
  std::string s3_region = "us-east-1";
  bool s3_path_style = false;
  std::string s3_access_key_id;  // Signature Version 4 with this key pair; empty: unsigned requests.
  std::string s3_secret_access_key;
  std::string s3_session_token;  // Optional, for temporary credentials.

  // Bytes buffered before a part is uploaded (GCS resumable chunk, multiple of 256 KiB; S3 part, at least 5 MiB).
  uint64_t part_bytes = 8ull << 20;
  std::chrono::milliseconds request_timeout{60'000};
  std::string ca_pem;  // Extra trusted CAs for HTTPS endpoints; empty: the system's.
};

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const ObjectUrl& url, const StoreOptions& options);

}  // namespace spark_operator::storage
