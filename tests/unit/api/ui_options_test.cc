// spec.suspend, spec.sparkUIOptions and spec.monitoring: reading and writing, the Ingress address format, the
// metrics.properties text, and what Validate() says about each.
#include <catch2/catch.hpp>
#include <string>

#include "api/ingress_url.h"
#include "api/metrics_properties.h"
#include "api/spark_application.h"
#include "fixtures.h"

namespace spark_operator::api {
namespace {

using testing::Yaml;

std::string AppYaml() { return testing::PiYaml(); }

SparkApplication Load(const std::string& extra_spec) {
  Result<SparkApplication> app = ParseSparkApplication(Yaml(AppYaml() + extra_spec));
  INFO(app.status().ToString());
  REQUIRE(app.ok());
  ApplyDefaults(*app);
  return std::move(*app);
}

std::string Problems(const SparkApplication& app) {
  const Status status = Validate(app);
  REQUIRE_FALSE(status.ok());
  return status.message();
}

TEST_CASE("suspend, sparkUIOptions and monitoring are read and written back, and SUSPENDED is a state") {
  const SparkApplication app = Load(R"(  suspend: true
  sparkUIOptions: {serviceType: NodePort, servicePort: 8080, ingressTLS: [{secretName: t}]}
  monitoring: {exposeExecutorMetrics: true}
)");
  CHECK(app.spec.suspend);
  CHECK(app.spec.spark_ui_options.service_type == UiServiceKind::kNodePort);
  CHECK(app.spec.spark_ui_options.service_port == 8080);
  REQUIRE(app.spec.spark_ui_options.ingress_tls.size() == 1);
  CHECK(app.spec.spark_ui_options.ingress_tls[0].secret_name == "t");
  CHECK_FALSE(app.spec.monitoring.expose_driver_metrics);
  CHECK(app.spec.monitoring.expose_executor_metrics);
  CHECK(Validate(app).ok());
  const Result<SparkApplication> again = ParseSparkApplication(ToJson(app));
  REQUIRE(again.ok());
  CHECK(again->spec == app.spec);

  CHECK(EnumFromName<AppState>("SUSPENDED") == AppState::kSuspended);
  CHECK(EnumName(AppState::kQueued) == "QUEUED");  // The states before it keep their values.
  const Result<SparkApplicationStatus> status = ParseSparkApplicationStatus(
      Yaml(R"({applicationState: {state: SUSPENDED}, driverInfo: {webUIIngressName: pi-ui-ingress,
               webUIIngressAddress: "http://pi.jobs.example.com/"}})"));
  REQUIRE(status.ok());
  CHECK(status->application_state.state == AppState::kSuspended);
  CHECK(status->driver_info.web_ui_ingress_address == "http://pi.jobs.example.com/");
}

TEST_CASE("an unknown serviceType is refused by name, as kubeflow's LoadBalancer is") {
  const Result<SparkApplication> app =
      ParseSparkApplication(Yaml(AppYaml() + "  sparkUIOptions: {serviceType: LoadBalancer}\n"));
  REQUIRE_FALSE(app.ok());
  CHECK_THAT(app.status().message(), Catch::Contains("spec.sparkUIOptions.serviceType"));
  CHECK_THAT(app.status().message(), Catch::Contains("NodePort, ClusterIP"));
}

TEST_CASE("the ingress URL format expands the app's name and namespace into a host and a path") {
  const Result<IngressUrl> host = ExpandIngressUrl("{{$appName}}.{{$appNamespace}}.example.com", "pi", "jobs");
  REQUIRE(host.ok());
  CHECK(host->host == "pi.jobs.example.com");
  CHECK(host->path.empty());
  CHECK(host->scheme.empty());
  CHECK(host->Address("http") == "http://pi.jobs.example.com/");

  const Result<IngressUrl> path = ExpandIngressUrl("https://example.com/{{$appNamespace}}/{{$appName}}/", "pi", "jobs");
  REQUIRE(path.ok());
  CHECK(path->host == "example.com");
  CHECK(path->path == "/jobs/pi");  // The trailing '/' goes.
  CHECK(path->Address("http") == "https://example.com/jobs/pi");
}

TEST_CASE("an ingress URL that cannot be an Ingress's host and path is refused with the reason") {
  const auto why = [](const std::string& format) {
    const Result<IngressUrl> url = ExpandIngressUrl(format, "pi", "jobs");
    REQUIRE_FALSE(url.ok());
    return url.status().message();
  };
  CHECK_THAT(why("example.com:8080/{{$appName}}"), Catch::Contains("no port"));
  CHECK_THAT(why("ftp://example.com"), Catch::Contains("http or https"));
  CHECK_THAT(why("Example.com"), Catch::Contains("lowercase DNS name"));
  CHECK_THAT(why("/{{$appName}}"), Catch::Contains("lowercase DNS name"));
  CHECK_THAT(why("example.com/a b"), Catch::Contains("the path may hold"));
  CHECK_THAT(why("example.com/a//b"), Catch::Contains("empty segment"));
  CHECK_THAT(why("example.com/{{$appName}}?x=1"), Catch::Contains("\"example.com/pi?x=1\""));
}

TEST_CASE("metrics.properties text becomes key and value pairs, comments and blank lines skipped") {
  const auto parsed = ParseMetricsProperties(
      "# a comment\n! another\n\n*.sink.console.period = 10\r\ndriver.source.jvm.class:org.x.JvmSource\n  k=a=b\n");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->size() == 3);
  CHECK((*parsed)[0] == std::pair<std::string, std::string>{"*.sink.console.period", "10"});
  CHECK((*parsed)[1] == std::pair<std::string, std::string>{"driver.source.jvm.class", "org.x.JvmSource"});
  CHECK((*parsed)[2] == std::pair<std::string, std::string>{"k", "a=b"});
  CHECK(ParseMetricsProperties("")->empty());
  CHECK_THAT(ParseMetricsProperties("ok=1\nno separator\n").status().message(),
             Catch::Contains("line 2 (\"no separator\"): expected key=value"));
  CHECK_THAT(ParseMetricsProperties("a=b \\\n  c\n").status().message(), Catch::Contains("continuations"));
  CHECK_THAT(ParseMetricsProperties("a b=c\n").status().message(), Catch::Contains("the key has a space"));
}

TEST_CASE("Validate names each wrong UI, ingress and monitoring value by its path") {
  const std::string message = Problems(Load(R"(  sparkUIOptions:
    servicePort: 70000
    servicePortName: Not_A_Label
    serviceLabels: {"bad key!": x}
    ingressURLFormat: "{{$appName}}.example.com:443"
    ingressClassName: "Bad Class"
    ingressTLS: [{hosts: ["*.example.com", "UPPER.example.com"], secretName: "no/slash"}]
  monitoring: {metricsProperties: "just words"}
)"));
  CHECK_THAT(message, Catch::Contains("spec.sparkUIOptions.servicePort: must be at most 65535"));
  CHECK_THAT(message, Catch::Contains("spec.sparkUIOptions.servicePortName"));
  CHECK_THAT(message, Catch::Contains("spec.sparkUIOptions.serviceLabels"));
  CHECK_THAT(message, Catch::Contains("spec.sparkUIOptions.ingressURLFormat: ingress URL \"pi.example.com:443\""));
  CHECK_THAT(message, Catch::Contains("spec.sparkUIOptions.ingressClassName"));
  CHECK_THAT(message, Catch::Contains("spec.sparkUIOptions.ingressTLS[0].hosts: \"UPPER.example.com\""));
  CHECK_THAT(message, Catch::Contains("spec.sparkUIOptions.ingressTLS[0].secretName"));
  CHECK_THAT(message, Catch::Contains("spec.monitoring.metricsProperties: line 1"));
  CHECK(message.find("\"*.example.com\"") == std::string::npos);  // A wildcard first label is a valid TLS host.
}

TEST_CASE("suspend cannot hold an application the user submits") {
  CHECK_THAT(Problems(Load("  suspend: true\n  submissionByUser: true\n")),
             Catch::Contains("spec.suspend: the operator does not submit an application with submissionByUser"));
  CHECK(Validate(Load("  suspend: true\n")).ok());
}

}  // namespace
}  // namespace spark_operator::api
