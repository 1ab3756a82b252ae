// A candidate for integration tests of leader election, run as separate processes so that a test can kill
// one with SIGKILL. Prints "leading <id>" and "stopped <id>" lines (flushed at once) and runs until killed;
// SIGTERM or SIGINT stop it gracefully, releasing the Lease.
//
//   lease-holder --kubeconfig K --namespace N --name L --identity ID --lease-duration-seconds S
//                [--renew-deadline-ms 3000] [--retry-period-ms 1000]
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "common/kube/client.h"
#include "common/kube/config.h"
#include "common/kube/leader_election.h"

DEFINE_string(kubeconfig, "", "kubeconfig of the cluster");
DEFINE_string(namespace, "default", "namespace of the Lease");
DEFINE_string(name, "", "name of the Lease");
DEFINE_string(identity, "", "this candidate's identity");
DEFINE_int32(lease_duration_seconds, 15, "lease duration");
DEFINE_int32(renew_deadline_ms, 0, "renew deadline; 0: three quarters of the lease duration");
DEFINE_int32(retry_period_ms, 0, "retry period; 0: a quarter of the lease duration");

namespace {

volatile std::sig_atomic_t g_signal = 0;

void OnSignal(int signal) { g_signal = signal; }

void Say(const char* what) {
  std::printf("%s %s\n", what, FLAGS_identity.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  FLAGS_logtostderr = true;
  google::InitGoogleLogging(argv[0]);
  using namespace spark_operator;

  Result<kube::RestConfig> rest = kube::LoadRestConfig(FLAGS_kubeconfig);
  if (!rest.ok()) {
    LOG(ERROR) << rest.status().ToString();
    return 2;
  }
  kube::LeaderElectionConfig config;
  config.lease_namespace = FLAGS_namespace;
  config.lease_name = FLAGS_name;
  config.identity = FLAGS_identity;
  config.lease_duration = std::chrono::seconds(FLAGS_lease_duration_seconds);
  config.renew_deadline = std::chrono::milliseconds(FLAGS_renew_deadline_ms > 0 ? FLAGS_renew_deadline_ms
                                                                                : FLAGS_lease_duration_seconds * 750);
  config.retry_period =
      std::chrono::milliseconds(FLAGS_retry_period_ms > 0 ? FLAGS_retry_period_ms : FLAGS_lease_duration_seconds * 250);
  // A renewal must not hang past the deadline, as client-go's context bounds it.
  rest->timeout = std::min(rest->timeout, config.retry_period);
  Result<std::shared_ptr<kube::Client>> client = kube::Client::Create(*rest);
  if (!client.ok()) {
    LOG(ERROR) << client.status().ToString();
    return 2;
  }
  config.on_started_leading = [] { Say("leading"); };
  config.on_stopped_leading = [] { Say("stopped"); };
  Result<std::unique_ptr<kube::LeaderElector>> elector = kube::LeaderElector::Create(*client, config);
  if (!elector.ok()) {
    LOG(ERROR) << elector.status().ToString();
    return 2;
  }

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  (*elector)->Start();
  // Polled rather than pause(): the signal may be delivered to the elector's thread instead of this one.
  while (g_signal == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  (*elector)->Stop();
  return 0;
}
