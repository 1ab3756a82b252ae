// spark-operator-initializer: the mutating admission webhook that mounts ConfigMaps and Secrets into Spark
// pods from their spark-operator.k8s.io/* annotations. See initializer/README.md.
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <chrono>

#include "common/base/shutdown_signals.h"
#include "common/base/strings.h"
#include "initializer/webhook_app.h"

DEFINE_string(address, "0.0.0.0", "Address both servers listen on.");
DEFINE_int32(port, 8443, "HTTPS port of the webhook (/mutate-pods).");
DEFINE_int32(metrics_port, 8080, "Plain HTTP port of /healthz, /readyz and /metrics.");
DEFINE_int32(threads, 2, "Webhook io threads.");
DEFINE_string(tls_cert_file, "",
              "Serving certificate (PEM chain), e.g. from cert-manager. Reloaded when it "
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
DEFINE_string(kubeconfig, "",
              "Kubeconfig file. Empty: $KUBECONFIG, the in-cluster service account, then "
              "~/.kube/config; with none of them the webhook runs without a client.");

namespace {

namespace init = spark_operator::initializer;

int Fail(const spark_operator::Status& status) {
  LOG(ERROR) << status.ToString();
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("Mutating admission webhook that customizes Spark pods from annotations.");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  FLAGS_logtostderr = true;
  const spark_operator::ShutdownSignals signals;  // Before any thread starts.

  auto policy = init::ParseInvalidAnnotationPolicy(FLAGS_invalid_annotation_policy);
  if (!policy.ok()) return Fail(policy.status().WithContext("--invalid-annotation-policy"));
  init::WebhookAppOptions options;
  options.kubeconfig = FLAGS_kubeconfig;
  options.address = FLAGS_address;
  options.port = static_cast<uint16_t>(FLAGS_port);
  options.metrics_port = static_cast<uint16_t>(FLAGS_metrics_port);
  options.threads = FLAGS_threads;
  options.mutator.policy = *policy;
  options.mutator.check_budget = std::chrono::milliseconds(FLAGS_check_budget_ms);
  options.tls_cert_file = FLAGS_tls_cert_file;
  options.tls_key_file = FLAGS_tls_key_file;
  options.cert_dir = FLAGS_cert_dir;
  options.cert_secret_name = FLAGS_cert_secret_name;
  options.webhook_config_name = FLAGS_webhook_config_name;
  options.service_name = FLAGS_service_name;
  options.service_namespace = FLAGS_service_namespace;
  options.extra_sans = spark_operator::SplitCommas(FLAGS_extra_san);
  options.cert_validity = std::chrono::seconds(FLAGS_cert_validity_seconds);
  options.ca_validity = std::chrono::seconds(FLAGS_ca_validity_seconds);
  options.cert_renew_before = std::chrono::seconds(FLAGS_cert_renew_before_seconds);
  options.ca_propagation = std::chrono::seconds(FLAGS_ca_propagation_seconds);
  options.cert_check_interval = std::chrono::seconds(FLAGS_cert_check_interval_seconds);
  options.ca_publish_retry = std::chrono::seconds(FLAGS_ca_publish_retry_seconds);

  auto app = init::WebhookApp::Create(std::move(options));
  if (!app.ok()) return Fail(app.status());
  if (const spark_operator::Status started = (*app)->Start(); !started.ok()) return Fail(started);
  LOG(INFO) << "invalid annotations: " << FLAGS_invalid_annotation_policy;

  const int signal_number = signals.Wait();
  LOG(INFO) << "signal " << signal_number << ": stopping";
  (*app)->Stop();
  return 0;
}
