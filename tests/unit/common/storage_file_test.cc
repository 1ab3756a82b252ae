// file:///dir stores, as a user finds their objects on disk.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/base/file.h"
#include "common/storage/object_store.h"

namespace spark_operator::storage {
namespace {

namespace fs = std::filesystem;

struct TempRoot {
  fs::path dir;
  TempRoot() {
    std::string pattern = (fs::temp_directory_path() / "so-file-store-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
  }
  ~TempRoot() { fs::remove_all(dir); }
  std::unique_ptr<ObjectStore> Open(const std::string& sub = "store") const {
    Result<ObjectUrl> url = ParseObjectUrl("file://" + (dir / sub).string());
    REQUIRE(url.ok());
    Result<std::unique_ptr<ObjectStore>> store = OpenObjectStore(*url, StoreOptions());
    REQUIRE(store.ok());
    return std::move(*store);
  }
  // Every file below the root, temporary ones included.
  std::vector<std::string> Files() const {
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir).string());
    }
    std::sort(files.begin(), files.end());
    return files;
  }
};

TEST_CASE("a committed object is a file under its key, created with its directories, and reads back") {
  const TempRoot root;
  const auto store = root.Open();
  Result<std::unique_ptr<ObjectWriter>> writer = store->NewWriter("ns/app/1/driver.log", "text/plain");
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Append("line 1\n").ok());
  REQUIRE((*writer)->Append("line 2\n").ok());
  // Nothing under the key before Commit.
  CHECK(IsNotFound(store->Read("ns/app/1/driver.log", 100).status()));
  REQUIRE((*writer)->Commit().ok());
  CHECK(*ReadFile((root.dir / "store/ns/app/1/driver.log").string()) == "line 1\nline 2\n");
  CHECK(*store->Read("ns/app/1/driver.log", 100) == "line 1\nline 2\n");
  CHECK(root.Files() == std::vector<std::string>{"store/ns/app/1/driver.log"});
  struct stat info {};
  REQUIRE(stat((root.dir / "store/ns/app/1/driver.log").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0644);
  CHECK(store->Describe() == "file://" + (root.dir / "store").string());
  CHECK_FALSE((*writer)->Append("more").ok());
}

TEST_CASE("a writer dropped before Commit leaves nothing - a committed one replaces the old object") {
  const TempRoot root;
  const auto store = root.Open();
  {
    auto first = *store->NewWriter("a/obj", "");
    REQUIRE(first->Append("old").ok());
    REQUIRE(first->Commit().ok());
  }
  {
    auto abandoned = *store->NewWriter("a/obj", "");
    REQUIRE(abandoned->Append("half of the new one").ok());
    auto other = *store->NewWriter("a/other", "");
    REQUIRE(other->Append("never committed").ok());
  }
  CHECK(root.Files() == std::vector<std::string>{"store/a/obj"});
  CHECK(*store->Read("a/obj", 100) == "old");
  CHECK(IsNotFound(store->Read("a/other", 100).status()));

  auto replacement = *store->NewWriter("a/obj", "");
  REQUIRE(replacement->Append("new").ok());
  REQUIRE(replacement->Commit().ok());
  CHECK(*store->Read("a/obj", 100) == "new");
}

TEST_CASE("keys that would escape the store's directory are refused before any file is touched") {
  const TempRoot root;
  const auto store = root.Open();
  for (const std::string key : {"../outside", "a/../../outside", "/etc/passwd", "", "a//b", "./x"}) {
    INFO(key);
    CHECK(store->NewWriter(key, "").status().code() == StatusCode::kInvalidArgument);
    CHECK(store->Read(key, 10).status().code() == StatusCode::kInvalidArgument);
  }
  CHECK(root.Files().empty());
  CHECK_FALSE(fs::exists(root.dir / "outside"));
}

TEST_CASE("reading more than max_bytes, a directory, or over a non-file is an error") {
  const TempRoot root;
  const auto store = root.Open();
  auto writer = *store->NewWriter("big", "");
  REQUIRE(writer->Append(std::string(200'000, 'x')).ok());
  REQUIRE(writer->Commit().ok());
  const Status too_big = store->Read("big", 1000).status();
  CHECK(too_big.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(too_big.message(), Catch::Contains("larger than the 1000 bytes"));
  CHECK(store->Read("big", 200'000)->size() == 200'000);

  fs::create_directories(root.dir / "store/dir/sub");
  CHECK(IsNotFound(store->Read("dir", 10).status()));
  CHECK(store->NewWriter("dir", "").status().code() == StatusCode::kInvalidArgument);
  REQUIRE(mkfifo((root.dir / "store/fifo").c_str(), 0600) == 0);
  CHECK(store->NewWriter("fifo", "").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a directory that cannot be written is Forbidden") {
  if (geteuid() == 0) return;  // Root writes anywhere: nothing to check.
  const TempRoot root;
  fs::create_directories(root.dir / "ro");
  fs::permissions(root.dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  const auto store = root.Open("ro");
  CHECK(store->NewWriter("x", "").status().code() == StatusCode::kForbidden);
  fs::permissions(root.dir / "ro", fs::perms::owner_all);
}

}  // namespace
}  // namespace spark_operator::storage
