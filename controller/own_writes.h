// The app objects this controller's own status writes returned, kept until the informer cache has them. A
// reconcile woken right after a write (by a finished submission, a pod event) would otherwise read the object the
// write replaced, decide again from it and be refused with a conflict: in bench/scale.sh at N = 300 that was about
// one refused status write per app. Only a cached object that one of our writes is known to have replaced is
// swapped, so a change by anyone else is never hidden. The objects are kept packed: a copied Document holds a
// 64 KiB pool for a few kilobytes of app, and at N = 10,000 the few hundred waiting at once in a burst were a
// quarter of the controller's JSON heap (heaptrack).
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/base/json.h"
#include "common/kube/packed_object.h"
#include "controller/cache_transform.h"

namespace spark_operator::controller {

class OwnWrites {
 public:
  // The object a reconcile of `key` should read: ours when the cache still holds one our writes replaced.
  kube::ObjectPtr Fresher(const std::string& key, kube::ObjectPtr cached) {
    const std::lock_guard lock(mu_);
    const auto it = writes_.find(key);
    if (it == writes_.end()) return cached;
    const std::string version = GetString(*cached, {"metadata", "resourceVersion"});
    for (const std::string& replaced : it->second.replaced) {
      if (replaced == version) return it->second.written.Decode(AppCacheDictionary().get());
    }
    writes_.erase(it);  // The cache has our write, or a later change: it is the judge again.
    return cached;
  }

  // Our write of `key` replaced the object at `replaced_version` with `written`.
  void Record(const std::string& key, const std::string& replaced_version, kube::PackedObject written) {
    const std::lock_guard lock(mu_);
    Entry& entry = writes_[key];
    // A chain of writes the cache has not caught up with yet: any of the versions they replaced is stale.
    if (entry.replaced.size() >= kMaxChain) entry.replaced.erase(entry.replaced.begin());
    entry.replaced.push_back(replaced_version);
    entry.written = std::move(written);
  }

  void Forget(const std::string& key) {
    const std::lock_guard lock(mu_);
    writes_.erase(key);
  }

 private:
  static constexpr size_t kMaxChain = 8;
  struct Entry {
    std::vector<std::string> replaced;
    kube::PackedObject written;  // With AppCacheDictionary().
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> writes_;
};

}  // namespace spark_operator::controller
