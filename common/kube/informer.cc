#include "common/kube/informer.h"

#include <glog/logging.h>

#include <random>

#include "common/base/backoff.h"
#include "common/base/json.h"

namespace spark_operator::kube {
namespace {

// List items carry no kind or apiVersion; handlers expect whole objects, as watch events have them.
rapidjson::Document ItemToObject(const rapidjson::Value& item, const std::string& kind,
                                 const std::string& api_version) {
  rapidjson::Document doc;
  doc.CopyFrom(item, doc.GetAllocator());
  if (!doc.HasMember("kind")) SetString(doc, {"kind"}, kind);
  if (!doc.HasMember("apiVersion")) SetString(doc, {"apiVersion"}, api_version);
  return doc;
}

}  // namespace

Informer::Informer(std::shared_ptr<Client> client, InformerOptions options)
    : client_(std::move(client)),
      options_(std::move(options)),
      store_(options_.dictionary),
      stream_lists_(options_.stream_lists) {}

Informer::~Informer() { Stop(); }

void Informer::AddHandlers(EventHandlers handlers) { handlers_.push_back(std::move(handlers)); }

void Informer::Start() {
  thread_ = std::thread([this] { Run(); });
  if (options_.resync_period.count() > 0) resync_thread_ = std::thread([this] { ResyncLoop(); });
}

void Informer::Stop() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    if (current_watch_ != nullptr) current_watch_->Stop();
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (resync_thread_.joinable()) resync_thread_.join();
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, timeout, [this] { return synced_.load() || stop_.load(); }) && synced_;
}

std::string Informer::last_resource_version() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return resource_version_;
}

InformerStats Informer::stats() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void Informer::SetResourceVersion(std::string version) {
  const std::lock_guard<std::mutex> lock(mutex_);
  resource_version_ = std::move(version);
}

bool Informer::SleepUnlessStopped(std::chrono::milliseconds duration) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !changed_.wait_for(lock, duration, [this] { return stop_.load(); });
}

void Informer::Run() {
  const std::string what = options_.resource.plural + (options_.ns.empty() ? "" : " in " + options_.ns);
  ExponentialBackoff backoff(std::chrono::milliseconds(200), 2.0, std::chrono::seconds(30), 0.2);
  const auto back_off = [&](const std::string& failed, const Status& status) {
    const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(backoff.Next());
    LOG(WARNING) << failed << ", retrying in " << delay.count() << "ms: " << status.ToString();
    failing_ = true;
    SleepUnlessStopped(delay);
  };
  bool need_list = true;
  while (!stop_) {
    if (need_list && !stream_lists_) {
      if (const Status listed = ListAndReplace(); !listed.ok()) {
        if (!stop_) back_off("listing " + what + " failed", listed);
        continue;
      }
      need_list = false;
      failing_ = false;
    }
    bool listed = false;
    const Status watched = WatchOnce(need_list, &listed);
    if (stop_) break;
    if (listed) {
      need_list = false;
      failing_ = false;
    }
    // A server before Kubernetes 1.27 ignores sendInitialEvents (the watch ends and nothing marked the end of the
    // list); 1.27 to 1.33 may refuse it (the WatchList feature gate, off in 1.33): lists go page by page.
    if (need_list &&
        (watched.ok() || watched.code() == StatusCode::kInvalid || watched.code() == StatusCode::kInvalidArgument)) {
      LOG(WARNING) << "the server does not stream the list of " << what << " ("
                   << (watched.ok() ? "the watch ended before the end of its initial events" : watched.ToString())
                   << "); listing page by page";
      stream_lists_ = false;
    } else if (watched.ok()) {
      backoff.Reset();
      failing_ = false;
    } else if (IsGone(watched)) {
      LOG(INFO) << "watch of " << what << " expired (" << watched.message() << "); listing again";
      need_list = true;
    } else {
      back_off((need_list ? "listing " : "watch of ") + what + " failed", watched);
    }
  }
}

Status Informer::ListAndReplace() {
  ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  list_options.limit = options_.page_size;
  std::string kind;
  std::string api_version;
  std::string version;
  std::set<std::string> listed;
  // Page by page, each page's objects stored (transformed) before the next is read: the whole list, as the server
  // sends it, would be in memory at once otherwise (at 6,000 pods the controller's peak, 99 MB, was that list). A
  // list that fails part way has stored the pages before, as the states they are; deletes wait for a whole list.
  do {
    ASSIGN_OR_RETURN(const rapidjson::Document page, client_->List(options_.resource, options_.ns, list_options));
    if (version.empty()) {
      kind = GetString(page, {"kind"});
      if (kind.size() > 4 && kind.ends_with("List")) kind.resize(kind.size() - 4);
      api_version = GetString(page, {"apiVersion"}, options_.resource.ApiVersion());
      version = GetString(page, {"metadata", "resourceVersion"});
    }
    // Later pages come from the first page's snapshot: the continue token carries it, not resourceVersion.
    list_options.resource_version.clear();
    list_options.continue_token = GetString(page, {"metadata", "continue"});
    const std::lock_guard<std::mutex> handler_lock(handler_mutex_);
    if (const rapidjson::Value* items = FindPath(page, {"items"}); items && items->IsArray()) {
      for (const auto& item : items->GetArray()) ApplyListed(Freeze(ItemToObject(item, kind, api_version)), listed);
    }
  } while (!list_options.continue_token.empty());
  EndList(listed, std::move(version));
  return OkStatus();
}

void Informer::ApplyListed(ObjectPtr object, std::set<std::string>& listed) {
  std::string key = ObjectKey(*object);
  const ObjectPtr previous = store_.Get(key);
  listed.insert(std::move(key));
  if (previous && ResourceVersionOf(*previous) == ResourceVersionOf(*object)) return;
  Apply(WatchEventType::kModified, std::move(object));
}

void Informer::EndList(const std::set<std::string>& listed, std::string version) {
  {
    const std::lock_guard<std::mutex> handler_lock(handler_mutex_);
    for (const std::string& key : store_.Keys()) {
      if (listed.count(key) != 0) continue;
      if (const ObjectPtr gone = store_.Remove(key)) {
        for (const auto& h : handlers_) {
          if (h.on_delete) h.on_delete(gone);
        }
      }
    }
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    resource_version_ = std::move(version);
    ++stats_.lists;
    synced_ = true;
  }
  changed_.notify_all();
}

Status Informer::WatchOnce(bool stream_list, bool* listed) {
  const auto min = options_.min_watch_timeout.count();
  WatchOptions watch_options;
  watch_options.label_selector = options_.label_selector;
  watch_options.field_selector = options_.field_selector;
  watch_options.resource_version = stream_list ? "" : last_resource_version();
  watch_options.send_initial_events = stream_list;
  watch_options.timeout_seconds = static_cast<int>(std::uniform_int_distribution<int64_t>(min, 2 * min - 1)(random_));

  ASSIGN_OR_RETURN(std::unique_ptr<WatchStream> watch, client_->Watch(options_.resource, options_.ns, watch_options));
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (stop_) return CancelledError("informer stopped");
    current_watch_ = watch.get();
    ++stats_.watches;
  }
  Status result;
  std::set<std::string> initial;  // The keys a streaming list has sent so far.
  const auto idle_timeout = std::chrono::seconds(watch_options.timeout_seconds + 30);
  for (;;) {
    Result<std::optional<WatchEvent>> event = watch->Next(idle_timeout);
    if (!event.ok()) {
      result = event.status();
      break;
    }
    if (!event->has_value()) break;  // The server ended this watch; resume from the last version.
    WatchEvent& e = **event;
    std::string version = ResourceVersionOf(e.object);
    if (stream_list && !*listed) {
      // The initial events come in no order of version: the version to resume from is the end bookmark's.
      if (IsInitialEventsEnd(e)) {
        EndList(initial, std::move(version));
        {
          const std::lock_guard<std::mutex> lock(mutex_);
          ++stats_.streamed_lists;
        }
        initial.clear();
        *listed = true;
      } else if (e.type != WatchEventType::kBookmark) {
        const std::lock_guard<std::mutex> handler_lock(handler_mutex_);
        ApplyListed(Freeze(std::move(e.object)), initial);
      }
      continue;
    }
    if (e.type != WatchEventType::kBookmark) {
      const std::lock_guard<std::mutex> handler_lock(handler_mutex_);
      Apply(e.type, Freeze(std::move(e.object)));
    }
    SetResourceVersion(std::move(version));
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  current_watch_ = nullptr;
  if (IsGone(result)) ++stats_.gone;
  return result;
}

ObjectPtr Informer::Freeze(rapidjson::Document object) const {
  if (options_.transform) options_.transform(object);
  return std::make_shared<const rapidjson::Document>(std::move(object));
}

void Informer::Apply(WatchEventType type, ObjectPtr object) {
  if (type == WatchEventType::kDeleted) {
    store_.Remove(ObjectKey(*object));
    for (const auto& h : handlers_) {
      if (h.on_delete) h.on_delete(object);
    }
    return;
  }
  const ObjectPtr previous = store_.Upsert(*object);
  for (const auto& h : handlers_) {
    if (previous && h.on_update) h.on_update(previous, object);
    if (!previous && h.on_add) h.on_add(object);
  }
}

void Informer::ResyncLoop() {
  while (SleepUnlessStopped(std::chrono::duration_cast<std::chrono::milliseconds>(options_.resync_period))) {
    const std::lock_guard<std::mutex> handler_lock(handler_mutex_);
    // One object decoded at a time: the whole store decoded at once was the controller's largest allocation at
    // 10,000 apps (21 MB of its 57 MB heap peak, heaptrack).
    for (const std::string& key : store_.Keys()) {
      const ObjectPtr object = store_.Get(key);
      if (object == nullptr) continue;
      for (const auto& h : handlers_) {
        if (h.on_update) h.on_update(object, object);
      }
    }
  }
}

}  // namespace spark_operator::kube
