// Signature Version 4 against AWS's published examples (the S3 API reference's "Signature calculations for the
// Authorization header" and the SigV4 test suite), and the S3 error answers the client turns into a Status.
#include <catch2/catch.hpp>
#include <string>

#include "common/storage/s3_xml.h"
#include "common/storage/sigv4.h"

namespace spark_operator::storage {
namespace {

constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const AwsCredentials kS3DocCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const AwsCredentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

std::string SignatureOf(const std::string& authorization) {
  return authorization.substr(authorization.find("Signature=") + 10);
}

TEST_CASE("SigV4: the S3 documentation's GET Object example") {
  SigV4Request request{"GET",
                       "/test.txt",
                       {},
                       {{"Host", "examplebucket.s3.amazonaws.com"},
                        {"Range", "bytes=0-9"},
                        {"x-amz-content-sha256", kEmptySha256},
                        {"x-amz-date", "20130524T000000Z"}},
                       kEmptySha256};
  CHECK(Sha256Hex(CanonicalRequest(request)) == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  CHECK(SignV4(request, kS3DocCredentials, "us-east-1", "s3", "20130524T000000Z") ==
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_CASE("SigV4: the S3 documentation's PUT Object example (a body, an encoded key, a Date header)") {
  const std::string payload = Sha256Hex("Welcome to Amazon S3.");
  CHECK(payload == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Request request{"PUT",
                       "/test%24file.text",
                       {},
                       {{"Host", "examplebucket.s3.amazonaws.com"},
                        {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                        {"x-amz-date", "20130524T000000Z"},
                        {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                        {"x-amz-content-sha256", payload}},
                       payload};
  const std::string authorization = SignV4(request, kS3DocCredentials, "us-east-1", "s3", "20130524T000000Z");
  CHECK_THAT(authorization,
             Catch::Contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"));
  CHECK(SignatureOf(authorization) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST_CASE("SigV4: the S3 documentation's query examples (a value-less parameter, sorted parameters)") {
  const std::vector<std::pair<std::string, std::string>> headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                                                                    {"x-amz-content-sha256", kEmptySha256},
                                                                    {"x-amz-date", "20130524T000000Z"}};
  const SigV4Request lifecycle{"GET", "/", {{"lifecycle", ""}}, headers, kEmptySha256};
  CHECK(SignatureOf(SignV4(lifecycle, kS3DocCredentials, "us-east-1", "s3", "20130524T000000Z")) ==
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  const SigV4Request list{"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}}, headers, kEmptySha256};
  CHECK(SignatureOf(SignV4(list, kS3DocCredentials, "us-east-1", "s3", "20130524T000000Z")) ==
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST_CASE("SigV4: the test suite's get-vanilla, get-vanilla-query-order-key-case and post-vanilla") {
  const std::vector<std::pair<std::string, std::string>> headers = {{"Host", "example.amazonaws.com"},
                                                                    {"X-Amz-Date", "20150830T123600Z"}};
  const SigV4Request get{"GET", "/", {}, headers, kEmptySha256};
  CHECK(SignV4(get, kSuiteCredentials, "us-east-1", "service", "20150830T123600Z") ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  const SigV4Request query{"GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}}, headers, kEmptySha256};
  CHECK(SignatureOf(SignV4(query, kSuiteCredentials, "us-east-1", "service", "20150830T123600Z")) ==
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  const SigV4Request post{"POST", "/", {}, headers, kEmptySha256};
  CHECK(SignatureOf(SignV4(post, kSuiteCredentials, "us-east-1", "service", "20150830T123600Z")) ==
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST_CASE("SigV4: query strings encode every reserved character and sort by encoded name") {
  CHECK(CanonicalQueryString({{"uploadId", "a/b+c=d"}, {"partNumber", "3"}, {"uploads", ""}}) ==
        "partNumber=3&uploadId=a%2Fb%2Bc%3Dd&uploads=");
  CHECK(AmzDate(std::chrono::system_clock::from_time_t(1369353600)) == "20130524T000000Z");
}

TEST_CASE("S3 error answers become the Status a caller acts on, with Code and Message only") {
  const std::string denied =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request "
      "signature we calculated does not match the signature you provided.</Message><AWSAccessKeyId>AKID"
      "</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256&#xA;20261202T074853Z</StringToSign></Error>";
  const Status forbidden = S3ErrorStatus(403, denied, "s3://b/k");
  CHECK(forbidden.code() == StatusCode::kForbidden);
  CHECK(forbidden.message() ==
        "s3://b/k: HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match the "
        "signature you provided.");
  CHECK(forbidden.http_status() == 403);

  CHECK(S3ErrorStatus(404, "<Error><Code>NoSuchKey</Code></Error>", "x").code() == StatusCode::kNotFound);
  CHECK(S3ErrorStatus(404, "<Error><Code>NoSuchBucket</Code></Error>", "x").code() == StatusCode::kNotFound);
  CHECK(S3ErrorStatus(403, "<Error><Code>InvalidAccessKeyId</Code></Error>", "x").code() == StatusCode::kForbidden);
  CHECK(S3ErrorStatus(503, "<Error><Code>SlowDown</Code></Error>", "x").code() == StatusCode::kUnavailable);
  CHECK(S3ErrorStatus(500, "", "x").code() == StatusCode::kUnavailable);
  CHECK(S3ErrorStatus(400, "<Error><Code>RequestTimeout</Code></Error>", "x").code() == StatusCode::kUnavailable);
  CHECK(S3ErrorStatus(400, "<Error><Code>ExpiredToken</Code></Error>", "x").code() == StatusCode::kUnauthenticated);
  CHECK(S3ErrorStatus(301, "<Error><Code>PermanentRedirect</Code></Error>", "x").code() ==
        StatusCode::kInvalidArgument);
  CHECK(S3ErrorStatus(400, "<Error><Code>InvalidArgument</Code></Error>", "x").code() == StatusCode::kInvalidArgument);
}

TEST_CASE("malformed XML reads as missing elements, and entities are decoded") {
  CHECK(XmlElementText("<UploadId>abc&amp;d&#x41;&#66;&bogus;</UploadId>", "UploadId") == "abc&dAB&bogus;");
  CHECK(XmlElementText("<UploadId>unterminated", "UploadId").empty());
  CHECK(XmlElementText("", "UploadId").empty());
  CHECK(XmlElementText("<Upload", "UploadId").empty());
  CHECK(XmlElementText("<a>&#999999999999;&#;&</a>", "a") == "&#999999999999;&#;&");
  const Status garbage = S3ErrorStatus(502, std::string(5000, '\x01') + "<html>", "x");
  CHECK(garbage.code() == StatusCode::kUnavailable);
  CHECK(garbage.message().size() < 300);
  CHECK(XmlEscape("<\"a&b\">") == "&lt;&quot;a&amp;b&quot;&gt;");
}

}  // namespace
}  // namespace spark_operator::storage
