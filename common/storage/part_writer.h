// What the GCS and S3 writers share: data buffered up to one part, a full part sent only once more data follows
// (so that an object of at most one part goes out as one request), and a writer that failed once refusing
// everything after, since the upload it was part of is lost. Internal to so_storage.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/storage/object_store.h"

namespace spark_operator::storage {

class PartWriter : public ObjectWriter {
 public:
  PartWriter(const PartWriter&) = delete;
  PartWriter& operator=(const PartWriter&) = delete;

  Status Append(std::string_view data) final;
  Status Commit() final;

 protected:
  // `what` names the object in messages ("s3://bucket/key").
  PartWriter(std::string what, uint64_t part_bytes);

  // Sends the next part from the full buffer, removing from it what the server took.
  virtual Status SendPart() = 0;
  // Sends what is left in the buffer and makes the object visible.
  virtual Status Finish() = 0;

  const std::string& what() const { return what_; }
  uint64_t part_bytes() const { return part_bytes_; }
  std::string& buffer() { return buffer_; }
  bool committed() const { return committed_; }

 private:
  Status Usable() const;
  Status Remember(Status status);

  const std::string what_;
  const uint64_t part_bytes_;
  std::string buffer_;
  Status failure_;
  bool committed_ = false;
};

}  // namespace spark_operator::storage
