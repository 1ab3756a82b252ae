#include "initializer/certs/certs.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

namespace spark_operator::initializer {
namespace {

using std::chrono::hours;
using std::chrono::system_clock;

X509* Read(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

bool VerifiesAgainst(const std::string& cert_pem, const std::string& ca_pem, const char* host) {
  X509* cert = Read(cert_pem);
  X509* ca = Read(ca_pem);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), host, 0);
  X509_VERIFY_PARAM_set_purpose(X509_STORE_CTX_get0_param(ctx), X509_PURPOSE_SSL_SERVER);
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  X509_free(ca);
  X509_free(cert);
  return ok;
}

CertOptions Options() {
  CertOptions options;
  options.sans = ServiceDnsNames("init", "spark-operator");
  options.sans.push_back("127.0.0.1");
  return options;
}

TEST_CASE("the serving certificate chains to the CA and carries the service names and extra SANs") {
  const Result<CertBundle> bundle = GenerateCertificates(Options());
  REQUIRE(bundle.ok());
  CHECK(VerifiesAgainst(bundle->cert_pem, bundle->ca_cert_pem, "init.spark-operator.svc"));
  CHECK(VerifiesAgainst(bundle->cert_pem, bundle->ca_cert_pem, "init.spark-operator.svc.cluster.local"));
  CHECK_FALSE(VerifiesAgainst(bundle->cert_pem, bundle->ca_cert_pem, "other.svc"));
  const Result<CertBundle> other = GenerateCertificates(Options());
  CHECK_FALSE(VerifiesAgainst(bundle->cert_pem, other->ca_cert_pem, "init.spark-operator.svc"));
  const Result<CertInfo> info = InspectCertificate(bundle->cert_pem);
  REQUIRE(info.ok());
  for (const char* san : {"init.spark-operator.svc", "init.spark-operator.svc.cluster.local", "127.0.0.1"}) {
    CHECK(std::find(info->sans.begin(), info->sans.end(), san) != info->sans.end());
  }
  const auto days = std::chrono::duration_cast<hours>(info->not_after - system_clock::now()).count() / 24;
  CHECK(days >= 364);
  CHECK(days <= 365);
}

TEST_CASE("certificates are renewed when less than 30 days remain or names change") {
  const CertBundle bundle = *GenerateCertificates(Options());
  const auto now = system_clock::now();
  CHECK_FALSE(NeedsRenewal(bundle, Options().sans, now));
  CHECK_FALSE(NeedsRenewal(bundle, Options().sans, now + hours(24 * 330)));
  CHECK(NeedsRenewal(bundle, Options().sans, now + hours(24 * 340)));
  CHECK(NeedsRenewal(bundle, {"new-name.svc"}, now));
  CertBundle mixed = bundle;
  mixed.ca_cert_pem = GenerateCertificates(Options())->ca_cert_pem;
  CHECK(NeedsRenewal(mixed, Options().sans, now));
  CHECK(NeedsRenewal(CertBundle{}, {}, now));
}

class RecordingPublisher : public CaBundlePublisher {
 public:
  Status Publish(const CertBundle& bundle) override {
    published.push_back(bundle.ca_cert_pem);
    return OkStatus();
  }
  std::vector<std::string> published;
};

TEST_CASE("EnsureCertificates makes, stores and publishes once, then reuses the stored bundle") {
  const std::string dir = std::filesystem::temp_directory_path() / ("certs-test-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  DirCertStore store(dir);
  RecordingPublisher publisher;
  bool renewed = false;
  REQUIRE(EnsureCertificates(store, publisher, Options(), &renewed).ok());
  CHECK(renewed);
  REQUIRE(EnsureCertificates(store, publisher, Options(), &renewed).ok());
  CHECK_FALSE(renewed);
  REQUIRE(publisher.published.size() == 1);
  CHECK(store.Load()->ca_cert_pem == publisher.published[0]);
  CHECK(std::filesystem::exists(store.cert_file()));
  CHECK((std::filesystem::status(store.key_file()).permissions() & std::filesystem::perms::others_read) ==
        std::filesystem::perms::none);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spark_operator::initializer
