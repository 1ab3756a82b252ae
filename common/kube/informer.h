// Keeps a Store equal to the server's objects of one resource: list, then watch from the list's
// resourceVersion, resuming after each watch ends and listing again when the server says the version is gone
// (410). The list is streamed where the server can (a watch that starts with every object, KEP 3157, on by default
// since Kubernetes 1.34): one request, objects parsed and stored as they arrive, no pages; else page by page. Handlers
// run on the informer's thread, in the order the changes happened, and always see the final state: a relist that finds
// an object gone reports its delete with the last state seen.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/kube/client.h"
#include "common/kube/store.h"

namespace spark_operator::kube {

struct EventHandlers {
  std::function<void(const ObjectPtr& object)> on_add;
  // Also called with old == now on every resync, so level-triggered controllers revisit each object.
  std::function<void(const ObjectPtr& old, const ObjectPtr& now)> on_update;
  std::function<void(const ObjectPtr& last_state)> on_delete;
};

// Changes an object before it is stored and handed to handlers, as client-go's SetTransform: typically drops
// fields nobody reads. It must keep metadata.name, namespace and resourceVersion, and be safe to run on any
// version of any object of the resource.
using Transform = std::function<void(rapidjson::Document& object)>;

struct InformerOptions {
  Resource resource;
  std::string ns;  // Empty: all namespaces.
  std::string label_selector;
  std::string field_selector;
  std::chrono::seconds resync_period{0};  // 0: never.
  int64_t page_size = 500;                // Of a list that is not streamed.
  // False: always list page by page. True: stream the list unless the server refuses or ignores it.
  bool stream_lists = true;
  // The server ends each watch after a random time in [min, 2*min), as client-go asks it to.
  std::chrono::seconds min_watch_timeout{300};
  Transform transform;  // Unset: objects are stored whole.
  // Text like the objects the store packs: their member names and usual values (kube::PackDictionary). Unset: none.
  std::shared_ptr<const PackDictionary> dictionary;
};

struct InformerStats {
  uint64_t lists = 0;
  uint64_t streamed_lists = 0;  // Of `lists`, those that came as a watch's initial events.
  uint64_t watches = 0;
  uint64_t gone = 0;  // Watches the server refused with 410 Gone.
};

class Informer {
 public:
  Informer(std::shared_ptr<Client> client, InformerOptions options);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Before Start.
  void AddHandlers(EventHandlers handlers);
  void AddIndex(const std::string& name, Store::IndexFunc func) { store_.AddIndex(name, std::move(func)); }

  void Start();
  // Stops the watch in progress and joins the threads. Idempotent.
  void Stop();
  // True once the first list is in the store.
  bool WaitForSync(std::chrono::milliseconds timeout);
  bool HasSynced() const { return synced_; }
  // Its last list or watch failed (it is backing off before the next).
  bool Failing() const { return failing_; }

  const Store& store() const { return store_; }
  std::string last_resource_version() const;
  InformerStats stats() const;

 private:
  void Run();
  void ResyncLoop();
  Status ListAndReplace();
  // Returns when the watch ends; Gone means list again. With `stream_list` the watch starts with the whole state
  // (a streaming list) and `*listed` says whether all of it arrived.
  Status WatchOnce(bool stream_list, bool* listed);
  // A listed object into the store, handlers told only when it changed; its key into `listed`.
  void ApplyListed(ObjectPtr object, std::set<std::string>& listed);
  // After the whole list: deletes what it did not have, resumes from `version`, marks the informer synced.
  void EndList(const std::set<std::string>& listed, std::string version);
  void Apply(WatchEventType type, ObjectPtr object);
  // The object transformed, as handlers get it; the store keeps a packed copy.
  ObjectPtr Freeze(rapidjson::Document object) const;
  void SetResourceVersion(std::string version);
  bool SleepUnlessStopped(std::chrono::milliseconds duration);

  const std::shared_ptr<Client> client_;
  const InformerOptions options_;
  Store store_;
  std::vector<EventHandlers> handlers_;

  bool stream_lists_;  // Read and written by the informer's thread only.
  // The watch timeouts' randomness; the informer's thread only. A member, not a thread_local: every thread of the
  // process reserves and zeroes its static TLS when it starts, and 5 KB of engine times 150 threads is 0.7 MB.
  std::mt19937 random_{std::random_device{}()};
  std::atomic<bool> stop_{false};
  std::atomic<bool> synced_{false};
  std::atomic<bool> failing_{false};
  mutable std::mutex mutex_;  // Guards the fields below.
  std::condition_variable changed_;
  std::string resource_version_;
  WatchStream* current_watch_ = nullptr;
  InformerStats stats_;

  // Serialises handler calls between the watch thread and the resync thread.
  std::mutex handler_mutex_;
  std::thread thread_;
  std::thread resync_thread_;
};

}  // namespace spark_operator::kube
