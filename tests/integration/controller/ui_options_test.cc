// spec.sparkUIOptions, --ingress-url-format and spec.monitoring against the local cluster: the Ingress a running
// driver's UI gets (host, path, backend, TLS, annotations; gone with the driver, the URL in the status), and the
// scrape annotations, label and spark.properties of a monitored driver with either submitter.
#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

constexpr auto kSubmitTimeout = std::chrono::seconds(120);

// spark.properties of the conf map spark-submit (or the native builder) made for `driver`.
// spark.properties of the driver's conf map; spark-submit creates the conf map just after the pod, so this waits
// for it.
std::string DriverProperties(kube::Client& client, const std::string& ns, const std::string& driver) {
  std::string properties;
  Eventually([&] {
    const Result<rapidjson::Document> maps = client.List(kube::resources::kConfigMaps, ns);
    if (!maps.ok()) return false;
    for (const rapidjson::Value& map : (*maps)["items"].GetArray()) {
      const rapidjson::Value* owners = FindPath(map, {"metadata", "ownerReferences"});
      if (owners == nullptr || !owners->IsArray() || owners->Empty()) continue;
      if (GetString((*owners)[0], {"name"}) == driver) properties = GetString(map, {"data", "spark.properties"});
    }
    return !properties.empty();
  });
  return properties;
}

TEST_CASE("a running driver's UI gets an Ingress at the app's path with its TLS and annotations, gone when it ends") {
  auto client = AdminClient();
  EnsureCrd(*client);
  const TestNamespace ns(client, "ing");
  RunningController controller(ns.name(), std::chrono::seconds(60), SparkSubmitPath(), [](ManagerOptions& o) {
    o.ingress_url_format = "spark.example.com/{{$appNamespace}}/{{$appName}}";
    o.ingress_class_name = "nginx";
  });
  rapidjson::Document app = ExampleApp(ns.name(), "web");
  SetPath(app, {"spec", "sparkUIOptions"},
          rapidjson::Value(Json(R"({"serviceType":"ClusterIP","servicePort":80,"serviceLabels":{"expose":"ui"},
                                    "ingressAnnotations":{"example.com/auth":"sso"},
                                    "ingressTLS":[{"hosts":["spark.example.com"],"secretName":"ui-tls"}]})"),
                           app.GetAllocator()));
  CreateApp(*client, app);

  REQUIRE(Eventually([&] { return State(*client, ns.name(), "web") == "RUNNING"; }, kSubmitTimeout));
  REQUIRE(Eventually([&] {
    return !GetString(GetApp(*client, ns.name(), "web"), {"status", "driverInfo", "webUIIngressName"}).empty();
  }));
  const rapidjson::Document status = GetApp(*client, ns.name(), "web");
  CHECK(GetString(status, {"status", "driverInfo", "webUIIngressName"}) == "web-ui-ingress");
  CHECK(GetString(status, {"status", "driverInfo", "webUIIngressAddress"}) ==
        "https://spark.example.com/" + ns.name() + "/web");
  CHECK(GetString(status, {"status", "driverInfo", "webUIURL"}) == "web-ui-svc." + ns.name() + ".svc:80");

  const Result<rapidjson::Document> ing = client->Get(kube::resources::kIngresses, ns.name(), "web-ui-ingress");
  REQUIRE(ing.ok());
  CHECK(GetString(*ing, {"spec", "ingressClassName"}) == "nginx");
  const rapidjson::Value& rule = (*ing)["spec"]["rules"][0];
  CHECK(GetString(rule, {"host"}) == "spark.example.com");
  const rapidjson::Value& path = rule["http"]["paths"][0];
  CHECK(GetString(path, {"path"}) == "/" + ns.name() + "/web(/|$)(.*)");
  CHECK(GetString(path, {"backend", "service", "name"}) == "web-ui-svc");
  CHECK(GetInt(path, {"backend", "service", "port", "number"}) == 80);
  CHECK(ToJson((*ing)["spec"]["tls"]) == R"([{"hosts":["spark.example.com"],"secretName":"ui-tls"}])");
  CHECK(GetString(*ing, {"metadata", "annotations", "example.com/auth"}) == "sso");
  CHECK(GetString(*ing, {"metadata", "annotations", "nginx.ingress.kubernetes.io/rewrite-target"}) == "/$2");
  CHECK(GetString((*ing)["metadata"]["ownerReferences"][0], {"kind"}) == "SparkApplication");

  const Result<rapidjson::Document> svc = client->Get(kube::resources::kServices, ns.name(), "web-ui-svc");
  REQUIRE(svc.ok());
  CHECK(GetString(*svc, {"spec", "type"}) == "ClusterIP");
  CHECK(GetInt((*svc)["spec"]["ports"][0], {"port"}) == 80);
  CHECK(GetInt((*svc)["spec"]["ports"][0], {"targetPort"}) == 4040);
  CHECK(GetString(*svc, {"metadata", "labels", "expose"}) == "ui");
  // The UI's links carry the path the Ingress strips.
  CHECK_THAT(DriverProperties(*client, ns.name(), "web-1-driver"),
             Catch::Contains("spark.ui.proxyBase=/" + ns.name() + "/web"));

  FinishPod(*client, ns.name(), "web-1-driver", 0);
  REQUIRE(Eventually([&] { return State(*client, ns.name(), "web") == "COMPLETED"; }));
  CHECK(Eventually(
      [&] { return IsNotFound(client->Get(kube::resources::kIngresses, ns.name(), "web-ui-ingress").status()); }));
  const rapidjson::Document done = GetApp(*client, ns.name(), "web");
  CHECK(GetString(done, {"status", "driverInfo", "webUIIngressName"}).empty());
  CHECK(GetString(done, {"status", "driverInfo", "webUIIngressAddress"}).empty());
}

TEST_CASE("a monitored driver carries the scrape annotations and label and the servlet keys with either submitter") {
  auto client = AdminClient();
  EnsureCrd(*client);
  for (const bool native : {false, true}) {
    INFO((native ? "native" : "spark-submit"));
    const TestNamespace ns(client, native ? "mon-nt" : "mon-ss");
    RunningController controller(ns.name(), std::chrono::seconds(60), SparkSubmitPath(),
                                 [&](ManagerOptions& o) { o.native_submission = native; });
    rapidjson::Document app = ExampleApp(ns.name(), "metrics");
    SetPath(app, {"spec", "monitoring"},
            rapidjson::Value(Json(R"({"exposeDriverMetrics":true,"exposeExecutorMetrics":true})"), app.GetAllocator()));
    CreateApp(*client, app);
    REQUIRE(Eventually([&] { return PodPhase(*client, ns.name(), "metrics-1-driver") == "Running"; }, kSubmitTimeout));
    // The native builder would have said so in an Event had it left the app to spark-submit.
    CHECK_FALSE(HasEvent(*client, ns.name(), "metrics", "Normal/SparkApplicationSubmittedWithSparkSubmit"));
    const Result<rapidjson::Document> pod = client->Get(kube::resources::kPods, ns.name(), "metrics-1-driver");
    REQUIRE(pod.ok());
    CHECK(GetString(*pod, {"metadata", "annotations", "prometheus.io/scrape"}) == "true");
    CHECK(GetString(*pod, {"metadata", "annotations", "prometheus.io/port"}) == "4040");
    CHECK(GetString(*pod, {"metadata", "annotations", "prometheus.io/path"}) == "/metrics/prometheus");
    CHECK(GetString(*pod, {"metadata", "labels", "spark-operator.k8s.io/metrics"}) == "true");
    CHECK(PodNames(*client, ns.name(), "spark-operator.k8s.io/metrics=true,spark-role=driver") ==
          std::vector<std::string>{"metrics-1-driver"});
    const std::string properties = DriverProperties(*client, ns.name(), "metrics-1-driver");
    CHECK_THAT(properties, Catch::Contains("spark.metrics.conf.*.sink.prometheusServlet.class="
                                           "org.apache.spark.metrics.sink.PrometheusServlet"));
    CHECK_THAT(properties, Catch::Contains("spark.metrics.conf.*.sink.prometheusServlet.path=/metrics/prometheus"));
    CHECK_THAT(properties, Catch::Contains("spark.ui.prometheus.enabled=true"));
    FinishPod(*client, ns.name(), "metrics-1-driver", 0);
    CHECK(Eventually([&] { return State(*client, ns.name(), "metrics") == "COMPLETED"; }));
  }
}

}  // namespace
}  // namespace spark_operator::controller::testing
