#include "common/base/file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace spark_operator {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t mode) {
  // Renaming over a device or a pipe would replace it with a plain file: /dev/null given as an output path
  // would stop being /dev/null for every process on the machine.
  struct stat existing {};
  if (lstat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    return InvalidArgumentError(path + " exists and is not a regular file; it is not replaced");
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) return InternalError("cannot write " + tmp);
  }
  if (chmod(tmp.c_str(), mode) != 0) return InternalError("chmod " + tmp + ": " + std::strerror(errno));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return InternalError("renaming " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  return OkStatus();
}

}  // namespace spark_operator
