// The app objects this controller's own status writes returned, kept until the informer cache has them. A
// reconcile woken right after a write (by a finished submission, a pod event) would otherwise read the object the
// write replaced, decide again from it and be refused with a conflict: in bench/scale.sh at N = 300 that was about
// one refused status write per app. Only a cached object that one of our writes is known to have replaced is
// swapped, so a change by anyone else is never hidden. The objects are kept packed, as the app cache keeps them: a
// copied Document holds a 64 KiB pool for a few kilobytes of app (heaptrack at N = 10,000: about 180 such copies
// at once, 11.9 of the 25 MB of JSON heap).
#pragma once

#include <rapidjson/document.h>

#include <memory>
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
    std::shared_ptr<const kube::PackedObject> written;
    {
      const std::lock_guard lock(mu_);
      const auto it = writes_.find(key);
      if (it == writes_.end()) return cached;
      const std::string version = GetString(*cached, {"metadata", "resourceVersion"});
      for (const std::string& replaced : it->second.replaced) {
        if (replaced == version) written = it->second.written;
      }
      // The cache has our write, or a later change: it is the judge again.
      if (written == nullptr) writes_.erase(it);
    }
    return written == nullptr ? cached : written->Decode(AppCacheDictionary().get());
  }

  // Our write of `key` replaced the object at `replaced_version` with `written`; returns the object kept, to read
  // from now on.
  kube::ObjectPtr Record(const std::string& key, const std::string& replaced_version, const rapidjson::Value& written) {
    auto packed =
        std::make_shared<const kube::PackedObject>(kube::PackedObject::Pack(key, written, AppCacheDictionary().get()));
    kube::ObjectPtr object = packed->Decode(AppCacheDictionary().get());
    const std::lock_guard lock(mu_);
    Entry& entry = writes_[key];
    // A chain of writes the cache has not caught up with yet: any of the versions they replaced is stale.
    if (entry.replaced.size() >= kMaxChain) entry.replaced.erase(entry.replaced.begin());
    entry.replaced.push_back(replaced_version);
    entry.written = std::move(packed);
    return object;
  }

  void Forget(const std::string& key) {
    const std::lock_guard lock(mu_);
    writes_.erase(key);
  }

 private:
  static constexpr size_t kMaxChain = 8;
  struct Entry {
    std::vector<std::string> replaced;
    std::shared_ptr<const kube::PackedObject> written;  // Packed with AppCacheDictionary().
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> writes_;
};

}  // namespace spark_operator::controller
