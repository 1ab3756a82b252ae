// The three kinds of store behind OpenObjectStore (open_store.cc). Internal to so_storage.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/base/status.h"
#include "common/storage/object_store.h"

namespace spark_operator::storage {

Result<std::unique_ptr<ObjectStore>> OpenFileStore(const ObjectUrl& url);
Result<std::unique_ptr<ObjectStore>> OpenGcsStore(const ObjectUrl& url, const StoreOptions& options);
Result<std::unique_ptr<ObjectStore>> OpenS3Store(const ObjectUrl& url, const StoreOptions& options);

// The prefix and key as one object name ("prefix/key", or "key" with no prefix), checked for the 1024-byte limit
// the stores share.
Result<std::string> ObjectName(const std::string& prefix, const std::string& key);

// A store over one bucket of GCS or S3: keys joined to the prefix, the rest handed to the kind's Bucket (its
// bucket() and Get(name, max_bytes, what)) and Writer (built from the bucket, the name, the content type and the
// part size). The bucket is shared with the writers, which may outlive the store.
template <typename Bucket, typename Writer>
class BucketStore final : public ObjectStore {
 public:
  BucketStore(std::string scheme, std::shared_ptr<Bucket> bucket, std::string prefix, uint64_t part_bytes)
      : scheme_(std::move(scheme)), bucket_(std::move(bucket)), prefix_(std::move(prefix)), part_bytes_(part_bytes) {}

  Result<std::unique_ptr<ObjectWriter>> NewWriter(const std::string& key, const std::string& content_type) override {
    ASSIGN_OR_RETURN(std::string name, ObjectName(prefix_, key));
    return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(
        bucket_, std::move(name), content_type.empty() ? "application/octet-stream" : content_type, part_bytes_));
  }

  Result<std::string> Read(const std::string& key, uint64_t max_bytes) override {
    ASSIGN_OR_RETURN(const std::string name, ObjectName(prefix_, key));
    return bucket_->Get(name, max_bytes, scheme_ + "://" + bucket_->bucket() + "/" + name);
  }

  std::string Describe() const override {
    return scheme_ + "://" + bucket_->bucket() + (prefix_.empty() ? "" : "/" + prefix_);
  }

 private:
  const std::string scheme_;
  const std::shared_ptr<Bucket> bucket_;
  const std::string prefix_;
  const uint64_t part_bytes_;
};

}  // namespace spark_operator::storage
