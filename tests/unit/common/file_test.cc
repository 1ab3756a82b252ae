#include "common/base/file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

namespace spark_operator {
namespace {

std::filesystem::path TempDir() {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("so-file-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

TEST_CASE("a file is written whole and read back") {
  const std::filesystem::path dir = TempDir();
  const std::string path = (dir / "out.txt").string();
  REQUIRE(WriteFileAtomically(path, "first").ok());
  REQUIRE(WriteFileAtomically(path, "second", 0600).ok());
  CHECK(*ReadFile(path) == "second");
  std::filesystem::remove_all(dir);
}

// Given /dev/null as an output path, a rename would have replaced the device with a plain file for every
// process on the machine; a pipe stands in for the device here.
TEST_CASE("a path that is not a regular file is never replaced") {
  const std::filesystem::path dir = TempDir();
  const std::string fifo = (dir / "pipe").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const Status written = WriteFileAtomically(fifo, "content");
  CHECK(written.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(written.message(), Catch::Contains("is not a regular file"));
  struct stat after {};
  REQUIRE(lstat(fifo.c_str(), &after) == 0);
  CHECK(S_ISFIFO(after.st_mode));
  CHECK_FALSE(WriteFileAtomically(dir.string(), "content").ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spark_operator
