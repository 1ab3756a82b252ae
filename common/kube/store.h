// The informer's cache: the latest state of each object by "namespace/name", with the secondary indexes its owner adds.
//
// Each object is held packed (common/kube/packed_object.h): its minified JSON text compressed against the store's
// dictionary, written once when it is stored. A read decodes what it returns into a Document of its own, so readers
// never share, never see a half update and may keep what they read; two reads of one object give two Documents (a
// resync hands each handler one Document as both old and new). Reads are a few objects at a time (an app and its
// pods, microseconds each; a resync takes Keys and reads one at a time); List decodes the whole store at once. At
// 60,000 Spark pods the controller's pod store holds 13 MB, a fifth of what the same trimmed pods cost as
// Documents (bench/cache_memory.cc).
//
// An entry costs its packed block and a slot of the table of entries (an open-addressing table of pointers, not a
// node per entry with a copy of its key); an index costs a pointer per object and value, plus each value once.
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/kube/packed_object.h"

namespace spark_operator::kube {

class Store {
 public:
  // Returns the index values of an object, e.g. its namespace.
  using IndexFunc = std::function<std::vector<std::string>(const rapidjson::Value&)>;
  // A store has only the indexes its owner adds: each holds every object once more per value.
  static constexpr const char* kNamespaceIndex = "namespace";
  static std::vector<std::string> NamespaceIndexFunc(const rapidjson::Value& object);

  // `dictionary`: text like the objects, which packs them smaller (packed_object.h); null: none.
  explicit Store(std::shared_ptr<const PackDictionary> dictionary = nullptr) : dictionary_(std::move(dictionary)) {}
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Indexes are added before the first object.
  void AddIndex(const std::string& name, IndexFunc func);

  // Stores a packed copy of `object` under its ObjectKey; returns the object it replaced, or null.
  ObjectPtr Upsert(const rapidjson::Value& object);
  // Returns the object it removed, or null.
  ObjectPtr Remove(const std::string& key);

  ObjectPtr Get(const std::string& key) const;
  bool Contains(const std::string& key) const;  // Get without decoding.
  // By key, as are ByIndex and Keys.
  std::vector<ObjectPtr> List() const;
  std::vector<ObjectPtr> ByIndex(const std::string& index, const std::string& value) const;
  // Empty unless kNamespaceIndex was added.
  std::vector<ObjectPtr> ByNamespace(const std::string& ns) const { return ByIndex(kNamespaceIndex, ns); }
  std::vector<std::string> Keys() const;
  size_t size() const;

 private:
  // The slot holding `key`, or the empty slot where it would go.
  size_t FindSlotLocked(std::string_view key) const;
  void GrowLocked();
  // Empties slot `slot` and moves the entries after it back, as linear probing needs (no tombstones).
  void EraseSlotLocked(size_t slot);
  std::vector<std::pair<const std::string*, std::vector<std::string>>> IndexValues(
      const rapidjson::Value& object) const;
  void IndexLocked(PackedRef entry, const std::vector<std::pair<const std::string*, std::vector<std::string>>>& values,
                   bool add);
  std::vector<ObjectPtr> DecodeSorted(std::vector<PackedRef> entries) const;

  const std::shared_ptr<const PackDictionary> dictionary_;
  mutable std::shared_mutex mutex_;
  // Open addressing with linear probing, a power of two long, at most three quarters full; an empty
  // PackedObject is a free slot.
  std::vector<PackedObject> slots_;
  size_t size_ = 0;
  std::map<std::string, IndexFunc> index_funcs_;
  // index name -> index value -> the entries with that value (the blocks in slots_, unindexed before they go).
  std::map<std::string, std::map<std::string, std::vector<PackedRef>, std::less<>>> indexes_;
};

}  // namespace spark_operator::kube
