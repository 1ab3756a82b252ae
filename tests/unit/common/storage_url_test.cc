// Object store URLs and keys as an operator's user writes them in a flag or a SparkApplication.
#include <catch2/catch.hpp>
#include <string>

#include "common/storage/object_store.h"

namespace spark_operator::storage {
namespace {

std::string ErrorOf(std::string_view url) {
  const Result<ObjectUrl> parsed = ParseObjectUrl(url);
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
  return parsed.status().message();
}

TEST_CASE("gs://, s3:// and file:// URLs parse into bucket and prefix and print back normalised") {
  Result<ObjectUrl> gcs = ParseObjectUrl("gs://spark-logs/prod/eu/");
  REQUIRE(gcs.ok());
  CHECK(gcs->scheme == ObjectUrl::Scheme::kGcs);
  CHECK(gcs->bucket == "spark-logs");
  CHECK(gcs->prefix == "prod/eu");
  CHECK(gcs->ToString() == "gs://spark-logs/prod/eu");

  Result<ObjectUrl> s3 = ParseObjectUrl("S3://my.bucket-1");
  REQUIRE(s3.ok());
  CHECK(s3->scheme == ObjectUrl::Scheme::kS3);
  CHECK(s3->bucket == "my.bucket-1");
  CHECK(s3->prefix.empty());
  CHECK(s3->ToString() == "s3://my.bucket-1");

  Result<ObjectUrl> file = ParseObjectUrl("file:///var/log/spark/");
  REQUIRE(file.ok());
  CHECK(file->scheme == ObjectUrl::Scheme::kFile);
  CHECK(file->bucket.empty());
  CHECK(file->prefix == "/var/log/spark");
  CHECK(file->ToString() == "file:///var/log/spark");
  CHECK(ParseObjectUrl("file:///")->prefix == "/");
}

TEST_CASE("bad URLs are refused with what is wrong") {
  CHECK_THAT(ErrorOf(""), Catch::Contains("empty"));
  CHECK_THAT(ErrorOf("spark-logs/prefix"), Catch::Contains("missing scheme"));
  CHECK_THAT(ErrorOf("ftp://host/x"), Catch::Contains("unsupported scheme \"ftp\""));
  CHECK_THAT(ErrorOf("s3://"), Catch::Contains("missing bucket"));
  CHECK_THAT(ErrorOf("gs:///prefix"), Catch::Contains("missing bucket"));
  CHECK_THAT(ErrorOf("s3://Upper"), Catch::Contains("lowercase letters"));
  CHECK_THAT(ErrorOf("s3://ab"), Catch::Contains("3 to 63 characters"));
  CHECK_THAT(ErrorOf("gs://bucket/a/../b"), Catch::Contains("\"..\" path segment"));
  CHECK_THAT(ErrorOf("gs://bucket/a//b"), Catch::Contains("empty path segment"));
  CHECK_THAT(ErrorOf("s3://bucket/x?versionId=1"), Catch::Contains("query"));
  CHECK_THAT(ErrorOf("file://relative/dir"), Catch::Contains("absolute directory"));
  CHECK_THAT(ErrorOf("file:///var/../etc"), Catch::Contains("\"..\" path segment"));
  CHECK_THAT(ErrorOf("file:///var/./log"), Catch::Contains("\".\" path segment"));
  CHECK_THAT(ErrorOf("ftp://x"), Catch::Contains("ftp://x"));
}

TEST_CASE("keys are relative paths without empty, '.' or '..' segments") {
  CHECK(ValidateObjectKey("ns/app/1/app-1-driver/spark-kubernetes-driver.log").ok());
  CHECK(ValidateObjectKey("a b/ünïcode.log").ok());
  for (const std::string_view bad : {"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", "a\nb"}) {
    INFO(bad);
    const Status status = ValidateObjectKey(bad);
    CHECK(status.code() == StatusCode::kInvalidArgument);
  }
  CHECK_THAT(ValidateObjectKey("/etc/passwd").message(), Catch::Contains("absolute"));
  CHECK_THAT(ValidateObjectKey(std::string(1025, 'k')).message(), Catch::Contains("1024"));
}

TEST_CASE("an ObjectUrl filled in by hand is checked as a parsed one is") {
  ObjectUrl s3;
  s3.scheme = ObjectUrl::Scheme::kS3;
  s3.bucket = "../escape";
  CHECK(OpenObjectStore(s3, StoreOptions()).status().code() == StatusCode::kInvalidArgument);
  ObjectUrl file;
  file.prefix = "relative/dir";
  CHECK(OpenObjectStore(file, StoreOptions()).status().code() == StatusCode::kInvalidArgument);
  file.prefix = "/tmp/x/../y";
  CHECK(OpenObjectStore(file, StoreOptions()).status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace spark_operator::storage
