// spark-operator-initializer: the mutating admission webhook that mounts ConfigMaps and Secrets into Spark
// pods from their spark-operator.k8s.io/* annotations. See initializer/README.md.
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include <gflags/gflags.h>
#include <glog/logging.h>

#include "common/kube/client.h"
#include "common/kube/config.h"
#include "common/base/strings.h"
#include "initializer/cert_sync.h"
#include "initializer/certs.h"
#include "initializer/kube_certs.h"
#include "initializer/kube_checker.h"
#include "initializer/webhook_server.h"

DEFINE_string(address, "0.0.0.0", "Address both servers listen on.");
DEFINE_int32(port, 8443, "HTTPS port of the webhook (/mutate-pods).");
DEFINE_int32(metrics_port, 8080, "Plain HTTP port of /healthz, /readyz and /metrics.");
DEFINE_int32(threads, 2, "Webhook io threads.");
DEFINE_string(tls_cert_file, "", "Serving certificate (PEM chain), e.g. from cert-manager. Reloaded when it "
                                 "changes. Empty: self-managed certificates in --cert-dir.");
DEFINE_string(tls_key_file, "", "Private key of --tls-cert-file.");
DEFINE_string(cert_dir, "/tmp/spark-operator-initializer-certs",
              "Where self-managed certificates are kept (ca.crt, ca.key, tls.crt, tls.key).");
DEFINE_string(invalid_annotation_policy, "deny",
              "What an annotation that cannot be honoured does: deny (the pod is rejected) or warn (the pod is "
              "admitted without that mount, with a warning).");
DEFINE_string(webhook_config_name, "spark-operator-initializer",
              "MutatingWebhookConfiguration whose caBundle gets the self-managed CA.");
DEFINE_string(service_name, "spark-operator-initializer", "Service in front of the webhook (certificate names).");
DEFINE_string(service_namespace, "spark-operator", "Namespace of --service-name.");
DEFINE_string(extra_san, "", "Comma-separated extra certificate names or IPs, e.g. 127.0.0.1,localhost.");
DEFINE_int32(cert_check_interval_seconds, 60,
             "How often self-managed certificates are checked: renewed when needed, taken from the Secret when "
             "another replica renewed them, and the CA published again if the configuration lost it.");
DEFINE_int32(ca_publish_retry_seconds, 10,
             "How soon publishing the CA is retried when it failed (e.g. the webhook configuration is not "
             "applied yet).");
DEFINE_string(cert_secret_name, "spark-operator-initializer-certs",
              "Secret in --service-namespace holding the self-managed CA and certificate, shared by all "
              "replicas. Empty: each replica keeps its own in --cert-dir (only for a single replica).");
DEFINE_int64(cert_validity_seconds, 365 * 24 * 3600, "Lifetime of a self-managed serving certificate.");
DEFINE_int64(ca_validity_seconds, 10LL * 365 * 24 * 3600,
             "Lifetime of the self-managed CA. Serving certificates are renewed from the same CA; a new CA is made "
             "when less than twice --cert-renew-before-seconds remains of it.");
DEFINE_int64(cert_renew_before_seconds, 30 * 24 * 3600,
             "A self-managed serving certificate is renewed when less than this remains of it.");
DEFINE_int32(ca_propagation_seconds, 30,
             "After a new CA is published, how long the old certificate is still served, so that every API "
             "server trusts the new CA before it is used.");
DEFINE_int32(check_budget_ms, 2000,
             "One deadline for all existence checks of one pod (connection included), well inside the webhook's "
             "timeoutSeconds; objects not checked by then only give a warning.");
DEFINE_string(kubeconfig, "", "Kubeconfig file. Empty: $KUBECONFIG, the in-cluster service account, then "
                              "~/.kube/config; with none of them the webhook runs without a client.");

namespace {

using spark_operator::Status;
namespace init = spark_operator::initializer;


int Fail(const Status& status) {
  LOG(ERROR) << status.ToString();
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("Mutating admission webhook that customizes Spark pods from annotations.");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;

  auto policy = init::ParseInvalidAnnotationPolicy(FLAGS_invalid_annotation_policy);
  if (!policy.ok()) return Fail(policy.status().WithContext("--invalid-annotation-policy"));
  if (FLAGS_tls_cert_file.empty() != FLAGS_tls_key_file.empty()) {
    return Fail(spark_operator::InvalidArgumentError("--tls-cert-file and --tls-key-file go together"));
  }

  // Signals are blocked before any thread starts, so only the sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The client is optional so that the webhook can run anywhere (a laptop, a test) and degrade to what it
  // can do alone; an explicit --kubeconfig that does not work is a mistake worth stopping for.
  std::shared_ptr<spark_operator::kube::Client> client, checker_client;
  auto rest_config = spark_operator::kube::LoadRestConfig(FLAGS_kubeconfig);
  if (!rest_config.ok() && !FLAGS_kubeconfig.empty()) return Fail(rest_config.status().WithContext("--kubeconfig"));
  if (rest_config.ok()) {
    auto created = spark_operator::kube::Client::Create(*rest_config);
    if (!created.ok()) return Fail(created.status());
    client = *created;
    auto for_checker = init::NewCheckerClient(*rest_config);
    if (!for_checker.ok()) return Fail(for_checker.status());
    checker_client = *for_checker;
    LOG(INFO) << "Kubernetes API server " << rest_config->server;
  } else {
    LOG(WARNING) << "running without a Kubernetes client (" << rest_config.status().message()
                 << "): referenced ConfigMaps and Secrets are assumed to exist, certificates stay in --cert-dir "
                    "and the CA is only logged";
  }

  std::string cert_file = FLAGS_tls_cert_file, key_file = FLAGS_tls_key_file;
  init::DirCertStore serving_store(FLAGS_cert_dir);
  std::unique_ptr<init::CertStore> secret_store;
  std::unique_ptr<init::CaBundlePublisher> publisher;
  if (client != nullptr && !FLAGS_cert_secret_name.empty()) {
    secret_store = std::make_unique<init::SecretCertStore>(client, FLAGS_service_namespace, FLAGS_cert_secret_name);
  }
  if (client != nullptr) {
    publisher = std::make_unique<init::WebhookCaPublisher>(client, FLAGS_webhook_config_name);
  } else {
    publisher = std::make_unique<init::LoggingCaPublisher>(FLAGS_webhook_config_name);
  }
  init::CertOptions cert_options;
  const bool self_managed = cert_file.empty();
  if (self_managed) {
    cert_options.sans = init::ServiceDnsNames(FLAGS_service_name, FLAGS_service_namespace);
    for (const std::string& san : spark_operator::SplitCommas(FLAGS_extra_san)) cert_options.sans.push_back(san);
    cert_options.common_name = FLAGS_service_name + "." + FLAGS_service_namespace + ".svc";
    cert_options.validity = std::chrono::seconds(FLAGS_cert_validity_seconds);
    cert_options.ca_validity = std::chrono::seconds(FLAGS_ca_validity_seconds);
    cert_options.renew_before = std::chrono::seconds(FLAGS_cert_renew_before_seconds);
    if (Status s = init::ValidateCertOptions(cert_options); !s.ok()) {
      return Fail(s.WithContext("--cert-validity-seconds, --ca-validity-seconds, --cert-renew-before-seconds"));
    }
    cert_file = serving_store.cert_file();
    key_file = serving_store.key_file();
  }
  init::CertSync cert_sync(secret_store.get(), &serving_store, publisher.get(), cert_options,
                           std::chrono::seconds(FLAGS_ca_propagation_seconds));
  if (self_managed) {
    if (Status s = cert_sync.RunOnce(); !s.ok()) return Fail(s);
  }
  auto tls = spark_operator::http::TlsServerContext::FromFiles(cert_file, key_file);
  if (!tls.ok()) return Fail(tls.status());

  init::AlwaysExistsChecker always_exists;
  std::unique_ptr<init::KubeObjectChecker> kube_checker;
  if (checker_client != nullptr) kube_checker = std::make_unique<init::KubeObjectChecker>(checker_client);
  init::WebhookServerOptions options;
  options.address = FLAGS_address;
  options.port = static_cast<uint16_t>(FLAGS_port);
  options.metrics_port = static_cast<uint16_t>(FLAGS_metrics_port);
  options.threads = FLAGS_threads;
  options.tls = *tls;
  options.mutator.policy = *policy;
  options.mutator.check_budget = std::chrono::milliseconds(FLAGS_check_budget_ms);
  options.checker = kube_checker != nullptr ? static_cast<const init::ObjectChecker*>(kube_checker.get())
                                            : &always_exists;
  auto server = init::WebhookServer::Start(options);
  if (!server.ok()) return Fail(server.status());
  LOG(INFO) << "serving /mutate-pods on https://" << FLAGS_address << ":" << (*server)->port()
            << ", metrics on http://" << FLAGS_address << ":" << (*server)->metrics_port()
            << ", invalid annotations: " << FLAGS_invalid_annotation_policy;

  // Renewal: the new files are written atomically and the TLS context picks them up on the next connection.
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread renewer;
  if (self_managed) {
    renewer = std::thread([&] {
      std::unique_lock lock(mutex);
      const auto interval = [&] {
        const bool settled = cert_sync.ca_published() && !cert_sync.switch_pending();
        return std::chrono::seconds(settled ? FLAGS_cert_check_interval_seconds : FLAGS_ca_publish_retry_seconds);
      };
      while (!wake.wait_for(lock, interval(), [&] { return stopping; })) {
        if (Status s = cert_sync.RunOnce(); !s.ok()) LOG(ERROR) << "checking certificates: " << s.ToString();
      }
    });
  }

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  LOG(INFO) << "signal " << signal_number << ": stopping";
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  if (renewer.joinable()) renewer.join();
  (*server)->Stop();
  return 0;
}
