// Object stores the controller writes finished applications' logs to: Google Cloud Storage, Amazon S3 (and
// S3-compatible stores), or a local directory. Uploads stream: memory stays bounded by one part whatever the
// object's size, and nothing appears under a key until its upload is committed, so a writer killed half-way
// leaves no partial object behind.
//
// Errors say what a caller can do about them: Unavailable (a 5xx, a 429, a timeout, a refused connection: try
// again later, with a new writer), Forbidden or Unauthenticated (the credentials), NotFound (no such bucket or
// object), InvalidArgument (a bad URL, key or option: retrying will not help). No message carries a secret.
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

// A key every store accepts alike: '/'-separated, relative, no empty, "." or ".." segment, no control
// character, at most 1024 bytes (the limit of S3 and GCS, which stores also apply to the prefix and key
// together). InvalidArgument otherwise.
Status ValidateObjectKey(std::string_view key);

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
  // `key` is relative to the URL's prefix, '/'-separated, e.g. "ns/app/1/app-1-driver/spark-kubernetes-driver.log"
  // (ValidateObjectKey). Objects are sent as the writer receives them; nothing is compressed on the way.
  virtual Result<std::unique_ptr<ObjectWriter>> NewWriter(const std::string& key, const std::string& content_type) = 0;
  // A whole object (small ones: manifests, and tests); NotFound when there is none; an object larger than
  // `max_bytes` is InvalidArgument, found without reading much more than `max_bytes` of it.
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

  // S3. Endpoint empty: https://s3.<region>.amazonaws.com. Virtual-hosted style (https://<bucket>.<host>) unless
  // s3_path_style, or the endpoint's host is an IP address or "localhost", where only path style can work.
  std::string s3_endpoint;
  std::string s3_region = "us-east-1";
  bool s3_path_style = false;
  std::string s3_access_key_id;  // Signature Version 4 with this key pair; empty: unsigned requests.
  std::string s3_secret_access_key;
  std::string s3_session_token;  // Optional, for temporary credentials.

  // Bytes buffered before a part is uploaded (GCS resumable chunk, multiple of 256 KiB; S3 part, at least 5 MiB);
  // a value the store cannot take is rounded to the nearest it can (down to 256 KiB for GCS, up to 5 MiB for S3).
  uint64_t part_bytes = 8ull << 20;
  std::chrono::milliseconds request_timeout{60'000};
  // Trusted CAs for the HTTPS endpoints (store, token, metadata) instead of the system's; empty: the system's.
  std::string ca_pem;
};

// Sets the fields whose variables are set and not empty: GOOGLE_APPLICATION_CREDENTIALS (the path of a
// service-account key file, read here), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION
// (else AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL). Call it before applying explicit
// settings (flags), so that they win. InvalidArgument for an unreadable key file or half a key pair.
Status LoadStoreOptionsFromEnvironment(StoreOptions& options);

// Checks the options and credentials (a malformed service-account key is InvalidArgument here, not at the first
// upload) without any network request: a store that cannot be reached shows at its first use.
Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const ObjectUrl& url, const StoreOptions& options);

}  // namespace spark_operator::storage
