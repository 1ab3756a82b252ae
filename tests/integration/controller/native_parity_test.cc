// Native submission builds what spark-submit builds. For every SparkApplication in the table, the controller's
// spark-submit command line is run twice against the local API server: by the real spark-submit (Apache Spark's
// jars from Maven Central, tools/spark/fetch.sh) in one namespace, and by the native builder in another. The
// stored driver pod, conf map, driver Service and NetworkPolicy must then be equal, after normalising only:
//  - what the API server assigns (uid, resourceVersion, timestamps, managed fields, status, nodeName) and the
//    names of the two namespaces;
//  - what spark-submit draws at random (the app id, the 16-hex-digit name suffixes, the local directory's UUID,
//    the submit time and the date comment in spark.properties);
//  - spark.kubernetes.authenticate.submission.* and the driver template's path in spark.properties: how the
//    submitter reached the API server and where its own copy of the template was; the native builder writes
//    neither;
//  - the order of env, volumes and volume mounts, of which Spark's depends on hash maps;
//  - the order of the lines in spark.properties (java.util.Properties is a hash table).
#include <catch2/catch.hpp>
#include <future>
#include <regex>
#include <set>

#include "api/spark_application.h"
#include "common/base/file.h"
#include "common/base/strings.h"
#include "controller/driver_pod.h"
#include "controller/native/native_submit.h"
#include "controller/submit/process.h"
#include "controller/submit/submission.h"
#include "controller/submit/submit_auth.h"
#include "tests/integration/harness.h"

namespace spark_operator::controller::testing {
namespace {

struct ParityCase {
  std::string name;
  std::string spec;  // YAML lines under spec:, indented by two spaces, added to the base.
};

const std::string kBaseSpec =
    "  type: Scala\n  mode: cluster\n  mainClass: org.apache.spark.examples.SparkPi\n"
    "  mainApplicationFile: local:///opt/spark/examples/jars/spark-examples.jar\n  image: apache/spark:4.2.0\n";

const std::string kPythonSpec =
    "  type: Python\n  mode: cluster\n  mainApplicationFile: local:///opt/spark/examples/src/main/python/pi.py\n"
    "  image: apache/spark-py:4.2.0\n";

// Every spec field the submission reads, and every Spark setting the native builder implements.
std::vector<ParityCase> Cases() {
  return {
      {"minimal", kBaseSpec},
      {"arguments", kBaseSpec + "  arguments: [\"100\", \"a b\", \"--flag=x:y\"]\n"},
      {"fractional-cores-and-limit", kBaseSpec + "  driver:\n    cores: 0.5\n    coreLimit: 1200m\n"},
      {"cores-memory-overhead", kBaseSpec + "  driver:\n    cores: 2\n    memory: 2g\n    memoryOverhead: 512m\n"},
      {"kubernetes-memory-form", kBaseSpec + "  driver:\n    memory: 1500Mi\n"},
      {"executor-fields", kBaseSpec +
                              "  executor:\n    instances: 3\n    cores: 2\n    memory: 3g\n    memoryOverhead: 1g\n"
                              "    image: exec:1\n    labels: {tier: exec}\n    annotations: {note: exec}\n"
                              "    nodeSelector: {pool: exec}\n    env: [{name: E, value: \"1\"}]\n"
                              "    secrets: [{name: exec-secret, path: /etc/exec}]\n"},
      {"driver-image", kBaseSpec + "  driver:\n    image: my/driver:1\n"},
      {"pull-policy-and-secrets", kBaseSpec + "  imagePullPolicy: Always\n  imagePullSecrets: [regcred, other]\n"},
      {"node-selectors", kBaseSpec + "  nodeSelector: {disk: ssd}\n  driver:\n    nodeSelector: {zone: z1}\n"},
      {"driver-labels", kBaseSpec + "  driver:\n    labels: {team: data, tier: batch}\n"},
      {"driver-annotations",
       kBaseSpec + "  driver:\n    annotations: {note: hello, id: \"app-{{APP_ID}}\", url: \"http://x:1/a?b=c\"}\n"},
      {"driver-env", kBaseSpec + "  driver:\n    env: [{name: FOO, value: bar}, {name: EMPTY, value: \"\"}]\n"},
      {"driver-secrets",
       kBaseSpec +
           "  driver:\n    secrets: [{name: s1, path: /etc/s1}, {name: s2, path: /mnt/s2, secretType: Generic}]\n"},
      {"gcp-secret",
       kBaseSpec + "  driver:\n    secrets: [{name: gcp, path: /etc/gcp, secretType: GCPServiceAccount}]\n"},
      {"config-maps", kBaseSpec + "  driver:\n    configMaps: [{name: cm1, path: /etc/cm1}]\n"},
      {"service-account", kBaseSpec + "  driver:\n    serviceAccount: parity-sa\n"},
      {"jars-and-files", kBaseSpec + "  deps:\n    jars: [\"local:///opt/a.jar\", \"https://repo.example/b.jar\"]\n"
                                     "    files: [\"https://files.example/f.txt\"]\n"},
      {"python-with-py-files",
       kPythonSpec + "  deps:\n    pyFiles: [\"local:///opt/dep.py\"]\n  arguments: [\"10\"]\n"},
      {"python-minimal", kPythonSpec},
      {"python-with-jars", kPythonSpec + "  deps:\n    jars: [\"local:///opt/a.jar\"]\n"},
      {"hadoop-conf", kBaseSpec + "  hadoopConf: {fs.defaultFS: \"hdfs://nn:8020\", dfs.replication: \"2\"}\n"},
      {"ports", kBaseSpec + "  sparkConf: {spark.ui.port: \"4041\", spark.driver.port: \"7100\", "
                            "spark.driver.blockManager.port: \"7200\"}\n"},
      {"block-manager-port", kBaseSpec + "  sparkConf: {spark.blockManager.port: \"7300\"}\n"},
      {"driver-overhead-factor",
       kBaseSpec + "  driver:\n    memory: 2g\n  sparkConf: {spark.driver.memoryOverheadFactor: \"0.3\"}\n"},
      {"kubernetes-overhead-factor",
       kBaseSpec + "  driver:\n    memory: 4g\n  sparkConf: {spark.kubernetes.memoryOverheadFactor: \"0.2\"}\n"},
      {"python-overhead-factor", kPythonSpec + "  sparkConf: {spark.kubernetes.memoryOverheadFactor: \"0.25\"}\n"},
      {"min-overhead", kBaseSpec + "  sparkConf: {spark.driver.minMemoryOverhead: \"500m\"}\n"},
      {"scheduler-and-service-annotations",
       kBaseSpec + "  sparkConf: {spark.kubernetes.driver.scheduler.name: parity-scheduler, "
                   "spark.kubernetes.driver.service.annotation.svc-note: \"yes\"}\n"},
      {"properties-escaping", kBaseSpec +
                                  "  sparkConf: {spark.driver.extraJavaOptions: \"-Dx=a:b #c !d \\\\e \\u00fc\", "
                                  "spark.executorEnv.SPACED: \" lead\"}\n"},
      {"executor-settings-in-properties",
       kBaseSpec + "  sparkConf: {spark.kubernetes.allocation.batch.size: \"10\", "
                   "spark.kubernetes.executor.deleteOnTermination: \"false\", spark.sql.shuffle.partitions: \"7\"}\n"},
      {"pod-level-fields",
       kBaseSpec + "  driver:\n    tolerations: [{key: dedicated, operator: Equal, value: spark, effect: NoSchedule}]\n"
                   "    affinity: {nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, "
                   "preference: {matchExpressions: [{key: pool, operator: In, values: [spark]}]}}]}}\n"
                   "    podSecurityContext: {fsGroup: 185, runAsNonRoot: true}\n"
                   "    hostAliases: [{ip: 10.0.0.9, hostnames: [metastore]}]\n"
                   "    dnsConfig: {options: [{name: ndots, value: \"2\"}]}\n"
                   "    terminationGracePeriodSeconds: 45\n"},
      {"pod-template-without-containers",
       kBaseSpec +
           "  driver:\n    podTemplate:\n      metadata: {labels: {from-template: \"yes\"}, annotations: "
           "{t: \"1\"}}\n      spec: {tolerations: [{key: t, operator: Exists}], shareProcessNamespace: true}\n"},
      {"core-request-java-options-scheduler",
       kBaseSpec + "  driver:\n    cores: \"1\"\n    coreRequest: 300m\n    javaOptions: \"-XX:+UseG1GC -Da=b\"\n"
                   "    schedulerName: parity-scheduler\n    serviceAnnotations: {svc: note}\n"},
      {"dynamic-allocation-and-overhead-factor",
       kBaseSpec + "  memoryOverheadFactor: \"0.3\"\n  dynamicAllocation: {enabled: true, minExecutors: 1, "
                   "maxExecutors: 4, shuffleTrackingTimeout: 30000}\n"
                   "  executor:\n    deleteOnTermination: false\n    coreRequest: 500m\n"},
      {"executor-pod-template",
       kBaseSpec + "  executor:\n    instances: 2\n    tolerations: [{key: dedicated, operator: Exists}]\n"
                   "    affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, "
                   "podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {a: b}}}}]}}\n"
                   "    podTemplate: {metadata: {labels: {tier: batch}}}\n"},
      {"executor-spark-volumes",
       kBaseSpec +
           "  volumes: [{name: data, persistentVolumeClaim: {claimName: data-pvc}}, {name: tmp, emptyDir: "
           "{medium: Memory}}]\n  executor:\n    volumeMounts: [{name: data, mountPath: /data, readOnly: true}, "
           "{name: tmp, mountPath: /tmp/x}]\n"},
      {"monitoring", kBaseSpec +
                         "  monitoring: {exposeDriverMetrics: true, exposeExecutorMetrics: true, "
                         "metricsProperties: \"driver.source.jvm.class=org.apache.spark.metrics.source.JvmSource\"}\n"
                         "  sparkConf: {spark.ui.port: \"4050\"}\n"},
      {"ui-proxy-base",
       kBaseSpec + "  sparkUIOptions: {ingressURLFormat: \"example.com/{{$appNamespace}}/{{$appName}}\"}\n"},
      {"a-very-long-application-name-that-needs-another-service", kBaseSpec},
      {"9-starts-with-a-digit", kBaseSpec},
  };
}

// The SparkApplication stored in `ns`: the driver template names it as the driver's owner, so it must exist or
// the garbage collector would delete the driver under the comparison.
rapidjson::Document StoreApp(kube::Client& client, const std::string& ns, const ParityCase& c) {
  const std::string yaml =
      "apiVersion: spark-operator.k8s.io/v1alpha1\nkind: SparkApplication\nmetadata:\n  name: " + c.name +
      "\n  namespace: " + ns + "\nspec:\n" + c.spec;
  Result<rapidjson::Document> app = YamlToJson(yaml);
  REQUIRE(app.ok());
  Result<rapidjson::Document> created = client.Create(kube::resources::kSparkApplications, ns, *app);
  INFO(c.name << ": " << created.status().ToString());
  REQUIRE(created.ok());
  return std::move(*created);
}

struct Submission {
  std::vector<std::string> argv;
  std::vector<Submitter::File> files;
};

Submission BuildSubmission(const rapidjson::Value& stored, const SubmitAuth& auth, const std::string& template_dir) {
  Result<api::SparkApplication> app = api::ParseSparkApplication(stored);
  REQUIRE(app.ok());
  api::ApplyDefaults(*app);
  REQUIRE(api::Validate(*app).ok());
  SubmissionContext context{
      .spark_submit = SparkSubmitPath(), .master = auth.master, .attempt = 1, .auth_confs = auth.confs};
  // The templates the reconciler writes (controller/driver_pod.h).
  Result<std::vector<Submitter::File>> files = PodTemplateFiles(stored, *app, template_dir, 1, context);
  REQUIRE(files.ok());
  Result<std::vector<std::string>> argv = BuildSubmitArgs(*app, context);
  REQUIRE(argv.ok());
  return {*argv, std::move(*files)};
}

void EnsureServiceAccount(kube::Client& client, const std::string& ns, const std::vector<std::string>& argv) {
  const std::string key = "spark.kubernetes.authenticate.driver.serviceAccountName=";
  for (const std::string& arg : argv) {
    if (arg.rfind(key, 0) != 0) continue;
    const std::string sa = arg.substr(key.size());
    const auto created =
        client.Create(kube::resources::kServiceAccounts, ns,
                      Json(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":")" + sa + "\"}}"));
    if (!created.ok()) REQUIRE(IsAlreadyExists(created.status()));
  }
}

// The objects spark-submit (or the native builder) made for one driver pod, as stored, by resource and name with
// the generated part of the name left out.
std::map<std::string, rapidjson::Document> StoredObjects(kube::Client& client, const std::string& ns,
                                                         const std::string& pod_name) {
  std::map<std::string, rapidjson::Document> out;
  Result<rapidjson::Document> pod = client.Get(kube::resources::kPods, ns, pod_name);
  INFO("driver pod " << ns << "/" << pod_name << ": " << pod.status().ToString());
  REQUIRE(pod.ok());
  out.emplace("Pod", std::move(*pod));
  for (const kube::Resource* resource :
       {&kube::resources::kConfigMaps, &kube::resources::kServices, &kube::resources::kNetworkPolicies}) {
    Result<rapidjson::Document> list = client.List(*resource, ns);
    REQUIRE(list.ok());
    for (rapidjson::Value& item : (*list)["items"].GetArray()) {
      const rapidjson::Value* owners = FindPath(item, {"metadata", "ownerReferences"});
      if (owners == nullptr || !owners->IsArray() || owners->Empty()) continue;
      if (GetString((*owners)[0], {"name"}) != pod_name) continue;
      rapidjson::Document doc;
      doc.CopyFrom(item, doc.GetAllocator());
      out.emplace(resource->plural + "/" + std::regex_replace(NameOf(item), std::regex("[0-9a-f]{16}"), "UNIQUE"),
                  std::move(doc));
    }
  }
  return out;
}

void SortByName(rapidjson::Value* array, rapidjson::Document::AllocatorType& allocator) {
  if (array == nullptr || !array->IsArray()) return;
  std::vector<rapidjson::Value> items;
  for (rapidjson::Value& v : array->GetArray()) items.push_back(std::move(v));
  std::stable_sort(items.begin(), items.end(), [](const rapidjson::Value& a, const rapidjson::Value& b) {
    return GetString(a, {"name"}) < GetString(b, {"name"});
  });
  array->Clear();
  for (rapidjson::Value& v : items) array->PushBack(std::move(v), allocator);
}

std::string Normalised(const rapidjson::Value& object, const std::string& ns, const std::string& app_uid) {
  std::string text = ToJson(object);
  // The namespace's name and the app's UID are unique in the documents; the rest are the generated parts.
  text = std::regex_replace(text, std::regex(ns), "NAMESPACE");
  text = std::regex_replace(text, std::regex(app_uid), "APP_UID");
  text = std::regex_replace(text, std::regex("spark-[0-9a-f]{32}"), "spark-APP_ID");
  text = std::regex_replace(text, std::regex("-[0-9a-f]{16}-(driver-svc|policy|conf-map|driver-podspec-conf-map)"),
                            "-UNIQUE-$1");
  text = std::regex_replace(text, std::regex("spark-[0-9a-f-]{36}"), "spark-LOCAL_DIR");
  text = std::regex_replace(text, std::regex("kube-api-access-[a-z0-9]{5}"), "kube-api-access-TOKEN");
  Result<rapidjson::Document> doc = ParseJson(text);
  REQUIRE(doc.ok());
  for (const char* field : {"uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"}) {
    RemovePath(*doc, {"metadata", field});
  }
  if (rapidjson::Value* owners = const_cast<rapidjson::Value*>(FindPath(*doc, {"metadata", "ownerReferences"}));
      owners != nullptr && owners->IsArray()) {
    for (rapidjson::Value& owner : owners->GetArray()) owner.RemoveMember("uid");
  }
  RemovePath(*doc, {"status"});
  RemovePath(*doc, {"spec", "nodeName"});
  if (rapidjson::Value* containers = const_cast<rapidjson::Value*>(FindPath(*doc, {"spec", "containers"}));
      containers != nullptr && containers->IsArray()) {
    for (rapidjson::Value& c : containers->GetArray()) {
      SortByName(c.HasMember("env") ? &c["env"] : nullptr, doc->GetAllocator());
      SortByName(c.HasMember("volumeMounts") ? &c["volumeMounts"] : nullptr, doc->GetAllocator());
    }
  }
  SortByName(const_cast<rapidjson::Value*>(FindPath(*doc, {"spec", "volumes"})), doc->GetAllocator());
  if (const std::string props = GetString(*doc, {"data", "spark.properties"}); !props.empty()) {
    std::set<std::string> lines;
    size_t start = 0;
    while (start < props.size()) {
      const size_t end = std::min(props.find('\n', start), props.size());
      const std::string line = props.substr(start, end - start);
      start = end + 1;
      if (line.empty() || line[0] == '#' || line.rfind("spark.app.submitTime=", 0) == 0) continue;
      if (line.rfind("spark.kubernetes.authenticate.submission.", 0) == 0) continue;
      if (line.rfind("spark.kubernetes.driver.podTemplateFile=", 0) == 0) continue;
      lines.insert(line);
    }
    // One JSON line per property, so that a difference shows as the property that differs.
    rapidjson::Value sorted(rapidjson::kArrayType);
    for (const std::string& line : lines) sorted.PushBack(JsonString(line, doc->GetAllocator()), doc->GetAllocator());
    SetPath(*doc, {"data", "spark.properties"}, std::move(sorted));
  }
  return ToPrettyJson(*doc);
}

// The lines of `a` missing from `b`, for a readable failure.
std::string Missing(const std::string& a, const std::string& b) {
  std::multiset<std::string> theirs;
  size_t start = 0;
  while (start < b.size()) {
    const size_t end = std::min(b.find('\n', start), b.size());
    theirs.insert(b.substr(start, end - start));
    start = end + 1;
  }
  std::string out;
  start = 0;
  while (start < a.size()) {
    const size_t end = std::min(a.find('\n', start), a.size());
    const std::string line = a.substr(start, end - start);
    if (auto it = theirs.find(line); it != theirs.end()) {
      theirs.erase(it);
    } else {
      out += line + "\n";
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("native submission stores the objects spark-submit stores for every spec in the table",
          "[integration][native]") {
  auto client = AdminClient();
  EnsureCrd(*client);
  Result<SubmitAuth> auth = PrepareSubmitAuth(spark_operator::testing::AdminConfig());
  REQUIRE(auth.ok());
  const std::string conf_dir = auth->dir + "/empty-conf";  // No spark-defaults.conf: the controller has none.
  REQUIRE(::mkdir(conf_dir.c_str(), 0700) == 0);
  std::vector<std::string> env = auth->env;
  env.push_back("SPARK_CONF_DIR=" + conf_dir);

  TestNamespace spark_submit_ns(client, "par-ss");
  TestNamespace native_ns(client, "par-nt");
  std::vector<ParityCase> cases = Cases();
  REQUIRE(cases.size() >= 25);
  // SO_PARITY_CASES=name,name runs only those, for working on one difference.
  if (const char* only = std::getenv("SO_PARITY_CASES"); only != nullptr) {
    const std::vector<std::string> names = SplitCommas(only);
    std::erase_if(cases,
                  [&](const ParityCase& c) { return std::find(names.begin(), names.end(), c.name) == names.end(); });
  }

  // spark-submit first, two JVMs at a time: each takes seconds.
  std::vector<std::future<Result<ProcessResult>>> runs;
  std::vector<Submission> submissions;
  std::vector<std::string> app_uids;
  for (const ParityCase& c : cases) {
    const rapidjson::Document app = StoreApp(*client, spark_submit_ns.name(), c);
    app_uids.push_back(UidOf(app));
    submissions.push_back(BuildSubmission(app, *auth, auth->dir));
    EnsureServiceAccount(*client, spark_submit_ns.name(), submissions.back().argv);
  }
  for (size_t i = 0; i < cases.size(); i += 2) {
    std::vector<std::future<Result<ProcessResult>>> pair;
    for (size_t j = i; j < std::min(i + 2, cases.size()); ++j) {
      // No Catch assertion in here: Catch is not thread-safe.
      pair.push_back(std::async(std::launch::async, [&, j]() -> Result<ProcessResult> {
        for (const Submitter::File& f : submissions[j].files) {
          RETURN_IF_ERROR(WriteFileAtomically(f.path, f.content, 0600));
        }
        ProcessOptions process;
        process.argv = submissions[j].argv;
        process.extra_env = env;
        process.timeout = std::chrono::minutes(2);
        return RunProcess(process);
      }));
    }
    for (auto& run : pair) runs.push_back(std::move(run));
    for (size_t j = i; j < std::min(i + 2, cases.size()); ++j) runs[j].wait();
  }

  for (size_t i = 0; i < cases.size(); ++i) {
    const ParityCase& c = cases[i];
    INFO("spec " << c.name);
    Result<ProcessResult> ran = runs[i].get();
    INFO(ran.status().ToString());
    REQUIRE(ran.ok());
    INFO(ran->output_tail.substr(ran->output_tail.size() > 3000 ? ran->output_tail.size() - 3000 : 0));
    REQUIRE(ran->ok());

    const rapidjson::Document native_app = StoreApp(*client, native_ns.name(), c);
    const Submission native = BuildSubmission(native_app, *auth, auth->dir);
    EnsureServiceAccount(*client, native_ns.name(), native.argv);
    std::map<std::string, std::string> files;
    for (const Submitter::File& f : native.files) files[f.path] = f.content;
    Result<native::NativePlan> plan =
        native::PlanNativeSubmission(native.argv, files, native::IdentityFor(UidOf(native_app), 1, 1796186320693));
    REQUIRE(plan.ok());
    INFO("unsupported: " << plan->unsupported);
    REQUIRE(plan->unsupported.empty());
    const Result<std::string> created = native::CreateDriverObjects(*client, plan->objects);
    INFO(created.status().ToString());
    REQUIRE(created.ok());

    const std::string pod_name = DriverPodName(c.name, 1);
    const auto expected = StoredObjects(*client, spark_submit_ns.name(), pod_name);
    const auto actual = StoredObjects(*client, native_ns.name(), pod_name);
    REQUIRE(expected.size() >= 4);  // The pod, its conf map, Service and NetworkPolicy, and any others.
    std::set<std::string> kinds;
    for (const auto& [kind, object] : actual) kinds.insert(kind);
    for (const auto& [kind, object] : expected) {
      INFO(kind);
      REQUIRE(kinds.erase(kind) == 1);
      const std::string want = Normalised(object, spark_submit_ns.name(), app_uids[i]);
      const std::string got = Normalised(actual.at(kind), native_ns.name(), UidOf(native_app));
      INFO("only in spark-submit's:\n"
           << Missing(want, got) << "only in the native builder's:\n"
           << Missing(got, want));
      CHECK(want == got);
    }
    INFO("made only by the native builder: " << (kinds.empty() ? "" : *kinds.begin()));
    CHECK(kinds.empty());
  }
}

}  // namespace spark_operator::controller::testing
