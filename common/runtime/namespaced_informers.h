// The multi-namespace cache: one informer per watched namespace (or a single one for all namespaces), for a
// controller that may only list and watch some namespaces. Lookups go to the informer of the key's namespace;
// an object in a namespace nobody watches is simply absent.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/kube/client.h"
#include "common/kube/informer.h"

namespace spark_operator::runtime {

class NamespacedInformers {
 public:
  // `options.ns` is ignored: one informer is made per entry of `namespaces`, or one for all when it is empty.
  NamespacedInformers(std::shared_ptr<kube::Client> client, const kube::InformerOptions& options,
                      std::vector<std::string> namespaces);

  // Before Start().
  void AddHandlers(const kube::EventHandlers& handlers);
  void AddIndex(const std::string& name, const kube::Store::IndexFunc& func);

  void Start();
  void Stop();
  bool HasSynced() const;
  bool Failing() const;  // Some informer's last list or watch failed.
  // Waits until every informer has synced, `timeout` passed, or `cancelled` turned true; whether all synced.
  bool WaitForSync(std::chrono::milliseconds timeout, const std::function<bool()>& cancelled);

  // "namespace/name"; null when absent or in a namespace not watched.
  kube::ObjectPtr Get(const std::string& key) const;
  bool Contains(const std::string& key) const;
  std::vector<std::string> Keys() const;  // Of every namespace's cache.
  std::vector<kube::ObjectPtr> ByIndex(const std::string& ns, const std::string& index, const std::string& value) const;

 private:
  kube::Informer* For(const std::string& ns) const;

  const std::vector<std::string> namespaces_;
  std::vector<std::unique_ptr<kube::Informer>> informers_;
};

}  // namespace spark_operator::runtime
