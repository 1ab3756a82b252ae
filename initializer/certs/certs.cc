#include "initializer/certs/certs.h"

#include <arpa/inet.h>
#include <glog/logging.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>

#include "common/base/file.h"

namespace spark_operator::initializer {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;

Status OpenSslError(const std::string& what) {
  char buffer[256] = "unknown error";
  if (const unsigned long e = ERR_get_error(); e != 0) ERR_error_string_n(e, buffer, sizeof(buffer));
  ERR_clear_error();
  return InternalError(what + ": " + buffer);
}

bool IsIpAddress(const std::string& s, unsigned char* out, int* length) {
  if (inet_pton(AF_INET, s.c_str(), out) == 1) {
    *length = 4;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out) == 1) {
    *length = 16;
    return true;
  }
  return false;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return OpenSslError("adding extension " + value);
  return OkStatus();
}

Status AddSans(X509* cert, const std::vector<std::string>& sans) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  for (const std::string& san : sans) {
    GENERAL_NAME* name = GENERAL_NAME_new();
    unsigned char ip[16];
    int ip_length = 0;
    if (IsIpAddress(san, ip, &ip_length)) {
      ASN1_OCTET_STRING* octets = ASN1_OCTET_STRING_new();
      ASN1_OCTET_STRING_set(octets, ip, ip_length);
      GENERAL_NAME_set0_value(name, GEN_IPADD, octets);
    } else {
      ASN1_IA5STRING* text = ASN1_IA5STRING_new();
      ASN1_STRING_set(text, san.data(), static_cast<int>(san.size()));
      GENERAL_NAME_set0_value(name, GEN_DNS, text);
    }
    sk_GENERAL_NAME_push(names.get(), name);
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return OpenSslError("adding subjectAltName");
  }
  return OkStatus();
}

Result<X509Ptr> MakeCert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key,
                         std::chrono::seconds validity, bool ca, const std::vector<std::string>& sans) {
  if (issuer != nullptr) {
    // A certificate outliving its issuer could not be verified for its last part: end with the issuer.
    int days = 0, seconds = 0;
    if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(issuer)) == 1) {
      validity = std::min(validity, std::chrono::seconds(int64_t{days} * 86400 + seconds));
    }
  }
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial_bytes[16];
  RAND_bytes(serial_bytes, sizeof(serial_bytes));
  serial_bytes[0] &= 0x7f;  // Positive.
  std::unique_ptr<BIGNUM, Deleter<BN_free>> serial(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  // Backdated a little: clocks in a cluster disagree by seconds to minutes.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), std::chrono::duration_cast<std::chrono::seconds>(validity).count());
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE"));
  RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_key_usage,
                               ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment"));
  RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash"));
  if (!ca) {
    RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth"));
    RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always"));
    RETURN_IF_ERROR(AddSans(cert.get(), sans));
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    return OpenSslError("signing certificate " + cn);
  }
  return cert;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

Result<std::string> CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslError("writing certificate");
  return BioText(bio.get());
}

Result<std::string> KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("writing key");
  }
  return BioText(bio.get());
}

Result<X509Ptr> ParseCert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return OpenSslError("parsing certificate");
  return cert;
}

Result<PkeyPtr> ParseKey(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return OpenSslError("parsing key");
  return key;
}

}  // namespace

std::vector<std::string> ServiceDnsNames(const std::string& service, const std::string& ns) {
  return {service, service + "." + ns, service + "." + ns + ".svc", service + "." + ns + ".svc.cluster.local"};
}

Result<CertBundle> GenerateCertificates(const CertOptions& options) {
  if (options.sans.empty()) return InvalidArgumentError("a serving certificate needs at least one name");
  PkeyPtr ca_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!ca_key || !key) return OpenSslError("generating a P-256 key");
  const std::string cn = options.common_name.empty() ? options.sans.front() : options.common_name;
  ASSIGN_OR_RETURN(X509Ptr ca, MakeCert(ca_key.get(), "spark-operator-initializer-ca", nullptr, nullptr,
                                        options.ca_validity, true, {}));
  ASSIGN_OR_RETURN(X509Ptr cert,
                   MakeCert(key.get(), cn, ca.get(), ca_key.get(), options.validity, false, options.sans));
  CertBundle bundle;
  ASSIGN_OR_RETURN(bundle.ca_cert_pem, CertPem(ca.get()));
  ASSIGN_OR_RETURN(bundle.ca_key_pem, KeyPem(ca_key.get()));
  ASSIGN_OR_RETURN(bundle.cert_pem, CertPem(cert.get()));
  ASSIGN_OR_RETURN(bundle.key_pem, KeyPem(key.get()));
  return bundle;
}

Result<CertBundle> IssueServingCertificate(const CertBundle& ca_bundle, const CertOptions& options) {
  if (options.sans.empty()) return InvalidArgumentError("a serving certificate needs at least one name");
  ASSIGN_OR_RETURN(X509Ptr ca, ParseCert(ca_bundle.ca_cert_pem));
  ASSIGN_OR_RETURN(PkeyPtr ca_key, ParseKey(ca_bundle.ca_key_pem));
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return OpenSslError("generating a P-256 key");
  const std::string cn = options.common_name.empty() ? options.sans.front() : options.common_name;
  ASSIGN_OR_RETURN(X509Ptr cert,
                   MakeCert(key.get(), cn, ca.get(), ca_key.get(), options.validity, false, options.sans));
  CertBundle bundle;
  bundle.ca_cert_pem = ca_bundle.ca_cert_pem;
  bundle.ca_key_pem = ca_bundle.ca_key_pem;
  ASSIGN_OR_RETURN(bundle.cert_pem, CertPem(cert.get()));
  ASSIGN_OR_RETURN(bundle.key_pem, KeyPem(key.get()));
  return bundle;
}

Status ValidateCertOptions(const CertOptions& options) {
  if (options.renew_before.count() <= 0) return InvalidArgumentError("renew-before must be positive");
  if (options.validity <= options.renew_before) {
    return InvalidArgumentError("the certificate validity must be longer than the renewal margin");
  }
  if (options.ca_validity <= 2 * options.renew_before) {
    return InvalidArgumentError("the CA validity must be longer than twice the renewal margin");
  }
  return OkStatus();
}

std::vector<std::string> SplitPemCertificates(const std::string& pem) {
  std::vector<std::string> out;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  // PEM_read_bio_X509 skips what is not a certificate block and fails at the end of the input.
  while (X509Ptr cert = X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))) {
    if (Result<std::string> text = CertPem(cert.get()); text.ok()) out.push_back(std::move(*text));
  }
  ERR_clear_error();
  return out;
}

bool CaNeedsRenewal(const CertBundle& bundle, std::chrono::system_clock::time_point now,
                    std::chrono::seconds renew_before) {
  const Result<CertInfo> info = InspectCertificate(bundle.ca_cert_pem);
  Result<X509Ptr> ca = ParseCert(bundle.ca_cert_pem);
  Result<PkeyPtr> key = ParseKey(bundle.ca_key_pem);
  if (!info.ok() || !ca.ok() || !key.ok()) return true;
  const bool matches = X509_check_private_key(ca->get(), key->get()) == 1;
  ERR_clear_error();
  return !matches || info->not_after - now < 2 * renew_before;
}

Result<CertInfo> InspectCertificate(const std::string& cert_pem) {
  ASSIGN_OR_RETURN(X509Ptr cert, ParseCert(cert_pem));
  CertInfo info;
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) return OpenSslError("reading notAfter");
  info.not_after = std::chrono::system_clock::from_time_t(timegm(&tm));
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      info.sans.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                             static_cast<size_t>(ASN1_STRING_length(name->d.dNSName)));
    } else if (name->type == GEN_IPADD) {
      const int length = ASN1_STRING_length(name->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = "";
      inet_ntop(length == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(name->d.iPAddress), text, sizeof(text));
      info.sans.emplace_back(text);
    }
  }
  return info;
}

bool NeedsRenewal(const CertBundle& bundle, const std::vector<std::string>& sans,
                  std::chrono::system_clock::time_point now, std::chrono::seconds renew_before) {
  const Result<CertInfo> info = InspectCertificate(bundle.cert_pem);
  const Result<CertInfo> ca_info = InspectCertificate(bundle.ca_cert_pem);
  if (!info.ok() || !ca_info.ok()) return true;
  if (info->not_after - now < renew_before || ca_info->not_after - now < renew_before) return true;
  for (const std::string& san : sans) {
    if (std::find(info->sans.begin(), info->sans.end(), san) == info->sans.end()) return true;
  }
  Result<X509Ptr> cert = ParseCert(bundle.cert_pem);
  Result<X509Ptr> ca = ParseCert(bundle.ca_cert_pem);
  if (!cert.ok() || !ca.ok()) return true;
  StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca->get());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr);
  const bool verified = X509_verify_cert(ctx.get()) == 1;
  ERR_clear_error();
  return !verified;
}

Result<CertBundle> DirCertStore::Load() {
  CertBundle bundle;
  ASSIGN_OR_RETURN(bundle.ca_cert_pem, ReadFile(dir_ + "/ca.crt"));
  ASSIGN_OR_RETURN(bundle.ca_key_pem, ReadFile(dir_ + "/ca.key"));
  ASSIGN_OR_RETURN(bundle.cert_pem, ReadFile(dir_ + "/tls.crt"));
  ASSIGN_OR_RETURN(bundle.key_pem, ReadFile(dir_ + "/tls.key"));
  return bundle;
}

Status DirCertStore::Save(const CertBundle& bundle) {
  if (mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) return InternalError("creating " + dir_);
  RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/ca.crt", bundle.ca_cert_pem, 0644));
  RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/ca.key", bundle.ca_key_pem, 0600));
  // Key before certificate: the server reloads when either changes and checks that they match.
  RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/tls.key", bundle.key_pem, 0600));
  return WriteFileAtomically(dir_ + "/tls.crt", bundle.cert_pem, 0644);
}

Status LoggingCaPublisher::Publish(const CertBundle& bundle) {
  // Called on every certificate check; the CA is only worth logging when it is new.
  if (bundle.ca_cert_pem == logged_ca_) return OkStatus();
  logged_ca_ = bundle.ca_cert_pem;
  LOG(WARNING) << "no Kubernetes client, so the CA is not published to MutatingWebhookConfiguration "
               << webhook_config_name_ << "; set its caBundle to this CA, base64-encoded:\n"
               << bundle.ca_cert_pem;
  return OkStatus();
}

Status EnsureCertificates(CertStore& store, CaBundlePublisher& publisher, const CertOptions& options, bool* renewed) {
  if (renewed != nullptr) *renewed = false;
  Result<CertBundle> stored = store.Load();
  if (!stored.ok() && !IsNotFound(stored.status())) return stored.status().WithContext("loading certificates");
  const auto now = std::chrono::system_clock::now();
  const bool ca_due = !stored.ok() || CaNeedsRenewal(*stored, now, options.renew_before);
  if (!ca_due && !NeedsRenewal(*stored, options.sans, now, options.renew_before)) return OkStatus();
  ASSIGN_OR_RETURN(CertBundle bundle,
                   ca_due ? GenerateCertificates(options) : IssueServingCertificate(*stored, options));
  if (Status saved = store.Save(bundle); IsAlreadyExists(saved) || IsConflict(saved)) {
    // Another replica stored a bundle between our Load and Save. Using its bundle keeps one CA for all.
    ASSIGN_OR_RETURN(CertBundle winner, store.Load());
    if (NeedsRenewal(winner, options.sans, now, options.renew_before)) {
      return saved.WithContext("saving certificates (another writer stored a bundle that is not usable)");
    }
    LOG(INFO) << "another replica stored new certificates first; using those";
    return OkStatus();
  } else if (!saved.ok()) {
    return saved.WithContext("saving certificates");
  }
  LOG(INFO) << "made a new serving certificate for " << options.sans.front()
            << (ca_due ? " and a new CA" : " from the current CA");
  if (renewed != nullptr) *renewed = true;
  return publisher.Publish(bundle);
}

}  // namespace spark_operator::initializer
