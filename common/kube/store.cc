#include "common/kube/store.h"

#include <algorithm>
#include <mutex>

#include "common/base/json.h"

namespace spark_operator::kube {
namespace {

// Stateless: one for every pool, which otherwise allocates its own on the heap.
rapidjson::CrtAllocator kBaseAllocator;

struct CompactDocument {
  explicit CompactDocument(size_t size) : allocator(size, &kBaseAllocator), doc(&allocator) {}
  rapidjson::MemoryPoolAllocator<> allocator;  // Declared first: doc uses it.
  rapidjson::Document doc;
};

}  // namespace

ObjectPtr CompactCopy(const rapidjson::Value& value) {
  size_t size = 0;
  {
    // The same copy twice allocates the same: measure, then copy into a pool of that size.
    rapidjson::Document measure;
    measure.CopyFrom(value, measure.GetAllocator());
    size = measure.GetAllocator().Size();
  }
  auto compact = std::make_shared<CompactDocument>(std::max<size_t>(size, 64));
  compact->doc.CopyFrom(value, compact->allocator);
  return ObjectPtr(compact, &compact->doc);
}

std::vector<std::string> Store::NamespaceIndexFunc(const rapidjson::Value& object) { return {NamespaceOf(object)}; }

void Store::AddIndex(const std::string& name, IndexFunc func) {
  const std::unique_lock lock(mutex_);
  index_funcs_[name] = std::move(func);
}

void Store::IndexLocked(const std::string& key, const rapidjson::Value& object, bool add) {
  for (const auto& [name, func] : index_funcs_) {
    auto& index = indexes_[name];
    for (const std::string& value : func(object)) {
      if (add) {
        index[value].insert(&key);
      } else if (auto it = index.find(value); it != index.end()) {
        if (const auto k = it->second.find(key); k != it->second.end()) it->second.erase(k);
        if (it->second.empty()) index.erase(it);
      }
    }
  }
}

ObjectPtr Store::Upsert(ObjectPtr object) {
  const std::string key = ObjectKey(*object);
  const std::unique_lock lock(mutex_);
  const auto entry = objects_.try_emplace(key).first;
  ObjectPtr previous = std::move(entry->second);
  if (previous) IndexLocked(entry->first, *previous, false);
  IndexLocked(entry->first, *object, true);
  entry->second = std::move(object);
  return previous;
}

ObjectPtr Store::Remove(const std::string& key) {
  const std::unique_lock lock(mutex_);
  const auto it = objects_.find(key);
  if (it == objects_.end()) return nullptr;
  ObjectPtr previous = std::move(it->second);
  IndexLocked(it->first, *previous, false);
  objects_.erase(it);
  return previous;
}

ObjectPtr Store::Get(const std::string& key) const {
  const std::shared_lock lock(mutex_);
  const auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Store::List() const {
  const std::shared_lock lock(mutex_);
  std::vector<ObjectPtr> result;
  result.reserve(objects_.size());
  for (const auto& [key, object] : objects_) result.push_back(object);
  return result;
}

std::vector<ObjectPtr> Store::ByIndex(const std::string& index, const std::string& value) const {
  const std::shared_lock lock(mutex_);
  std::vector<ObjectPtr> result;
  const auto index_it = indexes_.find(index);
  if (index_it == indexes_.end()) return result;
  const auto value_it = index_it->second.find(value);
  if (value_it == index_it->second.end()) return result;
  for (const std::string* key : value_it->second) result.push_back(objects_.at(*key));
  return result;
}

std::vector<std::string> Store::Keys() const {
  const std::shared_lock lock(mutex_);
  std::vector<std::string> keys;
  keys.reserve(objects_.size());
  for (const auto& [key, object] : objects_) keys.push_back(key);
  return keys;
}

size_t Store::size() const {
  const std::shared_lock lock(mutex_);
  return objects_.size();
}

}  // namespace spark_operator::kube
