// How the informer's cache holds an object: its minified JSON text and its key in one allocation of exactly their
// size, written once. A Document costs 16 bytes a value plus its member names (a trimmed executor pod about
// 700 bytes as a compact Document, 300 as text); a reader decodes the text into a Document of its own, about a
// microsecond for such a pod (build/bin/cache_memory --only=decode).
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace spark_operator::kube {

using ObjectPtr = std::shared_ptr<const rapidjson::Document>;

// A packed object, borrowed: valid while its PackedObject lives. Compares by identity.
class PackedRef {
 public:
  PackedRef() = default;

  // A Document of its own, in memory of its size; null for an empty PackedRef.
  ObjectPtr Decode() const;
  std::string_view key() const;
  std::string_view text() const;
  // Bytes asked of malloc for it.
  size_t allocated() const;

  explicit operator bool() const { return block_ != nullptr; }
  bool operator==(const PackedRef& other) const = default;

 private:
  friend class PackedObject;
  explicit PackedRef(const char* block) : block_(block) {}
  // A header (the text's size, the key's size, what its Document's values need), the key, the text.
  const char* block_ = nullptr;
};

class PackedObject {
 public:
  PackedObject() = default;
  // `key` is what the store finds the object by ("namespace/name"). Every JSON value round-trips: numbers keep
  // their type and value (doubles to the bit, NaN and infinities included), strings their bytes.
  static PackedObject Pack(std::string_view key, const rapidjson::Value& value);

  PackedRef ref() const { return PackedRef(block_.get()); }
  ObjectPtr Decode() const { return ref().Decode(); }
  std::string_view key() const { return ref().key(); }
  std::string_view text() const { return ref().text(); }
  size_t allocated() const { return ref().allocated(); }
  explicit operator bool() const { return block_ != nullptr; }

 private:
  struct Free {
    void operator()(char* block) const;
  };
  std::unique_ptr<char, Free> block_;
};

}  // namespace spark_operator::kube
