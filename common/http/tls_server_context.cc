#include "common/http/tls_server_context.h"

#include <glog/logging.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

namespace spark_operator::http {
namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> MakeServerSslContext(const std::string& cert_file, const std::string& key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                       ec);
  if (!ec) context->use_certificate_chain_file(cert_file, ec);
  if (ec) return InvalidArgumentError("loading TLS certificate " + cert_file + ": " + ec.message());
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return InvalidArgumentError("loading TLS key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return InvalidArgumentError("TLS key " + key_file + " does not match certificate " + cert_file);
  }
  return context;
}

TlsServerContext::TlsServerContext(std::string cert_file, std::string key_file,
                                   std::chrono::milliseconds check_interval)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), check_interval_(check_interval) {}

Result<std::shared_ptr<TlsServerContext>> TlsServerContext::FromFiles(std::string cert_file, std::string key_file,
                                                                      std::chrono::milliseconds check_interval) {
  std::shared_ptr<TlsServerContext> tls(
      new TlsServerContext(std::move(cert_file), std::move(key_file), check_interval));
  std::lock_guard lock(tls->mutex_);
  RETURN_IF_ERROR(tls->ReloadLocked(/*force=*/true));
  return tls;
}

std::shared_ptr<ssl::context> TlsServerContext::Current() {
  std::lock_guard lock(mutex_);
  if (std::chrono::steady_clock::now() - last_check_ >= check_interval_) {
    if (Status s = ReloadLocked(false); !s.ok())
      LOG(WARNING) << "keeping the previous TLS certificate: " << s.ToString();
  }
  return context_;
}

Status TlsServerContext::ReloadIfChanged() {
  std::lock_guard lock(mutex_);
  return ReloadLocked(false);
}

int TlsServerContext::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

Status TlsServerContext::ReloadLocked(bool force) {
  last_check_ = std::chrono::steady_clock::now();
  auto stamp = [](const std::string& path, FileStamp* out) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return false;
    out->mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    out->size = static_cast<long long>(st.st_size);
    out->inode = static_cast<unsigned long long>(st.st_ino);
    return true;
  };
  FileStamp cert_stamp, key_stamp;
  if (!stamp(cert_file_, &cert_stamp)) return NotFoundError("TLS certificate " + cert_file_ + " not found");
  if (!stamp(key_file_, &key_stamp)) return NotFoundError("TLS key " + key_file_ + " not found");
  if (!force && cert_stamp == cert_stamp_ && key_stamp == key_stamp_) return OkStatus();
  Result<std::shared_ptr<ssl::context>> context = MakeServerSslContext(cert_file_, key_file_);
  if (!context.ok()) return context.status();
  context_ = *std::move(context);
  cert_stamp_ = cert_stamp;
  key_stamp_ = key_stamp;
  ++generation_;
  if (generation_ > 1) LOG(INFO) << "reloaded TLS certificate " << cert_file_;
  return OkStatus();
}

}  // namespace spark_operator::http
