// file:///dir: objects as files under a directory (a mounted volume, or tests). A writer fills a temporary file
// beside its target and renames it over the target on Commit, after fsync, so a reader sees the old object or
// the whole new one, and a crash leaves at most a ".partial-*" file, never half an object under its key.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/storage/stores.h"

namespace spark_operator::storage {
namespace {

// Errors a caller may outlive (a full or failing disk) are Unavailable like a store's 5xx; permissions are the
// configuration's.
Status FileError(int err, const std::string& what) {
  StatusCode code = StatusCode::kInternal;
  switch (err) {
    case ENOENT:
      code = StatusCode::kNotFound;
      break;
    case EACCES:
    case EPERM:
    case EROFS:
      code = StatusCode::kForbidden;
      break;
    case ENOSPC:
    case EDQUOT:
    case EIO:
    case EAGAIN:
    case EINTR:
      code = StatusCode::kUnavailable;
      break;
    default:
      break;
  }
  return Status(code, what + ": " + std::strerror(err));
}

// Renaming over a device, a pipe or a directory would not replace an object but something else entirely.
Status CheckReplaceable(const std::string& path) {
  struct stat existing {};
  if (lstat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    return InvalidArgumentError(path + " exists and is not a regular file; it is not replaced");
  }
  return OkStatus();
}

// A rename is durable only once its directory is synced.
Status SyncDirectory(const std::string& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return FileError(errno, "opening " + dir);
  const int result = fsync(fd);
  const int err = errno;
  close(fd);
  if (result != 0) return FileError(err, "syncing " + dir);
  return OkStatus();
}

class FileWriter final : public ObjectWriter {
 public:
  FileWriter(std::string path, std::string temp, int fd) : path_(std::move(path)), temp_(std::move(temp)), fd_(fd) {}
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  ~FileWriter() override {
    if (fd_ >= 0) close(fd_);
    if (!committed_) unlink(temp_.c_str());
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return InternalError(path_ + ": writer already committed or failed");
    while (!data.empty()) {
      const ssize_t n = write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail(FileError(errno, "writing " + temp_));
      data.remove_prefix(static_cast<size_t>(n));
    }
    return OkStatus();
  }

  Status Commit() override {
    if (fd_ < 0) return InternalError(path_ + ": writer already committed or failed");
    if (fsync(fd_) != 0) return Fail(FileError(errno, "syncing " + temp_));
    const int closed = close(fd_);
    fd_ = -1;
    if (closed != 0) return FileError(errno, "closing " + temp_);
    RETURN_IF_ERROR(CheckReplaceable(path_));
    if (rename(temp_.c_str(), path_.c_str()) != 0) return FileError(errno, "renaming " + temp_ + " to " + path_);
    committed_ = true;
    return SyncDirectory(std::filesystem::path(path_).parent_path().string());
  }

 private:
  Status Fail(Status status) {
    close(fd_);
    fd_ = -1;
    return status;
  }

  const std::string path_;
  const std::string temp_;
  int fd_;
  bool committed_ = false;
};

class FileStore final : public ObjectStore {
 public:
  explicit FileStore(std::string root) : root_(std::move(root)) {}

  Result<std::unique_ptr<ObjectWriter>> NewWriter(const std::string& key,
                                                  const std::string& /*content_type*/) override {
    ASSIGN_OR_RETURN(const std::string path, PathOf(key));
    RETURN_IF_ERROR(CheckReplaceable(path));
    const std::string dir = std::filesystem::path(path).parent_path().string();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return FileError(ec.value(), "creating " + dir);
    // A fixed short name: the key's last segment may already be as long as a file name can be.
    std::string temp = dir + "/.partial-XXXXXX";
    const int fd = mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) return FileError(errno, "creating a temporary file in " + dir);
    // mkostemp creates 0600; an object is as readable as the log files it holds were. (Not through the umask:
    // reading it means setting it, which races with every other thread creating files.)
    fchmod(fd, 0644);
    return std::unique_ptr<ObjectWriter>(std::make_unique<FileWriter>(path, std::move(temp), fd));
  }

  Result<std::string> Read(const std::string& key, uint64_t max_bytes) override {
    ASSIGN_OR_RETURN(const std::string path, PathOf(key));
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return FileError(errno, "reading " + path);
    std::string content;
    Status status;
    struct stat info {};
    if (fstat(fd, &info) != 0) {
      status = FileError(errno, "reading " + path);
    } else if (!S_ISREG(info.st_mode)) {
      status = NotFoundError(path + " is not a regular file");
    } else {
      char buffer[64 * 1024];
      for (;;) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          status = FileError(errno, "reading " + path);
          break;
        }
        if (n == 0) break;
        content.append(buffer, static_cast<size_t>(n));
        if (content.size() > max_bytes) {
          status = InvalidArgumentError(path + ": object is larger than the " + std::to_string(max_bytes) +
                                        " bytes asked for");
          break;
        }
      }
    }
    close(fd);
    if (!status.ok()) return status;
    return content;
  }

  std::string Describe() const override { return "file://" + root_; }

 private:
  Result<std::string> PathOf(const std::string& key) const {
    ASSIGN_OR_RETURN(const std::string name, ObjectName("", key));
    return root_ == "/" ? "/" + name : root_ + "/" + name;
  }

  const std::string root_;
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenFileStore(const ObjectUrl& url) {
  if (url.prefix.empty() || url.prefix.front() != '/') {
    return InvalidArgumentError("file store: \"" + url.prefix + "\" is not an absolute directory");
  }
  return std::unique_ptr<ObjectStore>(std::make_unique<FileStore>(url.prefix));
}

}  // namespace spark_operator::storage
