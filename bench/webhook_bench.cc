// Open-loop load on the initializer's /mutate-pods: the real WebhookServer runs in-process with TLS, client
// threads send AdmissionReviews for a realistic Spark driver pod over keep-alive TLS connections at a fixed
// rate. Latency is measured from each request's scheduled send time, so a stall shows up as the latency of
// every request queued behind it (no coordinated omission).
//
//   webhook_bench [--rate=1000] [--seconds=10] [--connections=8] [--server_threads=2]
#include <gflags/gflags.h>
#include <glog/logging.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "initializer/certs/certs.h"
#include "initializer/webhook_server.h"

DEFINE_int32(rate, 1000, "Requests per second, all connections together.");
DEFINE_int32(seconds, 10, "Duration of the measured run.");
DEFINE_int32(connections, 8, "Keep-alive TLS connections, one client thread each.");
DEFINE_int32(server_threads, 2, "Webhook io threads.");

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using Clock = std::chrono::steady_clock;
namespace init = spark_operator::initializer;

const char* kReview = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
"uid":"%UID%","kind":{"group":"","version":"v1","kind":"Pod"},
"resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"spark-jobs",
"userInfo":{"username":"system:serviceaccount:spark-jobs:spark"},
"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pi-7f9c2-driver","namespace":"spark-jobs",
"labels":{"spark-app-selector":"spark-8b1e","spark-role":"driver","sparkoperator.k8s.io/app-name":"pi"},
"annotations":{"spark-operator.k8s.io/sparkConfigMap":"pi-spark-conf",
"spark-operator.k8s.io/hadoopConfigMap":"hadoop-conf",
"spark-operator.k8s.io/GCPServiceAccount.gcp-key":"/mnt/secrets/gcp"}},
"spec":{"serviceAccountName":"spark","restartPolicy":"Never",
"volumes":[{"name":"spark-local-dir-1","emptyDir":{}},{"name":"spark-conf-volume-driver",
"configMap":{"name":"spark-drv-conf-map","items":[{"key":"spark.properties","path":"spark.properties"}]}}],
"containers":[{"name":"spark-kubernetes-driver","image":"apache/spark:3.5.1","imagePullPolicy":"IfNotPresent",
"args":["driver","--properties-file","/opt/spark/conf/spark.properties","--class",
"org.apache.spark.examples.SparkPi","local:///opt/spark/examples/jars/spark-examples.jar","1000"],
"ports":[{"name":"driver-rpc-port","containerPort":7078},{"name":"blockmanager","containerPort":7079},
{"name":"spark-ui","containerPort":4040}],
"env":[{"name":"SPARK_USER","value":"spark"},{"name":"SPARK_APPLICATION_ID","value":"spark-8b1e"},
{"name":"SPARK_DRIVER_BIND_ADDRESS","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}},
{"name":"SPARK_LOCAL_DIRS","value":"/var/data/spark-1"}],
"resources":{"limits":{"memory":"1408Mi"},"requests":{"cpu":"1","memory":"1408Mi"}},
"volumeMounts":[{"name":"spark-local-dir-1","mountPath":"/var/data/spark-1"},
{"name":"spark-conf-volume-driver","mountPath":"/opt/spark/conf"}]}]}}}})";

struct Client {
  explicit Client(uint16_t port) : ctx(net::ssl::context::tls_client), stream(ioc, ctx) {
    ctx.set_verify_mode(net::ssl::verify_none);
    beast::get_lowest_layer(stream).connect({net::ip::make_address("127.0.0.1"), port});
    beast::get_lowest_layer(stream).socket().set_option(net::ip::tcp::no_delay(true));
    stream.handshake(net::ssl::stream_base::client);
  }
  bool Send(const std::string& body) {
    bhttp::request<bhttp::string_body> request(bhttp::verb::post, "/mutate-pods", 11);
    request.set(bhttp::field::host, "initializer");
    request.set(bhttp::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    beast::error_code ec;
    bhttp::write(stream, request, ec);
    bhttp::response<bhttp::string_body> response;
    if (!ec) bhttp::read(stream, buffer, response, ec);
    return !ec && response.result_int() == 200 && response.body().find("\"patchType\"") != std::string::npos;
  }
  net::io_context ioc;
  net::ssl::context ctx;
  beast::ssl_stream<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
};

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t index = std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  google::InitGoogleLogging(argv[0]);
  const std::string dir = std::filesystem::temp_directory_path() / "webhook-bench-certs";
  init::DirCertStore store(dir);
  init::CertOptions cert_options;
  cert_options.sans = {"127.0.0.1"};
  auto bundle = init::GenerateCertificates(cert_options);
  if (!bundle.ok() || !store.Save(*bundle).ok()) return 1;
  auto tls = spark_operator::http::TlsServerContext::FromFiles(store.cert_file(), store.key_file());
  if (!tls.ok()) return 1;
  init::WebhookServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.metrics_port = 0;
  options.threads = FLAGS_server_threads;
  options.tls = *tls;
  auto server = init::WebhookServer::Start(options);
  if (!server.ok()) {
    LOG(ERROR) << server.status().ToString();
    return 1;
  }

  const std::string review = kReview;
  const size_t total = static_cast<size_t>(FLAGS_rate) * static_cast<size_t>(FLAGS_seconds);
  const auto interval = std::chrono::nanoseconds(1000000000LL / FLAGS_rate);
  std::vector<double> latencies_us(total, 0);
  std::atomic<size_t> next{0};
  std::atomic<size_t> failures{0};
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < FLAGS_connections; ++i) clients.push_back(std::make_unique<Client>((*server)->port()));
  for (auto& client : clients) client->Send(review);  // Warm-up: handshakes done, caches filled.

  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(50);
  std::vector<std::thread> threads;
  for (auto& client : clients) {
    threads.emplace_back([&, c = client.get()] {
      for (size_t i = next++; i < total; i = next++) {
        const Clock::time_point scheduled = start + interval * i;
        std::this_thread::sleep_until(scheduled);
        std::string body = review;
        body.replace(body.find("%UID%"), 5, std::to_string(i));
        if (!c->Send(body)) ++failures;
        latencies_us[i] = std::chrono::duration<double, std::micro>(Clock::now() - scheduled).count();
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  (*server)->Stop();
  std::filesystem::remove_all(dir);

  std::sort(latencies_us.begin(), latencies_us.end());
  std::printf("webhook_bench: %zu requests at %d req/s target over %d keep-alive TLS connections, %d server threads\n",
              total, FLAGS_rate, FLAGS_connections, FLAGS_server_threads);
  std::printf("achieved %.1f req/s, failures %zu\n", static_cast<double>(total) / elapsed, failures.load());
  std::printf("latency from scheduled send: p50 %.0f us, p90 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us\n",
              Percentile(latencies_us, 0.50), Percentile(latencies_us, 0.90), Percentile(latencies_us, 0.99),
              Percentile(latencies_us, 0.999), latencies_us.back());
  return failures == 0 ? 0 : 1;
}
