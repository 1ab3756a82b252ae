#include "initializer/mutator.h"

#include <catch2/catch.hpp>

#include "common/base/json.h"
#include "tests/unit/initializer/json_patch.h"

namespace spark_operator::initializer {
namespace {

rapidjson::Document Parse(const std::string& text) {
  Result<rapidjson::Document> doc = ParseJson(text);
  REQUIRE(doc.ok());
  return std::move(doc).value();
}

Decision Run(const std::string& pod, InvalidAnnotationPolicy policy = InvalidAnnotationPolicy::kDeny,
             const ObjectChecker* checker = nullptr) {
  const Mutator mutator({policy}, checker);
  return mutator.Mutate(Parse(pod), "spark");
}

// Mutates `pod`, applies the patch, and returns the resulting pod.
rapidjson::Document Applied(const std::string& pod, Decision* out = nullptr) {
  const Decision decision = Run(pod);
  REQUIRE(decision.allowed);
  rapidjson::Document doc = Parse(pod);
  if (!decision.patch.empty()) {
    const Status s = testing::ApplyJsonPatch(doc, decision.patch);
    INFO(decision.patch);
    REQUIRE(s.ok());
  }
  if (out != nullptr) *out = decision;
  return doc;
}

void RequireSame(const rapidjson::Value& got, const std::string& want) {
  INFO("got:  " << ToJson(got) << "\nwant: " << want);
  REQUIRE(got == Parse(want));
}

std::string DriverPod(const std::string& annotations) {
  // Appends rather than std::string::replace, which trips GCC 12's -Wrestrict false positive.
  std::string pod = R"({"metadata":{"name":"d","annotations":{)";
  pod.append(annotations).append(R"(}},
  "spec":{"containers":[{"name":"spark-kubernetes-driver","image":"spark"}]}})");
  return pod;
}

std::string DriverPodWith(const std::string& annotations, const std::string& volumes, const std::string& container) {
  // Appends rather than operator+ chains, which trip GCC 12's -Wrestrict false positive.
  std::string pod = R"({"metadata":{"name":"d","annotations":{)";
  pod.append(annotations).append(R"(}},"spec":{)").append(volumes);
  pod.append(R"("containers":[{"name":"spark-kubernetes-driver","image":"spark")").append(container).append("}]}}");
  return pod;
}

class FakeChecker : public ObjectChecker {
 public:
  Status Check(ObjectKind kind, const std::string& ns, const std::string& name, CheckDeadline) const override {
    if (name == "missing") return NotFoundError("not found");
    if (name == "broken") return UnavailableError("connection refused");
    checked.push_back(std::string(ObjectKindName(kind)) + " " + ns + "/" + name);
    return OkStatus();
  }
  mutable std::vector<std::string> checked;
};

TEST_CASE("a pod without our annotations is allowed unchanged") {
  const Decision d = Run(R"({"metadata":{"name":"p","annotations":{"other.io/x":"y"}},"spec":{"containers":[{}]}})");
  CHECK(d.allowed);
  CHECK(d.patch.empty());
  CHECK(d.warnings.empty());
  CHECK(Run(R"({"metadata":{"name":"p"},"spec":{}})").patch.empty());
}

TEST_CASE("sparkConfigMap mounts the ConfigMap at /etc/spark/conf and sets SPARK_CONF_DIR") {
  const auto pod = Applied(DriverPod(R"("spark-operator.k8s.io/sparkConfigMap":"my-spark-conf")"));
  RequireSame(pod["spec"], R"({"volumes":[{"name":"spark-configmap-volume","configMap":{"name":"my-spark-conf"}}],
    "containers":[{"name":"spark-kubernetes-driver","image":"spark",
      "volumeMounts":[{"name":"spark-configmap-volume","mountPath":"/etc/spark/conf","readOnly":true}],
      "env":[{"name":"SPARK_CONF_DIR","value":"/etc/spark/conf"}]}]})");
}

TEST_CASE("hadoopConfigMap mounts at /etc/hadoop/conf and sets HADOOP_CONF_DIR") {
  const auto pod = Applied(DriverPod(R"("spark-operator.k8s.io/hadoopConfigMap":"hadoop")"));
  RequireSame(pod["spec"], R"({"volumes":[{"name":"hadoop-configmap-volume","configMap":{"name":"hadoop"}}],
    "containers":[{"name":"spark-kubernetes-driver","image":"spark",
      "volumeMounts":[{"name":"hadoop-configmap-volume","mountPath":"/etc/hadoop/conf","readOnly":true}],
      "env":[{"name":"HADOOP_CONF_DIR","value":"/etc/hadoop/conf"}]}]})");
}

TEST_CASE("configMap.<name> mounts that ConfigMap at the given path") {
  const auto pod = Applied(DriverPod(R"("spark-operator.k8s.io/configMap.extra":"/opt/extra/")"));
  RequireSame(pod["spec"], R"({"volumes":[{"name":"extra-configmap-vol","configMap":{"name":"extra"}}],
    "containers":[{"name":"spark-kubernetes-driver","image":"spark",
      "volumeMounts":[{"name":"extra-configmap-vol","mountPath":"/opt/extra","readOnly":true}]}]})");
}

TEST_CASE("secret.<name> mounts that Secret at the given path") {
  const auto pod = Applied(DriverPod(R"("spark-operator.k8s.io/secret.db-creds":"/mnt/secrets/db")"));
  RequireSame(pod["spec"], R"({"volumes":[{"name":"db-creds-secret-vol","secret":{"secretName":"db-creds"}}],
    "containers":[{"name":"spark-kubernetes-driver","image":"spark",
      "volumeMounts":[{"name":"db-creds-secret-vol","mountPath":"/mnt/secrets/db","readOnly":true}]}]})");
}

TEST_CASE("GCPServiceAccount.<name> mounts the key Secret and sets GOOGLE_APPLICATION_CREDENTIALS") {
  const auto pod = Applied(DriverPod(R"("spark-operator.k8s.io/GCPServiceAccount.gcp-sa":"/mnt/gcp")"));
  RequireSame(pod["spec"], R"({"volumes":[{"name":"gcp-sa-gcp-sa-vol","secret":{"secretName":"gcp-sa"}}],
    "containers":[{"name":"spark-kubernetes-driver","image":"spark",
      "volumeMounts":[{"name":"gcp-sa-gcp-sa-vol","mountPath":"/mnt/gcp","readOnly":true}],
      "env":[{"name":"GOOGLE_APPLICATION_CREDENTIALS","value":"/mnt/gcp/key.json"}]}]})");
}

TEST_CASE("all annotations together on a pod with existing volumes, mounts and env append to them") {
  const std::string annotations = R"("spark-operator.k8s.io/sparkConfigMap":"sc",
    "spark-operator.k8s.io/hadoopConfigMap":"hc","spark-operator.k8s.io/configMap.c1":"/c1",
    "spark-operator.k8s.io/secret.s1":"/s1","spark-operator.k8s.io/GCPServiceAccount.g":"/g")";
  const std::string pod = DriverPodWith(annotations, R"("volumes":[{"name":"data","emptyDir":{}}],)",
                                        R"(,"volumeMounts":[{"name":"data","mountPath":"/data"}],
                                           "env":[{"name":"A","value":"1"}])");
  Decision d;
  const auto result = Applied(pod, &d);
  CHECK(d.warnings.empty());
  RequireSame(result["spec"], R"({"volumes":[{"name":"data","emptyDir":{}},
      {"name":"g-gcp-sa-vol","secret":{"secretName":"g"}},
      {"name":"c1-configmap-vol","configMap":{"name":"c1"}},
      {"name":"hadoop-configmap-volume","configMap":{"name":"hc"}},
      {"name":"s1-secret-vol","secret":{"secretName":"s1"}},
      {"name":"spark-configmap-volume","configMap":{"name":"sc"}}],
    "containers":[{"name":"spark-kubernetes-driver","image":"spark",
      "volumeMounts":[{"name":"data","mountPath":"/data"},
        {"name":"g-gcp-sa-vol","mountPath":"/g","readOnly":true},
        {"name":"c1-configmap-vol","mountPath":"/c1","readOnly":true},
        {"name":"hadoop-configmap-volume","mountPath":"/etc/hadoop/conf","readOnly":true},
        {"name":"s1-secret-vol","mountPath":"/s1","readOnly":true},
        {"name":"spark-configmap-volume","mountPath":"/etc/spark/conf","readOnly":true}],
      "env":[{"name":"A","value":"1"},{"name":"GOOGLE_APPLICATION_CREDENTIALS","value":"/g/key.json"},
        {"name":"HADOOP_CONF_DIR","value":"/etc/hadoop/conf"},{"name":"SPARK_CONF_DIR","value":"/etc/spark/conf"}]}]})");
  // Every array existed: the patch only appends.
  CHECK(d.patch.find("\"path\":\"/spec/volumes\"") == std::string::npos);
}

TEST_CASE("mutating an already-mutated pod gives no patch") {
  const std::string annotations = R"("spark-operator.k8s.io/sparkConfigMap":"sc",
    "spark-operator.k8s.io/secret.s1":"/s1","spark-operator.k8s.io/GCPServiceAccount.g":"/g/")";
  for (const std::string& pod : {DriverPod(annotations), DriverPodWith(annotations, R"("volumes":[],)", "")}) {
    const auto once = Applied(pod);
    const Decision again = Run(ToJson(once));
    CHECK(again.allowed);
    CHECK(again.patch.empty());
    CHECK(again.warnings.empty());
  }
}

TEST_CASE("the executor container is chosen among several containers, else the first") {
  const std::string pod = R"({"metadata":{"annotations":{"spark-operator.k8s.io/secret.s":"/s"}},"spec":{
    "containers":[{"name":"sidecar"},{"name":"spark-kubernetes-executor","volumeMounts":[]}]}})";
  const auto result = Applied(pod);
  RequireSame(result["spec"]["containers"], R"([{"name":"sidecar"},{"name":"spark-kubernetes-executor",
    "volumeMounts":[{"name":"s-secret-vol","mountPath":"/s","readOnly":true}]}])");
  const std::string other = R"({"metadata":{"annotations":{"spark-operator.k8s.io/secret.s":"/s"}},"spec":{
    "containers":[{"name":"main"},{"name":"sidecar"}]}})";
  const Decision d = Run(other);
  CHECK(d.patch.find("/spec/containers/0/volumeMounts") != std::string::npos);
  CHECK(d.patch.find("/spec/containers/1") == std::string::npos);
}

TEST_CASE("an env var the pod already sets is not overwritten") {
  Decision d;
  const auto result = Applied(DriverPodWith(R"("spark-operator.k8s.io/sparkConfigMap":"sc")", "",
                                            R"(,"env":[{"name":"SPARK_CONF_DIR","value":"/mine"}])"),
                              &d);
  RequireSame(result["spec"]["containers"][0]["env"], R"([{"name":"SPARK_CONF_DIR","value":"/mine"}])");
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::Contains("SPARK_CONF_DIR is already set"));
}

TEST_CASE("spark-submit's own SPARK_CONF_DIR gives way to the sparkConfigMap annotation") {
  Decision d;
  const auto result =
      Applied(DriverPodWith(
                  R"("spark-operator.k8s.io/sparkConfigMap":"sc")", "",
                  R"(,"env":[{"name":"SPARK_USER","value":"u"},{"name":"SPARK_CONF_DIR","value":"/opt/spark/conf"}])"),
              &d);
  RequireSame(result["spec"]["containers"][0]["env"],
              R"([{"name":"SPARK_USER","value":"u"},{"name":"SPARK_CONF_DIR","value":"/etc/spark/conf"}])");
  CHECK(d.warnings.empty());
}

TEST_CASE("bad annotations are denied with a message naming the annotation") {
  struct Case {
    std::string annotation;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"("spark-operator.k8s.io/configMap.my-conf":"conf")",
       R"(spark-operator.k8s.io/configMap.my-conf: mount path "conf" must be absolute)"},
      {R"("spark-operator.k8s.io/secret.s":"/a/../etc")", R"(must not contain "." or "..")"},
      {R"("spark-operator.k8s.io/secret.s":"/")", R"(mount path "/" is reserved)"},
      {R"("spark-operator.k8s.io/secret.s":"/etc")", R"(mount path "/etc" is reserved)"},
      {R"("spark-operator.k8s.io/secret.s":"/proc/x")", "reserved (under /proc)"},
      {R"("spark-operator.k8s.io/secret.s":"/sys")", "reserved (under /sys)"},
      {R"("spark-operator.k8s.io/secret.s":"/dev/shm")", "reserved (under /dev)"},
      {R"("spark-operator.k8s.io/secret.s":"/var/run/secrets/kubernetes.io/serviceaccount")",
       "reserved (under /var/run/secrets/kubernetes.io)"},
      {R"("spark-operator.k8s.io/secret.s":"")", "mount path is empty"},
      {R"("spark-operator.k8s.io/secret.Bad_Name":"/x")",
       R"(spark-operator.k8s.io/secret.Bad_Name: Secret name "Bad_Name" (from the annotation key) is not a valid)"},
      {R"("spark-operator.k8s.io/configMap.":"/x")", R"(ConfigMap name "")"},
      {R"("spark-operator.k8s.io/sparkConfigMap":"-x")", R"(ConfigMap name "-x" (from the annotation value))"},
      {R"("spark-operator.k8s.io/GCPServiceAccount.a..b":"/x")", R"(Secret name "a..b")"},
      {R"("spark-operator.k8s.io/secret.s":"/conf","spark-operator.k8s.io/configMap.c":"/conf/")",
       R"(spark-operator.k8s.io/secret.s: mount path "/conf" is already used by spark-operator.k8s.io/configMap.c)"},
      {R"("spark-operator.k8s.io/sparkConfigMap":"a","spark-operator.k8s.io/configMap.b":"/etc/spark/conf")",
       R"(spark-operator.k8s.io/sparkConfigMap: mount path "/etc/spark/conf" is already used by)"},
      {R"("spark-operator.k8s.io/secret.s":1)", "spark-operator.k8s.io/secret.s: value must be a string"},
  };
  for (const Case& c : cases) {
    INFO(c.annotation);
    const Decision d = Run(DriverPod(c.annotation));
    CHECK_FALSE(d.allowed);
    CHECK_THAT(d.message, Catch::Contains(c.message));
    CHECK(d.patch.empty());
  }
}

TEST_CASE("clashes with what the pod already has are denied") {
  const Decision volume = Run(DriverPodWith(R"("spark-operator.k8s.io/sparkConfigMap":"sc")",
                                            R"("volumes":[{"name":"spark-configmap-volume","emptyDir":{}}],)", ""));
  CHECK_FALSE(volume.allowed);
  CHECK_THAT(volume.message, Catch::Contains(R"(already has a volume "spark-configmap-volume")"));
  const Decision mount = Run(DriverPodWith(R"("spark-operator.k8s.io/secret.s":"/data")", "",
                                           R"(,"volumeMounts":[{"name":"data","mountPath":"/data/"}])"));
  CHECK_FALSE(mount.allowed);
  CHECK_THAT(mount.message, Catch::Contains(R"(already mounts volume "data" at "/data")"));
}

TEST_CASE("with the warn policy, bad annotations are skipped with a warning and good ones applied") {
  const Decision d = Run(DriverPod(R"("spark-operator.k8s.io/secret.s":"rel","spark-operator.k8s.io/secret.t":"/t")"),
                         InvalidAnnotationPolicy::kWarn);
  CHECK(d.allowed);
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::Contains("spark-operator.k8s.io/secret.s: mount path \"rel\" must be absolute"));
  CHECK(d.patch.find("t-secret-vol") != std::string::npos);
  CHECK(d.patch.find("s-secret-vol") == std::string::npos);
}

TEST_CASE("unknown spark-operator annotations only warn") {
  const Decision d = Run(DriverPod(R"("spark-operator.k8s.io/configmap.x":"/x")"));
  CHECK(d.allowed);
  CHECK(d.patch.empty());
  REQUIRE(d.warnings.size() == 1);
  CHECK_THAT(d.warnings[0], Catch::Contains("unknown spark-operator annotation"));
}

TEST_CASE("missing ConfigMaps and Secrets give warnings, the mount still happens") {
  FakeChecker checker;
  const Decision d = Run(DriverPod(R"("spark-operator.k8s.io/sparkConfigMap":"missing",
    "spark-operator.k8s.io/secret.broken":"/b","spark-operator.k8s.io/secret.ok":"/ok")"),
                         InvalidAnnotationPolicy::kDeny, &checker);
  CHECK(d.allowed);
  REQUIRE(d.warnings.size() == 2);
  CHECK_THAT(d.warnings[0], Catch::Contains("could not check Secret \"spark/broken\""));
  CHECK_THAT(d.warnings[1], Catch::Contains("ConfigMap \"spark/missing\" not found"));
  CHECK(checker.checked == std::vector<std::string>{"Secret spark/ok"});
  CHECK(d.patch.find("spark-configmap-volume") != std::string::npos);
}

TEST_CASE("the invalid annotation policy flag parses deny and warn only") {
  CHECK(*ParseInvalidAnnotationPolicy("deny") == InvalidAnnotationPolicy::kDeny);
  CHECK(*ParseInvalidAnnotationPolicy("warn") == InvalidAnnotationPolicy::kWarn);
  CHECK_FALSE(ParseInvalidAnnotationPolicy("allow").ok());
}

}  // namespace
}  // namespace spark_operator::initializer
