// The informer's cache: the latest state of each object by "namespace/name", with the secondary indexes its owner adds.
// Objects are immutable once stored and shared by pointer, so readers never copy and never see a half update.
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

namespace spark_operator::kube {

using ObjectPtr = std::shared_ptr<const rapidjson::Document>;

// A copy of `value` in one allocation of exactly its size. A Document's own allocator takes 64 KiB at its first
// allocation and never gives back what a removed member used, so a cache of parsed or trimmed Documents costs
// far more than its objects.
ObjectPtr CompactCopy(const rapidjson::Value& value);

class Store {
 public:
  // Returns the index values of an object, e.g. its namespace.
  using IndexFunc = std::function<std::vector<std::string>(const rapidjson::Value&)>;
  // A store has only the indexes its owner adds: each holds every object's key once more per value, which at
  // tens of thousands of pods costs more than the trimmed pods themselves.
  static constexpr const char* kNamespaceIndex = "namespace";
  static std::vector<std::string> NamespaceIndexFunc(const rapidjson::Value& object);

  // Indexes are added before the first object.
  void AddIndex(const std::string& name, IndexFunc func);

  // Returns the object it replaced, or null.
  ObjectPtr Upsert(ObjectPtr object);
  // Returns the object it removed, or null.
  ObjectPtr Remove(const std::string& key);

  ObjectPtr Get(const std::string& key) const;
  std::vector<ObjectPtr> List() const;
  std::vector<ObjectPtr> ByIndex(const std::string& index, const std::string& value) const;
  // Empty unless kNamespaceIndex was added.
  std::vector<ObjectPtr> ByNamespace(const std::string& ns) const { return ByIndex(kNamespaceIndex, ns); }
  std::vector<std::string> Keys() const;
  size_t size() const;

 private:
  // `key` is the entry's key in objects_.
  void IndexLocked(const std::string& key, const rapidjson::Value& object, bool add);

  mutable std::shared_mutex mutex_;
  std::map<std::string, ObjectPtr> objects_;
  std::map<std::string, IndexFunc> index_funcs_;
  // Orders an index's keys as the strings they point to, which are objects_' own keys: an index holds no copy.
  struct KeyLess {
    using is_transparent = void;
    bool operator()(const std::string* a, const std::string* b) const { return *a < *b; }
    bool operator()(const std::string* a, const std::string& b) const { return *a < b; }
    bool operator()(const std::string& a, const std::string* b) const { return a < *b; }
  };
  // index name -> index value -> keys (each pointing at its entry's key in objects_, unindexed before it goes).
  std::map<std::string, std::map<std::string, std::set<const std::string*, KeyLess>>> indexes_;
};

}  // namespace spark_operator::kube
