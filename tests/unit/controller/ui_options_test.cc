// spec.sparkUIOptions and spec.monitoring as the user sees them: the UI Service and Ingress objects, the address
// in the status, and the settings, labels and annotations the driver gets, through spark-submit's command line
// and through the native builder (which must build them without falling back to spark-submit).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/base/json.h"
#include "controller/native/native_submit.h"
#include "controller/submit/submission.h"
#include "controller/ui_ingress.h"
#include "controller/ui_service.h"
#include "tests/support/spark_app.h"
#include "tests/support/submit_args.h"

namespace spark_operator::controller {
namespace {

using testing::Conf;

std::string AppYaml() { return testing::PiYaml("", "{name: pi, namespace: jobs, uid: u-1}"); }

api::SparkApplication Load(const std::string& extra_spec) { return testing::LoadApp(AppYaml() + extra_spec); }

rapidjson::Document AppObject() {
  Result<rapidjson::Document> app = ParseJson(R"({"apiVersion":"spark-operator.k8s.io/v1alpha1",
      "kind":"SparkApplication","metadata":{"name":"pi","namespace":"jobs","uid":"u-1"}})");
  REQUIRE(app.ok());
  return std::move(*app);
}

std::vector<std::string> Argv(const api::SparkApplication& app, const std::string& ingress_format = "") {
  SubmissionContext context{"/opt/spark/bin/spark-submit", "k8s://https://10.0.0.1:6443", 1, {}};
  context.ingress_url_format = ingress_format;
  Result<std::vector<std::string>> argv = BuildSubmitArgs(app, context);
  INFO(argv.status().ToString());
  REQUIRE(argv.ok());
  return std::move(*argv);
}

TEST_CASE("sparkUIOptions shape the UI Service: type, port, port name, labels and annotations") {
  const api::SparkApplication app = Load(R"(  sparkConf: {spark.ui.port: "4041"}
  sparkUIOptions:
    serviceType: ClusterIP
    servicePort: 80
    servicePortName: http
    serviceLabels: {expose: ui, spark-operator.k8s.io/app-name: taken}
    serviceAnnotations: {example.com/note: hi}
)");
  const UiPlan plan = PlanUi(app, {UiServiceType::kNodePort, "", ""});
  CHECK(plan.type == UiServiceType::kClusterIP);  // The app's type wins over the flag.
  const rapidjson::Document svc = BuildUiService(AppObject(), 2, plan);
  CHECK(GetString(svc, {"spec", "type"}) == "ClusterIP");
  const rapidjson::Value& port = svc["spec"]["ports"][0];
  CHECK(GetInt(port, {"port"}) == 80);
  CHECK(GetInt(port, {"targetPort"}) == 4041);
  CHECK(GetString(port, {"name"}) == "http");
  CHECK(GetString(svc, {"metadata", "labels", "expose"}) == "ui");
  CHECK(GetString(svc, {"metadata", "labels", "spark-operator.k8s.io/app-name"}) == "pi");  // Ours: it finds it.
  CHECK(GetString(svc, {"metadata", "annotations", "example.com/note"}) == "hi");
  CHECK(GetString(svc, {"spec", "selector", "spark-operator.k8s.io/submission-attempt"}) == "2");

  // Without options, the flag decides, and None stays None unless an Ingress needs a Service.
  CHECK(PlanUi(Load(""), {UiServiceType::kNone, "", ""}).type == UiServiceType::kNone);
  const UiPlan ingress_only = PlanUi(Load(""), {UiServiceType::kNone, "{{$appName}}.example.com", ""});
  CHECK(ingress_only.type == UiServiceType::kClusterIP);
  CHECK(ingress_only.service_port == 4040);
  CHECK(PlanUi(Load("  sparkUIOptions: {serviceType: NodePort}\n"), {UiServiceType::kNone, "", ""}).type ==
        UiServiceType::kNodePort);
}

TEST_CASE("a host-based Ingress routes / of the app's host to the UI Service, with class, TLS and annotations") {
  const api::SparkApplication app = Load(R"(  sparkUIOptions:
    servicePort: 80
    ingressAnnotations: {example.com/auth: sso}
    ingressTLS: [{hosts: [pi.jobs.example.com], secretName: ui-tls}]
)");
  const UiPlan plan = PlanUi(app, {UiServiceType::kNodePort, "{{$appName}}.{{$appNamespace}}.example.com", "nginx"});
  REQUIRE(plan.ingress);
  const rapidjson::Document ing = BuildUiIngress(AppObject(), plan);
  CHECK(GetString(ing, {"apiVersion"}) == "networking.k8s.io/v1");
  CHECK(GetString(ing, {"kind"}) == "Ingress");
  CHECK(NameOf(ing) == "pi-ui-ingress");
  CHECK(NamespaceOf(ing) == "jobs");
  CHECK(GetString(ing, {"spec", "ingressClassName"}) == "nginx");
  const rapidjson::Value& rule = ing["spec"]["rules"][0];
  CHECK(GetString(rule, {"host"}) == "pi.jobs.example.com");
  const rapidjson::Value& path = rule["http"]["paths"][0];
  CHECK(GetString(path, {"path"}) == "/");
  CHECK(GetString(path, {"pathType"}) == "Prefix");
  CHECK(GetString(path, {"backend", "service", "name"}) == "pi-ui-svc");
  CHECK(GetInt(path, {"backend", "service", "port", "number"}) == 80);
  CHECK(ToJson(ing["spec"]["tls"]) == R"([{"hosts":["pi.jobs.example.com"],"secretName":"ui-tls"}])");
  CHECK(GetString(ing, {"metadata", "annotations", "example.com/auth"}) == "sso");
  CHECK(FindPath(ing, {"metadata", "annotations", "nginx.ingress.kubernetes.io/rewrite-target"}) == nullptr);
  const rapidjson::Value& owner = ing["metadata"]["ownerReferences"][0];
  CHECK(GetString(owner, {"kind"}) == "SparkApplication");
  CHECK(GetString(owner, {"uid"}) == "u-1");
  CHECK(UiIngressAddress(plan) == "https://pi.jobs.example.com/");  // TLS covers the host.

  // The app's format and class win over the flags; without TLS the address is http.
  const UiPlan own = PlanUi(Load("  sparkUIOptions: {ingressURLFormat: \"ui-{{$appName}}.example.org\", "
                                 "ingressClassName: traefik}\n"),
                            {UiServiceType::kNodePort, "{{$appName}}.example.com", "nginx"});
  REQUIRE(own.ingress);
  CHECK(own.ingress->host == "ui-pi.example.org");
  CHECK(own.ingress_class == "traefik");
  CHECK(UiIngressAddress(own) == "http://ui-pi.example.org/");
  CHECK_FALSE(PlanUi(Load(""), {UiServiceType::kNodePort, "", ""}).ingress);
}

TEST_CASE("a path-based Ingress strips the path for the UI, which gets it as spark.ui.proxyBase") {
  const std::string format = "example.com/{{$appNamespace}}/{{$appName}}";
  const api::SparkApplication app = Load("");
  const UiPlan plan = PlanUi(app, {UiServiceType::kNodePort, format, ""});
  const rapidjson::Document ing = BuildUiIngress(AppObject(), plan);
  const rapidjson::Value& path = ing["spec"]["rules"][0]["http"]["paths"][0];
  CHECK(GetString(ing["spec"]["rules"][0], {"host"}) == "example.com");
  CHECK(GetString(path, {"path"}) == "/jobs/pi(/|$)(.*)");
  CHECK(GetString(path, {"pathType"}) == "ImplementationSpecific");
  CHECK(GetString(ing, {"metadata", "annotations", "nginx.ingress.kubernetes.io/rewrite-target"}) == "/$2");
  CHECK_FALSE(ing["spec"].HasMember("ingressClassName"));
  CHECK_FALSE(ing["spec"].HasMember("tls"));
  CHECK(UiIngressAddress(plan) == "http://example.com/jobs/pi");

  const auto argv = Argv(app, format);
  CHECK(Conf(argv, "spark.ui.proxyBase") == "/jobs/pi");
  CHECK(Conf(argv, "spark.ui.proxyRedirectUri") == "/");
  // A host-based address needs no proxy base; nor does an app without an Ingress.
  CHECK(Conf(Argv(app, "{{$appName}}.example.com"), "spark.ui.proxyBase") == "<missing>");
  CHECK(Conf(Argv(app), "spark.ui.proxyBase") == "<missing>");
  // The user's own rewrite annotation (another ingress controller's way) wins.
  const api::SparkApplication own =
      Load("  sparkUIOptions: {ingressAnnotations: {nginx.ingress.kubernetes.io/rewrite-target: /x}}\n");
  CHECK(GetString(BuildUiIngress(AppObject(), PlanUi(own, {UiServiceType::kNodePort, format, ""})),
                  {"metadata", "annotations", "nginx.ingress.kubernetes.io/rewrite-target"}) == "/x");
}

TEST_CASE("monitoring turns on Spark's Prometheus servlet and executor endpoint and marks the driver for scraping") {
  const api::SparkApplication app = Load(R"(  sparkConf: {spark.ui.port: "4045"}
  monitoring:
    exposeDriverMetrics: true
    exposeExecutorMetrics: true
    metricsProperties: "driver.source.jvm.class=org.apache.spark.metrics.source.JvmSource\n# c\n"
    metricsPropertiesFile: /etc/metrics/metrics.properties
)");
  const auto argv = Argv(app);
  CHECK(Conf(argv, "spark.metrics.conf.*.sink.prometheusServlet.class") ==
        "org.apache.spark.metrics.sink.PrometheusServlet");
  CHECK(Conf(argv, "spark.metrics.conf.*.sink.prometheusServlet.path") == "/metrics/prometheus");
  CHECK(Conf(argv, "spark.ui.prometheus.enabled") == "true");
  CHECK(Conf(argv, "spark.metrics.conf.driver.source.jvm.class") == "org.apache.spark.metrics.source.JvmSource");
  CHECK(Conf(argv, "spark.metrics.conf") == "/etc/metrics/metrics.properties");
  CHECK(Conf(argv, "spark.kubernetes.driver.annotation.prometheus.io/scrape") == "true");
  CHECK(Conf(argv, "spark.kubernetes.driver.annotation.prometheus.io/port") == "4045");
  CHECK(Conf(argv, "spark.kubernetes.driver.annotation.prometheus.io/path") == "/metrics/prometheus");
  CHECK(Conf(argv, "spark.kubernetes.driver.label.spark-operator.k8s.io/metrics") == "true");
  // Executors serve nothing themselves: they are not marked.
  CHECK(Conf(argv, "spark.kubernetes.executor.label.spark-operator.k8s.io/metrics") == "<missing>");
  CHECK(Conf(argv, "spark.kubernetes.executor.annotation.prometheus.io/scrape") == "<missing>");

  // Executor metrics alone: the path is theirs. Nothing asked: nothing set.
  const auto executors = Argv(Load("  monitoring: {exposeExecutorMetrics: true}\n"));
  CHECK(Conf(executors, "spark.kubernetes.driver.annotation.prometheus.io/path") == "/metrics/executors/prometheus");
  CHECK(Conf(executors, "spark.metrics.conf.*.sink.prometheusServlet.class") == "<missing>");
  const auto none = Argv(Load(""));
  CHECK(Conf(none, "spark.ui.prometheus.enabled") == "<missing>");
  CHECK(Conf(none, "spark.kubernetes.driver.annotation.prometheus.io/scrape") == "<missing>");
  // The user's own driver annotation wins.
  const auto own =
      Argv(Load("  driver: {annotations: {prometheus.io/scrape: \"false\"}}\n"
                "  monitoring: {exposeDriverMetrics: true}\n"));
  CHECK(Conf(own, "spark.kubernetes.driver.annotation.prometheus.io/scrape") == "false");
}

TEST_CASE("the native builder builds monitored, proxied drivers itself, the settings in spark.properties") {
  const api::SparkApplication app = Load(R"(  monitoring: {exposeDriverMetrics: true, exposeExecutorMetrics: true}
  sparkUIOptions: {ingressURLFormat: "example.com/{{$appName}}"}
)");
  const Result<native::NativePlan> plan =
      native::PlanNativeSubmission(Argv(app), {}, native::IdentityFor("u-1", 1, 1700000000000));
  REQUIRE(plan.ok());
  CHECK(plan->unsupported.empty());
  const rapidjson::Document& pod = plan->objects.pod;
  CHECK(GetString(pod, {"metadata", "annotations", "prometheus.io/scrape"}) == "true");
  CHECK(GetString(pod, {"metadata", "annotations", "prometheus.io/port"}) == "4040");
  CHECK(GetString(pod, {"metadata", "annotations", "prometheus.io/path"}) == "/metrics/prometheus");
  CHECK(GetString(pod, {"metadata", "labels", "spark-operator.k8s.io/metrics"}) == "true");
  const rapidjson::Value* data = FindPath(plan->objects.config_map, {"data"});
  REQUIRE(data != nullptr);
  std::string properties;
  for (const auto& m : data->GetObject()) properties += m.value.GetString();
  CHECK_THAT(properties, Catch::Contains("spark.ui.prometheus.enabled=true"));
  CHECK_THAT(properties,
             Catch::Contains("sink.prometheusServlet.class=org.apache.spark.metrics.sink.PrometheusServlet"));
  CHECK_THAT(properties, Catch::Contains("spark.ui.proxyBase=/pi"));
}

}  // namespace
}  // namespace spark_operator::controller
