// How the benchmarks against the local cluster start: flags, logs on stderr, and a client from a kubeconfig. A
// benchmark has no one to report an error to, so what it cannot do without ends the process with the reason.
#pragma once

#include <gflags/gflags.h>
#include <glog/logging.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/kube/client.h"
#include "common/kube/config.h"

namespace spark_operator::bench {

inline void StartBench(int* argc, char*** argv) {
  gflags::ParseCommandLineFlags(argc, argv, true);
  google::InitGoogleLogging((*argv)[0]);
  FLAGS_logtostderr = true;
}

inline kube::RestConfig KubeconfigOrDie(const std::string& path) {
  Result<kube::RestConfig> config = kube::LoadKubeconfig(path);
  CHECK(config.ok()) << config.status().ToString();
  return std::move(*config);
}

inline std::shared_ptr<kube::Client> ClientOrDie(const kube::RestConfig& config) {
  Result<std::shared_ptr<kube::Client>> client = kube::Client::Create(config);
  CHECK(client.ok()) << client.status().ToString();
  return std::move(*client);
}

// Wall-clock seconds since the Unix epoch: when a benchmark's window starts, for bench/cpu_window.py, which
// lines it up with its samples of /proc.
inline double UnixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace spark_operator::bench
