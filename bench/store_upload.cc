// Upload and read-back throughput to one object store: writes --mib MiB in --part_mib MiB parts, appended in
// 64 KiB pieces as log lines arrive, reads the object back and prints MB/s for each direction. Store settings
// come from the environment (LoadStoreOptionsFromEnvironment) and the flags; bench/store_upload.sh runs it
// against the servers of tools/stores/ on loopback and a directory.
//
//   store_upload --url=s3://bucket/prefix [--mib=64] [--part_mib=8] [--gcs_endpoint=...] [--s3_path_style]
#include <gflags/gflags.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "common/storage/object_store.h"

DEFINE_string(url, "", "gs://bucket/prefix, s3://bucket/prefix or file:///dir");
DEFINE_int32(mib, 64, "Object size in MiB.");
DEFINE_int32(part_mib, 8, "Part (chunk) size in MiB.");
DEFINE_string(gcs_endpoint, "", "GCS endpoint (an emulator's URL); empty: storage.googleapis.com.");
DEFINE_bool(s3_path_style, false, "Path-style S3 requests.");

namespace {

using spark_operator::storage::ObjectStore;
using Seconds = std::chrono::duration<double>;

int Fail(const std::string& what, const spark_operator::Status& status) {
  std::fprintf(stderr, "store_upload: %s: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  namespace storage = spark_operator::storage;
  spark_operator::Result<storage::ObjectUrl> url = storage::ParseObjectUrl(FLAGS_url);
  if (!url.ok()) return Fail("--url", url.status());
  storage::StoreOptions options;
  if (const spark_operator::Status env = storage::LoadStoreOptionsFromEnvironment(options); !env.ok()) {
    return Fail("environment", env);
  }
  options.gcs_endpoint = FLAGS_gcs_endpoint;
  options.s3_path_style = FLAGS_s3_path_style;
  options.part_bytes = static_cast<uint64_t>(FLAGS_part_mib) << 20;
  spark_operator::Result<std::unique_ptr<ObjectStore>> store = storage::OpenObjectStore(*url, options);
  if (!store.ok()) return Fail("opening " + FLAGS_url, store.status());

  const uint64_t size = static_cast<uint64_t>(FLAGS_mib) << 20;
  std::string piece(64 * 1024, '\0');
  for (size_t i = 0; i < piece.size(); ++i) piece[i] = static_cast<char>('a' + (i * 7919) % 26);
  const std::string key = "bench/store-upload-" + std::to_string(FLAGS_mib) + "mib.log";

  const auto start = std::chrono::steady_clock::now();
  auto writer = (*store)->NewWriter(key, "text/plain");
  if (!writer.ok()) return Fail("starting the upload", writer.status());
  for (uint64_t sent = 0; sent < size; sent += piece.size()) {
    if (const auto status = (*writer)->Append(piece); !status.ok()) return Fail("uploading", status);
  }
  if (const auto status = (*writer)->Commit(); !status.ok()) return Fail("committing", status);
  const double upload = Seconds(std::chrono::steady_clock::now() - start).count();

  const auto read_start = std::chrono::steady_clock::now();
  spark_operator::Result<std::string> read = (*store)->Read(key, size);
  if (!read.ok()) return Fail("reading back", read.status());
  const double download = Seconds(std::chrono::steady_clock::now() - read_start).count();
  if (read->size() != size) return Fail("reading back", spark_operator::InternalError("size differs"));

  const double mb = static_cast<double>(size) / 1e6;
  std::printf("%-40s %4d MiB in %d MiB parts: upload %6.1f MB/s (%.2f s), read %6.1f MB/s (%.2f s)\n",
              (*store)->Describe().c_str(), FLAGS_mib, FLAGS_part_mib, mb / upload, upload, mb / download, download);
  return 0;
}
