// How the informer's cache holds an object: its minified JSON text compressed with Zstandard, and its key, in one
// allocation of exactly their size, written once. A trimmed executor pod costs about 700 bytes as a compact Document
// (16 bytes a value plus its member names), 300 as text, and 120 compressed against a dictionary of text like it
// (the member names, label keys and usual values of the store's objects: Zstandard then stores little more than
// the pod's own values). A reader decodes it into a Document of its own, a few microseconds for such a pod
// (build/bin/cache_memory --only=decode).
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace spark_operator::kube {

using ObjectPtr = std::shared_ptr<const rapidjson::Document>;

// A Zstandard dictionary of raw content, prepared once for compressing and decompressing: text like the objects it
// is for. An object packed with one is decoded with the same one.
class PackDictionary {
 public:
  explicit PackDictionary(std::string_view content);
  ~PackDictionary();
  PackDictionary(const PackDictionary&) = delete;
  PackDictionary& operator=(const PackDictionary&) = delete;

  struct Digested;
  const Digested& digested() const { return *digested_; }

 private:
  std::unique_ptr<Digested> digested_;
};

// A packed object, borrowed: valid while its PackedObject lives. Compares by identity.
class PackedRef {
 public:
  PackedRef() = default;

  // A Document of its own, in memory of its size; null for an empty PackedRef. `dictionary`: the one it was packed
  // with.
  ObjectPtr Decode(const PackDictionary* dictionary) const;
  // Its minified JSON text.
  std::string Text(const PackDictionary* dictionary) const;
  std::string_view key() const;
  // Bytes asked of malloc for it.
  size_t allocated() const;

  explicit operator bool() const { return block_ != nullptr; }
  bool operator==(const PackedRef& other) const = default;

 private:
  friend class PackedObject;
  explicit PackedRef(const char* block) : block_(block) {}
  // A header (the sizes of the text, the compressed text and the key; what its Document's values need), the key,
  // the compressed text.
  const char* block_ = nullptr;
};

class PackedObject {
 public:
  PackedObject() = default;
  // `key` is what the store finds the object by ("namespace/name"); `dictionary` may be null. Every JSON value
  // round-trips: numbers keep their type and value (doubles to the bit, NaN and infinities included), strings
  // their bytes.
  static PackedObject Pack(std::string_view key, const rapidjson::Value& value, const PackDictionary* dictionary);

  PackedRef ref() const { return PackedRef(block_.get()); }
  ObjectPtr Decode(const PackDictionary* dictionary) const { return ref().Decode(dictionary); }
  std::string Text(const PackDictionary* dictionary) const { return ref().Text(dictionary); }
  std::string_view key() const { return ref().key(); }
  size_t allocated() const { return ref().allocated(); }
  explicit operator bool() const { return block_ != nullptr; }

 private:
  struct Free {
    void operator()(char* block) const;
  };
  std::unique_ptr<char, Free> block_;
};

}  // namespace spark_operator::kube
