#include "common/storage/part_writer.h"

#include <algorithm>

namespace spark_operator::storage {

PartWriter::PartWriter(std::string what, uint64_t part_bytes) : what_(std::move(what)), part_bytes_(part_bytes) {}

Status PartWriter::Append(std::string_view data) {
  RETURN_IF_ERROR(Usable());
  while (!data.empty()) {
    if (buffer_.size() >= part_bytes_) RETURN_IF_ERROR(Remember(SendPart()));
    const uint64_t room = part_bytes_ - std::min<uint64_t>(part_bytes_, buffer_.size());
    const size_t take = std::min<uint64_t>(data.size(), room);
    buffer_.append(data.substr(0, take));
    data.remove_prefix(take);
  }
  return OkStatus();
}

Status PartWriter::Commit() {
  RETURN_IF_ERROR(Usable());
  RETURN_IF_ERROR(Remember(Finish()));
  committed_ = true;
  return OkStatus();
}

Status PartWriter::Usable() const {
  if (committed_) return InternalError(what_ + ": writer already committed");
  if (!failure_.ok()) return failure_.WithContext("writer failed earlier");
  return OkStatus();
}

Status PartWriter::Remember(Status status) {
  if (!status.ok()) failure_ = status;
  return status;
}

}  // namespace spark_operator::storage
