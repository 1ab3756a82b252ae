// The TLS side of http::Server: an OpenSSL server context built from a certificate chain and key on disk,
// rebuilt when the files change (cert-manager and kubelet replace them in place), without a restart.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "common/base/status.h"

namespace spark_operator::http {

class TlsServerContext {
 public:
  // Loads the files once; fails when they are missing, unreadable, or the key does not match.
  // `check_interval` limits how often the files are stat()ed (at most once per interval, on new connections).
  static Result<std::shared_ptr<TlsServerContext>> FromFiles(
      std::string cert_file, std::string key_file, std::chrono::milliseconds check_interval = std::chrono::seconds(1));

  // The context for a new connection: reloaded first if the files' mtime, size or inode changed. A reload
  // that fails (say, a half-written file) keeps the previous context and is retried on the next check.
  std::shared_ptr<boost::asio::ssl::context> Current();

  // Forces a check now, regardless of the interval. Returns the reload error, if any.
  Status ReloadIfChanged();

  // How many times the files were (re)loaded successfully, the first load included.
  int generation() const;

 private:
  TlsServerContext(std::string cert_file, std::string key_file, std::chrono::milliseconds check_interval);
  struct FileStamp {
    long long mtime_ns = 0;
    long long size = 0;
    unsigned long long inode = 0;
    bool operator==(const FileStamp&) const = default;
  };
  Status ReloadLocked(bool force);

  const std::string cert_file_;
  const std::string key_file_;
  const std::chrono::milliseconds check_interval_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  FileStamp cert_stamp_, key_stamp_;
  std::chrono::steady_clock::time_point last_check_{};
  int generation_ = 0;
};

// A server context from PEM files, with modern defaults (TLS 1.2+). Exposed for tests.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerSslContext(const std::string& cert_file,
                                                                        const std::string& key_file);

}  // namespace spark_operator::http
