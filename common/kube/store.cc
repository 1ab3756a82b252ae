#include "common/kube/store.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "common/base/json.h"

namespace spark_operator::kube {
namespace {

constexpr size_t kMinSlots = 16;

size_t Hash(std::string_view key) { return std::hash<std::string_view>{}(key); }

}  // namespace

std::vector<std::string> Store::NamespaceIndexFunc(const rapidjson::Value& object) { return {NamespaceOf(object)}; }

void Store::AddIndex(const std::string& name, IndexFunc func) {
  const std::unique_lock lock(mutex_);
  index_funcs_[name] = std::move(func);
}

size_t Store::FindSlotLocked(std::string_view key) const {
  const size_t mask = slots_.size() - 1;
  size_t slot = Hash(key) & mask;
  while (slots_[slot] && slots_[slot].key() != key) slot = (slot + 1) & mask;
  return slot;
}

void Store::GrowLocked() {
  std::vector<PackedObject> old =
      std::exchange(slots_, std::vector<PackedObject>(std::max(kMinSlots, 2 * slots_.size())));
  for (PackedObject& entry : old) {
    if (entry) slots_[FindSlotLocked(entry.key())] = std::move(entry);
  }
}

void Store::EraseSlotLocked(size_t slot) {
  const size_t mask = slots_.size() - 1;
  slots_[slot] = PackedObject();
  for (size_t next = (slot + 1) & mask; slots_[next]; next = (next + 1) & mask) {
    const size_t home = Hash(slots_[next].key()) & mask;
    // An entry stays when its home is cyclically in (slot, next]: a lookup from there still reaches it.
    const bool stays = slot <= next ? (slot < home && home <= next) : (slot < home || home <= next);
    if (stays) continue;
    slots_[slot] = std::move(slots_[next]);
    slot = next;
  }
}

std::vector<std::pair<const std::string*, std::vector<std::string>>> Store::IndexValues(
    const rapidjson::Value& object) const {
  std::vector<std::pair<const std::string*, std::vector<std::string>>> values;
  for (const auto& [name, func] : index_funcs_) {
    std::vector<std::string> of = func(object);
    std::sort(of.begin(), of.end());
    of.erase(std::unique(of.begin(), of.end()), of.end());
    values.emplace_back(&name, std::move(of));
  }
  return values;
}

void Store::IndexLocked(PackedRef entry,
                        const std::vector<std::pair<const std::string*, std::vector<std::string>>>& values, bool add) {
  for (const auto& [name, of] : values) {
    auto& index = indexes_[*name];
    for (const std::string& value : of) {
      if (add) {
        index[value].push_back(entry);
        continue;
      }
      const auto it = index.find(value);
      if (it == index.end()) continue;
      std::vector<PackedRef>& entries = it->second;
      if (const auto e = std::find(entries.begin(), entries.end(), entry); e != entries.end()) {
        *e = entries.back();
        entries.pop_back();
      }
      if (entries.empty()) index.erase(it);
    }
  }
}

ObjectPtr Store::Upsert(const rapidjson::Value& object) {
  const std::string key = ObjectKey(object);
  PackedObject packed = PackedObject::Pack(key, object, dictionary_.get());
  const std::unique_lock lock(mutex_);
  if (4 * (size_ + 1) > 3 * slots_.size()) GrowLocked();
  const size_t slot = FindSlotLocked(key);
  ObjectPtr previous;
  if (slots_[slot]) {
    previous = slots_[slot].Decode(dictionary_.get());
    IndexLocked(slots_[slot].ref(), IndexValues(*previous), false);
  } else {
    ++size_;
  }
  IndexLocked(packed.ref(), IndexValues(object), true);
  slots_[slot] = std::move(packed);
  return previous;
}

ObjectPtr Store::Remove(const std::string& key) {
  const std::unique_lock lock(mutex_);
  if (size_ == 0) return nullptr;
  const size_t slot = FindSlotLocked(key);
  if (!slots_[slot]) return nullptr;
  ObjectPtr previous = slots_[slot].Decode(dictionary_.get());
  IndexLocked(slots_[slot].ref(), IndexValues(*previous), false);
  EraseSlotLocked(slot);
  --size_;
  return previous;
}

ObjectPtr Store::Get(const std::string& key) const {
  const std::shared_lock lock(mutex_);
  if (size_ == 0) return nullptr;
  return slots_[FindSlotLocked(key)].Decode(dictionary_.get());
}

bool Store::Contains(const std::string& key) const {
  const std::shared_lock lock(mutex_);
  return size_ != 0 && static_cast<bool>(slots_[FindSlotLocked(key)]);
}

std::vector<ObjectPtr> Store::DecodeSorted(std::vector<PackedRef> entries) const {
  std::sort(entries.begin(), entries.end(), [](PackedRef a, PackedRef b) { return a.key() < b.key(); });
  std::vector<ObjectPtr> objects;
  objects.reserve(entries.size());
  for (const PackedRef entry : entries) objects.push_back(entry.Decode(dictionary_.get()));
  return objects;
}

std::vector<ObjectPtr> Store::List() const {
  const std::shared_lock lock(mutex_);
  std::vector<PackedRef> entries;
  entries.reserve(size_);
  for (const PackedObject& entry : slots_) {
    if (entry) entries.push_back(entry.ref());
  }
  return DecodeSorted(std::move(entries));
}

std::vector<ObjectPtr> Store::ByIndex(const std::string& index, const std::string& value) const {
  const std::shared_lock lock(mutex_);
  const auto index_it = indexes_.find(index);
  if (index_it == indexes_.end()) return {};
  const auto value_it = index_it->second.find(value);
  if (value_it == index_it->second.end()) return {};
  return DecodeSorted(value_it->second);
}

std::vector<std::string> Store::Keys() const {
  const std::shared_lock lock(mutex_);
  std::vector<std::string> keys;
  keys.reserve(size_);
  for (const PackedObject& entry : slots_) {
    if (entry) keys.emplace_back(entry.key());
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

size_t Store::size() const {
  const std::shared_lock lock(mutex_);
  return size_;
}

}  // namespace spark_operator::kube
