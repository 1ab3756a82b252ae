// Renewal without an outage, without a cluster: the serving certificate is renewed from the CA the API server
// already trusts, a new CA is published before anything signed by it is served, and CA bundles are read with
// OpenSSL.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "initializer/certs/cert_sync.h"
#include "initializer/certs/certs.h"
#include "initializer/certs/kube_certs.h"

namespace spark_operator::initializer {
namespace {

using std::chrono::hours;
using std::chrono::system_clock;

CertOptions Options() {
  CertOptions options;
  options.sans = {"init.spark-operator.svc", "127.0.0.1"};
  return options;
}

class Recording final : public CaBundlePublisher {
 public:
  Status Publish(const CertBundle& bundle) override {
    published.push_back(bundle.ca_cert_pem);
    return OkStatus();
  }
  std::vector<std::string> published;
};

// A DirCertStore in a fresh folder, removed afterwards.
class TempStore {
 public:
  TempStore()
      : dir_(std::filesystem::temp_directory_path() /
             ("rotation-unit-" + std::to_string(getpid()) + "-" + std::to_string(++counter_))),
        store_(dir_.string()) {
    std::filesystem::remove_all(dir_);
  }
  ~TempStore() { std::filesystem::remove_all(dir_); }
  DirCertStore& store() { return store_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
  DirCertStore store_;
};

// Options() with the serving certificate valid for `days` only.
CertOptions LeafFor(int days) {
  CertOptions options = Options();
  options.validity = hours(24 * days);
  return options;
}

// Options() with the CA valid for `days` only.
CertOptions CaFor(int days) {
  CertOptions options = Options();
  options.ca_validity = hours(24 * days);
  return options;
}

// New certificates made with `options`, found in `temp` as an earlier run left them.
CertBundle SaveNew(TempStore& temp, const CertOptions& options) {
  Result<CertBundle> bundle = GenerateCertificates(options);
  REQUIRE(bundle.ok());
  REQUIRE(temp.store().Save(*bundle).ok());
  return *bundle;
}

TEST_CASE("a serving certificate near its end is renewed from the same CA") {
  TempStore temp;
  const CertBundle old = SaveNew(temp, LeafFor(20));  // Inside the 30-day margin.
  Recording publisher;
  bool renewed = false;
  REQUIRE(EnsureCertificates(temp.store(), publisher, Options(), &renewed).ok());
  REQUIRE(renewed);
  const CertBundle now = *temp.store().Load();
  CHECK(now.ca_cert_pem == old.ca_cert_pem);  // Nothing new for the API server to trust.
  CHECK(now.ca_key_pem == old.ca_key_pem);
  CHECK(now.cert_pem != old.cert_pem);
  CHECK_FALSE(NeedsRenewal(now, Options().sans, system_clock::now()));
  CHECK(InspectCertificate(now.cert_pem)->not_after > InspectCertificate(old.cert_pem)->not_after);
}

TEST_CASE("a CA near its end is replaced, and a serving certificate never outlives its CA") {
  const CertOptions options = CaFor(50);  // Less than twice the 30-day margin.
  TempStore temp;
  const CertBundle old = SaveNew(temp, options);
  CHECK(InspectCertificate(old.cert_pem)->not_after <= InspectCertificate(old.ca_cert_pem)->not_after);
  CHECK(CaNeedsRenewal(old, system_clock::now(), options.renew_before));
  Recording publisher;
  REQUIRE(EnsureCertificates(temp.store(), publisher, Options()).ok());
  const CertBundle now = *temp.store().Load();
  CHECK(now.ca_cert_pem != old.ca_cert_pem);
  CHECK_FALSE(CaNeedsRenewal(now, system_clock::now(), options.renew_before));

  // A CA whose key is not its own is unusable.
  CertBundle mixed = now;
  mixed.ca_key_pem = old.ca_key_pem;
  CHECK(CaNeedsRenewal(mixed, system_clock::now(), options.renew_before));
}

TEST_CASE("a certificate from a new CA is served only after the CA was published and had time to spread") {
  TempStore serving;
  const CertBundle old = SaveNew(serving, CaFor(50));
  Recording publisher;
  CertSync sync(nullptr, &serving.store(), &publisher, Options(), std::chrono::hours(1));

  REQUIRE(sync.RunOnce().ok());
  REQUIRE(publisher.published.size() == 1);
  CHECK(publisher.published[0] != old.ca_cert_pem);         // The new CA is published...
  CHECK(serving.store().Load()->cert_pem == old.cert_pem);  // ...while the old certificate is still served.
  CHECK(sync.switch_pending());
  REQUIRE(sync.RunOnce().ok());
  CHECK(serving.store().Load()->cert_pem == old.cert_pem);
  CHECK(publisher.published.back() == publisher.published[0]);  // The same new CA, not yet another one.

  // Once it had time to spread, the new certificate is served.
  CertSync quick(nullptr, &serving.store(), &publisher, Options(), std::chrono::seconds(0));
  REQUIRE(quick.RunOnce().ok());
  const CertBundle served = *serving.store().Load();
  CHECK(served.ca_cert_pem == publisher.published.back());
  CHECK_FALSE(quick.switch_pending());
}

TEST_CASE("a renewed serving certificate from the same CA is served at once") {
  TempStore serving;
  const CertBundle old = SaveNew(serving, LeafFor(20));
  Recording publisher;
  CertSync sync(nullptr, &serving.store(), &publisher, Options(), std::chrono::hours(1));
  REQUIRE(sync.RunOnce().ok());
  const CertBundle served = *serving.store().Load();
  CHECK(served.cert_pem != old.cert_pem);
  CHECK(served.ca_cert_pem == old.ca_cert_pem);
  CHECK_FALSE(sync.switch_pending());
}

TEST_CASE("CA bundles are split by OpenSSL: certificates only, whatever surrounds them") {
  const Result<CertBundle> a = GenerateCertificates(Options());
  const Result<CertBundle> b = GenerateCertificates(Options());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const std::string bundle = "comment line\n" + a->ca_cert_pem + a->ca_key_pem + "\n\n" + b->ca_cert_pem;
  CHECK(SplitPemCertificates(bundle) == std::vector<std::string>{a->ca_cert_pem, b->ca_cert_pem});
  CHECK(SplitPemCertificates("").empty());
  CHECK(SplitPemCertificates("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n").empty());
  // The new CA first, then the previous one while it is valid; never a third.
  CHECK(DesiredCaBundle(b->ca_cert_pem, a->ca_cert_pem) == b->ca_cert_pem + a->ca_cert_pem);
  const Result<CertBundle> c = GenerateCertificates(Options());
  CHECK(DesiredCaBundle(c->ca_cert_pem, b->ca_cert_pem + a->ca_cert_pem) == c->ca_cert_pem + b->ca_cert_pem);
}

TEST_CASE("certificate options that would renew at once are refused") {
  CertOptions options = Options();
  CHECK(ValidateCertOptions(options).ok());
  options.validity = options.renew_before;
  CHECK_FALSE(ValidateCertOptions(options).ok());
  options = Options();
  options.ca_validity = 2 * options.renew_before;
  CHECK_FALSE(ValidateCertOptions(options).ok());
}

}  // namespace
}  // namespace spark_operator::initializer
