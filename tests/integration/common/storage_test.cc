// The object stores against real servers on loopback (tools/stores/: fake-gcs-server for GCS, versitygw for S3,
// which checks every request's signature): what a user of the log shipping sees in the bucket.
#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "common/http/client.h"
#include "common/storage/object_store.h"
#include "common/storage/s3_xml.h"
#include "common/storage/sigv4.h"
#include "tests/support/store_server.h"

namespace spark_operator::storage {
namespace {

using testing::StoreServer;

constexpr uint64_t kPart = 5ull << 20;
constexpr char kBucket[] = "spark-logs";

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string out(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    const uint64_t word = random();
    for (size_t j = 0; j < 8 && i + j < size; ++j) out[i + j] = static_cast<char>(word >> (8 * j));
  }
  return out;
}

std::unique_ptr<ObjectStore> Open(const std::string& url, StoreOptions options) {
  options.part_bytes = kPart;
  Result<std::unique_ptr<ObjectStore>> store = OpenObjectStore(*ParseObjectUrl(url), options);
  REQUIRE(store.ok());
  return std::move(*store);
}

std::unique_ptr<ObjectStore> Open(const StoreServer& server, const std::string& kind) {
  return Open((kind == "gcs" ? "gs://" : "s3://") + std::string(kBucket) + "/logs", server.Options());
}

// Appends `content` in pieces that do not line up with parts, as log lines arrive.
Status Upload(ObjectStore& store, const std::string& key, const std::string& content) {
  Result<std::unique_ptr<ObjectWriter>> writer = store.NewWriter(key, "text/plain");
  if (!writer.ok()) return writer.status();
  constexpr size_t kPiece = (1 << 20) + 7;
  for (size_t at = 0; at < content.size(); at += kPiece) {
    RETURN_IF_ERROR((*writer)->Append(std::string_view(content).substr(at, kPiece)));
  }
  return (*writer)->Commit();
}

// A signed S3 request outside the store, to see what the store does not show (ETags, pending uploads).
http::Response S3Call(const StoreServer& server, const std::string& method, const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& query) {
  auto client = *http::Client::Create(server.endpoint(), {});
  const std::string host = server.endpoint().substr(std::string("http://").size());
  const std::string date = AmzDate(std::chrono::system_clock::now());
  const std::string empty = Sha256Hex("");
  SigV4Request signing{
      method, path, query, {{"Host", host}, {"x-amz-date", date}, {"x-amz-content-sha256", empty}}, empty};
  http::Request request{method, path + (query.empty() ? "" : "?" + CanonicalQueryString(query)), "", signing.headers};
  const AwsCredentials credentials{server.Env("STORE_S3_ACCESS_KEY"), server.Env("STORE_S3_SECRET_KEY"), ""};
  request.headers.emplace_back("Authorization",
                               SignV4(signing, credentials, server.Env("STORE_S3_REGION"), "s3", date));
  Result<http::Response> response = client->Send(request);
  REQUIRE(response.ok());
  return *response;
}

void ChecksA20MiBObjectInParts(const std::string& kind) {
  StoreServer server(kind, {kBucket});
  const auto store = Open(server, kind);
  const std::string content = RandomBytes(20 << 20, 1);
  REQUIRE(Upload(*store, "ns/app/1/driver.log", content).ok());
  Result<std::string> read = store->Read("ns/app/1/driver.log", 21 << 20);
  REQUIRE(read.ok());
  CHECK(read->size() == content.size());
  CHECK((*read == content));
  if (kind == "s3") {
    // A multipart object's ETag counts its parts: four of 5 MiB.
    const http::Response got = S3Call(server, "GET", std::string("/") + kBucket + "/logs/ns/app/1/driver.log", {});
    CHECK_THAT(got.Header("ETag"), Catch::EndsWith("-4\""));
  }
}

TEST_CASE("GCS: a 20 MiB object uploaded in 5 MiB chunks reads back byte for byte") {
  ChecksA20MiBObjectInParts("gcs");
}
TEST_CASE("S3: a 20 MiB object uploaded in 5 MiB parts reads back byte for byte") { ChecksA20MiBObjectInParts("s3"); }

void ChecksAnAbandonedWriterLeavesNothing(const std::string& kind) {
  StoreServer server(kind, {kBucket});
  const auto store = Open(server, kind);
  {
    auto writer = *store->NewWriter("abandoned-large", "text/plain");
    REQUIRE(writer->Append(RandomBytes(kPart * 2 + 100, 2)).ok());  // Two parts sent already.
    auto small = *store->NewWriter("abandoned-small", "text/plain");
    REQUIRE(small->Append("a few lines").ok());
  }
  CHECK(IsNotFound(store->Read("abandoned-large", 1 << 30).status()));
  CHECK(IsNotFound(store->Read("abandoned-small", 1 << 30).status()));
  if (kind == "s3") {
    const http::Response uploads = S3Call(server, "GET", std::string("/") + kBucket, {{"uploads", ""}});
    REQUIRE(uploads.status == 200);
    CHECK(XmlElementText(uploads.body, "Upload").empty());
  }
}

TEST_CASE("GCS: a writer dropped before Commit leaves no object") { ChecksAnAbandonedWriterLeavesNothing("gcs"); }
TEST_CASE("S3: a writer dropped before Commit leaves no object and no pending upload") {
  ChecksAnAbandonedWriterLeavesNothing("s3");
}

void ChecksReplacing(const std::string& kind) {
  StoreServer server(kind, {kBucket});
  const auto store = Open(server, kind);
  const std::string large = RandomBytes(kPart + 12345, 3);
  REQUIRE(Upload(*store, "app.log", "first version\n").ok());
  REQUIRE(Upload(*store, "app.log", large).ok());
  CHECK((*store->Read("app.log", 1 << 30) == large));
  REQUIRE(Upload(*store, "app.log", "third, small again\n").ok());
  CHECK(*store->Read("app.log", 1 << 30) == "third, small again\n");
  REQUIRE(Upload(*store, "empty.log", "").ok());
  CHECK(*store->Read("empty.log", 10) == "");
  // Exactly one part: a single request, not a multipart upload of one part.
  const std::string one_part = RandomBytes(kPart, 4);
  REQUIRE(Upload(*store, "one-part.log", one_part).ok());
  CHECK((*store->Read("one-part.log", kPart) == one_part));
}

TEST_CASE("GCS: a committed object replaces the one under the same key") { ChecksReplacing("gcs"); }
TEST_CASE("S3: a committed object replaces the one under the same key") { ChecksReplacing("s3"); }

void ChecksMissingAndTooLarge(const std::string& kind) {
  StoreServer server(kind, {kBucket});
  const auto store = Open(server, kind);
  const Status missing = store->Read("no/such/object", 100).status();
  CHECK(missing.code() == StatusCode::kNotFound);
  CHECK_THAT(missing.message(), Catch::Contains("/logs/no/such/object"));

  const std::string scheme = kind == "gcs" ? "gs://" : "s3://";
  const auto no_bucket = Open(scheme + "no-such-bucket", server.Options());
  CHECK(no_bucket->Read("x", 100).status().code() == StatusCode::kNotFound);
  CHECK(Upload(*no_bucket, "x", "data").code() == StatusCode::kNotFound);
  CHECK(Upload(*no_bucket, "x", RandomBytes(kPart + 1, 5)).code() == StatusCode::kNotFound);

  REQUIRE(Upload(*store, "big", RandomBytes(100'000, 6)).ok());
  const Status too_large = store->Read("big", 1000).status();
  CHECK(too_large.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(too_large.message(), Catch::Contains("larger than the 1000 bytes"));
}

TEST_CASE("GCS: a missing object or bucket is NotFound - a larger object than asked for is refused") {
  ChecksMissingAndTooLarge("gcs");
}
TEST_CASE("S3: a missing object or bucket is NotFound - a larger object than asked for is refused") {
  ChecksMissingAndTooLarge("s3");
}

void ChecksAStoppedServer(const std::string& kind) {
  StoreServer server(kind, {kBucket});
  const auto store = Open(server, kind);
  REQUIRE(Upload(*store, "before", "kept across the restart").ok());
  auto writer = *store->NewWriter("during", "text/plain");
  REQUIRE(writer->Append(RandomBytes(kPart, 7)).ok());  // One full part, held until more data comes.
  server.Stop();
  const Status down = writer->Append("x");  // The part goes out now.
  CHECK(down.code() == StatusCode::kUnavailable);
  CHECK(store->Read("before", 100).status().code() == StatusCode::kUnavailable);
  server.Start();
  CHECK(*store->Read("before", 100) == "kept across the restart");
  CHECK(IsNotFound(store->Read("during", 100).status()));
  REQUIRE(Upload(*store, "after", "written after the restart").ok());
  CHECK(*store->Read("after", 100) == "written after the restart");
}

TEST_CASE("GCS: a stopped server is Unavailable - restarted on its port and data, it has the objects again") {
  ChecksAStoppedServer("gcs");
}
TEST_CASE("S3: a stopped server is Unavailable - restarted on its port and data, it has the objects again") {
  ChecksAStoppedServer("s3");
}

TEST_CASE("S3: a wrong secret is Forbidden, saying why, without the secret") {
  StoreServer server("s3", {kBucket});
  StoreOptions options = server.Options();
  options.s3_secret_access_key = "wrong-secret-Kq8dX2";
  const auto store = Open("s3://spark-logs/logs", options);
  for (const std::string& content : {std::string("small"), RandomBytes(kPart + 1, 8)}) {
    const Status refused = Upload(*store, "denied.log", content);
    CHECK(refused.code() == StatusCode::kForbidden);
    CHECK_THAT(refused.message(), Catch::Contains("SignatureDoesNotMatch"));
    CHECK_THAT(refused.message(), Catch::Contains("s3://spark-logs/logs/denied.log"));
    CHECK_THAT(refused.message(), !Catch::Contains("wrong-secret-Kq8dX2"));
  }
  const Status read = store->Read("anything", 100).status();
  CHECK(read.code() == StatusCode::kForbidden);
  CHECK_THAT(read.message(), !Catch::Contains("wrong-secret-Kq8dX2"));

  // AWS answers 403 InvalidAccessKeyId, versitygw 404 XAdminUserNotFound: the credentials either way.
  options.s3_access_key_id = "unknown-key";
  const Status unknown = Upload(*Open("s3://spark-logs", options), "x", "data");
  CHECK(unknown.code() == StatusCode::kForbidden);
  CHECK_THAT(unknown.message(), Catch::Contains("access key"));
  CHECK_THAT(unknown.message(), !Catch::Contains("wrong-secret-Kq8dX2"));
}

}  // namespace
}  // namespace spark_operator::storage
