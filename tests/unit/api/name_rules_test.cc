#include "api/name_rules.h"

#include <catch2/catch.hpp>
#include <regex>
#include <string>

namespace spark_operator::api {
namespace {

TEST_CASE("DNS-1123 subdomains: what Kubernetes accepts as a ConfigMap or Secret name") {
  for (const char* good : {"a", "spark-conf", "conf.v1", "a1-b2.c3", "0"}) {
    CAPTURE(good);
    CHECK(IsDns1123Subdomain(good));
  }
  for (const char* bad : {"", "Spark", "-a", "a-", "a..b", ".a", "a.", "a_b", "a/b", "a b"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsDns1123Subdomain(bad));
  }
  CHECK(IsDns1123Subdomain(std::string(253, 'a')));
  CHECK_FALSE(IsDns1123Subdomain(std::string(254, 'a')));
}

TEST_CASE("the name patterns published in the CRD agree with the validators") {
  const std::regex subdomain(kDns1123SubdomainPattern);
  const std::regex label(kDns1123LabelPattern);
  const std::regex env(kEnvVarNamePattern);
  for (const char* v : {"a", "spark-conf", "conf.v1", "Spark", "-a", "a-", "a..b", ".a", "a_b", "A_B", "_x", "1abc",
                        "x.y-z", "", "a b", "my.var"}) {
    CAPTURE(v);
    CHECK(std::regex_match(v, subdomain) == IsDns1123Subdomain(v));
    CHECK(std::regex_match(v, label) == IsDns1123Label(v));
    CHECK(std::regex_match(v, env) == IsEnvVarName(v));
  }
}

TEST_CASE("log destinations are a bucket URL or a local directory") {
  const std::regex pattern(kLogDestinationPattern);
  for (const char* good : {"gs://logs", "gs://my_logs.example/spark/prod", "s3://logs-1/", "s3://b1/a/b",
                           "file:///var/log/spark", "file:///"}) {
    CAPTURE(good);
    CHECK(IsLogDestination(good));
    CHECK(std::regex_match(good, pattern));
  }
  for (const char* bad : {"", "gs://", "gs:///x", "s3://Logs", "s3://-a", "http://x/y", "file://relative", "file:/x",
                          "/var/log", "gs://b c", "gs://a"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsLogDestination(bad));
    CHECK_FALSE(std::regex_match(bad, pattern));
  }
  // Stricter than the published pattern, as mount paths are.
  CHECK_FALSE(IsLogDestination("file:///var/../etc"));
  CHECK_FALSE(IsLogDestination("s3://logs/a/../../b"));
  CHECK_FALSE(IsLogDestination("gs://logs/a\nb"));
}

TEST_CASE("DNS-1123 labels are at most 63 characters and have no dots") {
  CHECK(IsDns1123Label("spark-ui"));
  CHECK(IsDns1123Label(std::string(63, 'a')));
  CHECK_FALSE(IsDns1123Label(std::string(64, 'a')));
  CHECK_FALSE(IsDns1123Label("a.b"));
}

TEST_CASE("label and annotation keys are qualified names - label values are limited too") {
  for (const char* good : {"app", "app.kubernetes.io/name", "example.com/My_Key-1", "a"}) {
    CAPTURE(good);
    CHECK(IsQualifiedName(good));
  }
  for (const char* bad : {"", "/name", "Example.com/name", "example.com/", "a/b/c", "-app", "app-", "a b"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsQualifiedName(bad));
  }
  CHECK(IsQualifiedName(std::string(63, 'k')));
  CHECK_FALSE(IsQualifiedName(std::string(64, 'k')));
  CHECK(IsLabelValue(""));
  CHECK(IsLabelValue("v1.2_rc-3"));
  CHECK_FALSE(IsLabelValue("has space"));
  CHECK_FALSE(IsLabelValue(std::string(64, 'v')));
}

TEST_CASE("environment variable names follow the Kubernetes rule") {
  for (const char* good : {"HOME", "_x", "my.var", "MY-VAR", "a1"}) CHECK(IsEnvVarName(good));
  for (const char* bad : {"", "1ABC", "A=B", "A B", "ÄÖ"}) CHECK_FALSE(IsEnvVarName(bad));
}

TEST_CASE("mount paths must be absolute and must not climb with ..") {
  for (const char* good : {"/", "/etc/spark", "/opt/a..b", "/x/.hidden", "/x/..y"}) {
    CAPTURE(good);
    CHECK(IsCleanAbsolutePath(good));
  }
  for (const char* bad : {"", "etc/spark", "/etc/../root", "/..", "/a/..", "./a"}) {
    CAPTURE(bad);
    CHECK_FALSE(IsCleanAbsolutePath(bad));
  }
}

TEST_CASE("validator errors name the field, quote the value and state the rule") {
  const Status s = ValidateDns1123Subdomain("metadata.annotations[x]", "Bad_Name");
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::StartsWith("metadata.annotations[x]: \"Bad_Name\" must be a DNS-1123 subdomain"));
  CHECK(ValidateMountPath("p", "/ok").ok());
  CHECK_THAT(ValidateMountPath("p", "rel").message(), Catch::Contains("absolute"));
  CHECK_THAT(ValidateEnvVarName("e", "1X").message(), Catch::Contains("environment variable"));
  CHECK_THAT(ValidateQualifiedName("k", "a/b/c").message(), Catch::Contains("qualified name"));
  CHECK_THAT(ValidateLabelValue("v", "a b").message(), Catch::Contains("label value"));
  CHECK_THAT(ValidateDns1123Label("l", "a.b").message(), Catch::Contains("DNS-1123 label"));
}

}  // namespace
}  // namespace spark_operator::api
