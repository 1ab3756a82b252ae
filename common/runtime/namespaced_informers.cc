#include "common/runtime/namespaced_informers.h"

#include <iterator>

namespace spark_operator::runtime {

NamespacedInformers::NamespacedInformers(std::shared_ptr<kube::Client> client, const kube::InformerOptions& options,
                                         std::vector<std::string> namespaces)
    : namespaces_(std::move(namespaces)) {
  const std::vector<std::string> each = namespaces_.empty() ? std::vector<std::string>{""} : namespaces_;
  for (const std::string& ns : each) {
    kube::InformerOptions one = options;
    one.ns = ns;
    informers_.push_back(std::make_unique<kube::Informer>(client, one));
  }
}

void NamespacedInformers::AddHandlers(const kube::EventHandlers& handlers) {
  for (auto& informer : informers_) informer->AddHandlers(handlers);
}

void NamespacedInformers::AddIndex(const std::string& name, const kube::Store::IndexFunc& func) {
  for (auto& informer : informers_) informer->AddIndex(name, func);
}

void NamespacedInformers::Start() {
  for (auto& informer : informers_) informer->Start();
}

void NamespacedInformers::Stop() {
  for (auto& informer : informers_) informer->Stop();
}

bool NamespacedInformers::Failing() const {
  for (const auto& informer : informers_) {
    if (informer->Failing()) return true;
  }
  return false;
}

bool NamespacedInformers::HasSynced() const {
  for (const auto& informer : informers_) {
    if (!informer->HasSynced()) return false;
  }
  return true;
}

bool NamespacedInformers::WaitForSync(std::chrono::milliseconds timeout, const std::function<bool()>& cancelled) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto& informer : informers_) {
    // Short waits, so that a stop is noticed while a slow API server keeps the cache empty.
    while (!informer->WaitForSync(std::chrono::milliseconds(200))) {
      if ((cancelled && cancelled()) || std::chrono::steady_clock::now() >= deadline) return false;
    }
  }
  return true;
}

kube::Informer* NamespacedInformers::For(const std::string& ns) const {
  if (namespaces_.empty()) return informers_.front().get();
  for (size_t i = 0; i < namespaces_.size(); ++i) {
    if (namespaces_[i] == ns) return informers_[i].get();
  }
  return nullptr;
}

kube::ObjectPtr NamespacedInformers::Get(const std::string& key) const {
  const kube::Informer* informer = For(key.substr(0, key.find('/')));
  return informer != nullptr ? informer->store().Get(key) : nullptr;
}

bool NamespacedInformers::Contains(const std::string& key) const {
  const kube::Informer* informer = For(key.substr(0, key.find('/')));
  return informer != nullptr && informer->store().Contains(key);
}

std::vector<std::string> NamespacedInformers::Keys() const {
  std::vector<std::string> keys;
  for (const auto& informer : informers_) {
    std::vector<std::string> more = informer->store().Keys();
    keys.insert(keys.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }
  return keys;
}

std::vector<kube::ObjectPtr> NamespacedInformers::ByIndex(const std::string& ns, const std::string& index,
                                                          const std::string& value) const {
  const kube::Informer* informer = For(ns);
  return informer != nullptr ? informer->store().ByIndex(index, value) : std::vector<kube::ObjectPtr>{};
}

}  // namespace spark_operator::runtime
