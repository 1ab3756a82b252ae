// Bad input for the webhook, as a table: each row is one odd body POSTed to /mutate-pods and the exact answer
// the sender gets (HTTP 400 with a message, or an AdmissionReview response: allowed, status, patch, warnings).
// After every row the same handler still answers a normal request normally.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/base/base64.h"
#include "common/base/json.h"
#include "initializer/admission.h"
#include "tests/unit/initializer/json_patch.h"

namespace spark_operator::initializer {
namespace {

constexpr char kSecretAnnotation[] = "spark-operator.k8s.io/secret.s";
constexpr char kDriver[] = R"({"name":"spark-kubernetes-driver","image":"apache/spark:4.2.0"})";

std::string Review(const std::string& request, const std::string& api_version = "admission.k8s.io/v1") {
  return R"({"apiVersion":")" + api_version + R"(","kind":"AdmissionReview","request":)" + request + "}";
}

// A pod CREATE request carrying `object` (raw JSON text, may be anything).
std::string PodCreate(const std::string& object, const std::string& operation = "CREATE",
                      const std::string& resource = R"({"group":"","version":"v1","resource":"pods"})") {
  return Review(R"({"uid":"u-1","kind":{"group":"","version":"v1","kind":"Pod"},"resource":)" + resource +
                R"(,"operation":")" + operation + R"(","namespace":"spark","object":)" + object + "}");
}

// A driver pod with `annotations` (members of a JSON object) and `spec` (members of the pod spec).
std::string Pod(const std::string& annotations,
                const std::string& spec = std::string(R"("containers":[)") + kDriver + "]") {
  return R"({"metadata":{"name":"driver","annotations":{)" + annotations + R"(}},"spec":{)" + spec + "}}";
}

std::string SecretAt(const std::string& path) { return "\"" + std::string(kSecretAnnotation) + "\":\"" + path + "\""; }

const std::string kNormalPatch =
    R"([{"op":"add","path":"/spec/volumes","value":[{"name":"s-secret-vol","secret":{"secretName":"s"}}]},)"
    R"({"op":"add","path":"/spec/containers/0/volumeMounts","value":[{"name":"s-secret-vol","mountPath":"/s",)"
    R"("readOnly":true}]}])";

struct Answer {
  int http_status = 0;
  std::string error;  // HTTP 400: the plain-text body.
  bool allowed = false;
  int code = 0;
  std::string message;  // status.message of a denial
  std::string uid;
  std::string patch;  // decoded
  std::vector<std::string> warnings;
};

Answer Ask(const AdmissionHandler& handler, const std::string& body) {
  const AdmissionResult r = handler.Handle(body);
  Answer a;
  a.http_status = r.http_status;
  if (r.http_status != 200) {
    CHECK(r.content_type == "text/plain; charset=utf-8");
    a.error = r.body;
    return a;
  }
  CHECK(r.content_type == "application/json");
  Result<rapidjson::Document> doc = ParseJson(r.body);
  REQUIRE(doc.ok());
  CHECK(GetString(*doc, {"kind"}) == "AdmissionReview");
  a.allowed = GetBool(*doc, {"response", "allowed"});
  a.code = static_cast<int>(GetInt(*doc, {"response", "status", "code"}));
  a.message = GetString(*doc, {"response", "status", "message"});
  a.uid = GetString(*doc, {"response", "uid"});
  if (const std::string patch = GetString(*doc, {"response", "patch"}); !patch.empty()) {
    CHECK(GetString(*doc, {"response", "patchType"}) == "JSONPatch");
    Result<std::string> decoded = Base64Decode(patch);
    REQUIRE(decoded.ok());
    a.patch = *decoded;
  }
  if (const rapidjson::Value* w = FindPath(*doc, {"response", "warnings"}); w != nullptr && w->IsArray()) {
    for (const rapidjson::Value& item : w->GetArray()) a.warnings.push_back(item.GetString());
  }
  return a;
}

void CheckStillServes(const AdmissionHandler& handler) {
  const Answer normal = Ask(handler, PodCreate(Pod(SecretAt("/s"))));
  CHECK(normal.http_status == 200);
  CHECK(normal.allowed);
  CHECK(normal.uid == "u-1");
  CHECK(normal.patch == kNormalPatch);
}

// One row: the body, then what the sender must get back.
struct Row {
  std::string name;
  std::string body;
  int http_status = 200;
  std::string error;                  // HTTP 400 only: the exact body.
  bool allowed = true;                // 200 only.
  int code = 0;                       // Denials: status.code.
  std::string message;                // Denials: the exact status.message.
  std::string patch;                  // Allowed: the exact decoded patch; "" means no patch.
  std::vector<std::string> warnings;  // Exact, in order.
};

Row Error400(std::string name, std::string body, std::string error) {
  Row row;
  row.name = std::move(name);
  row.body = std::move(body);
  row.http_status = 400;
  row.error = std::move(error) + "\n";
  return row;
}
Row Untouched(std::string name, std::string body, std::vector<std::string> warnings = {}) {
  Row row;
  row.name = std::move(name);
  row.body = std::move(body);
  row.warnings = std::move(warnings);
  return row;
}
Row Patched(std::string name, std::string body, std::string patch, std::vector<std::string> warnings = {}) {
  Row row = Untouched(std::move(name), std::move(body), std::move(warnings));
  row.patch = std::move(patch);
  return row;
}
Row Denied(std::string name, std::string body, std::string message, int code = 403) {
  Row row;
  row.name = std::move(name);
  row.body = std::move(body);
  row.allowed = false;
  row.code = code;
  row.message = std::move(message);
  return row;
}

void RunRows(const std::vector<Row>& rows, InvalidAnnotationPolicy policy = InvalidAnnotationPolicy::kDeny) {
  const Mutator mutator({policy});
  const AdmissionHandler handler(&mutator);
  for (const Row& row : rows) {
    INFO("row: " << row.name);
    const Answer a = Ask(handler, row.body);
    CHECK(a.http_status == row.http_status);
    if (row.http_status != 200) {
      CHECK(a.error == row.error);
    } else {
      CHECK(a.uid == "u-1");
      CHECK(a.allowed == row.allowed);
      CHECK(a.code == row.code);
      CHECK(a.message == row.message);
      CHECK(a.patch == row.patch);
      CHECK(a.warnings == row.warnings);
    }
    CheckStillServes(handler);
  }
}

TEST_CASE("bad input: bodies that are not an AdmissionReview get HTTP 400 and a message") {
  std::string truncated = PodCreate(Pod(SecretAt("/s")));
  truncated.resize(truncated.size() - 3);
  const std::string normal = PodCreate(Pod(SecretAt("/s")));
  RunRows({
      Error400("empty body", "", "AdmissionReview: malformed JSON at offset 0: The document is empty."),
      Error400("only whitespace", " \n\t ", "AdmissionReview: malformed JSON at offset 4: The document is empty."),
      Error400("JSON null", "null", "AdmissionReview: body is not a JSON object"),
      Error400("a top-level array", "[" + normal + "]", "AdmissionReview: body is not a JSON object"),
      Error400("a top-level string", "\"AdmissionReview\"", "AdmissionReview: body is not a JSON object"),
      Error400("a number", "42", "AdmissionReview: body is not a JSON object"),
      Error400("truncated JSON", truncated,
               "AdmissionReview: malformed JSON at offset " + std::to_string(truncated.size()) +
                   ": Missing a comma or '}' after an object member."),
      Error400("two documents", normal + normal,
               "AdmissionReview: malformed JSON at offset " + std::to_string(normal.size()) +
                   ": The document root must not be followed by other values."),
      Error400("a raw newline inside a string", Review("{\"uid\":\"u-\n1\"}"),
               "AdmissionReview: malformed JSON at offset 81: Invalid escape character in string."),
      Error400("kind missing", R"({"apiVersion":"admission.k8s.io/v1","request":{"uid":"u-1"}})",
               R"(AdmissionReview: kind is "", want "AdmissionReview")"),
      Error400("kind Pod", R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"u-1"}})",
               R"(AdmissionReview: kind is "Pod", want "AdmissionReview")"),
      Error400("kind not a string", R"({"apiVersion":"admission.k8s.io/v1","kind":7,"request":{"uid":"u-1"}})",
               R"(AdmissionReview: kind is "", want "AdmissionReview")"),
      Error400("apiVersion v1", Review(R"({"uid":"u-1"})", "v1"),
               R"(AdmissionReview: apiVersion is "v1", want "admission.k8s.io/v1")"),
      Error400("apiVersion of a future version", Review(R"({"uid":"u-1"})", "admission.k8s.io/v2"),
               R"(AdmissionReview: apiVersion is "admission.k8s.io/v2", want "admission.k8s.io/v1")"),
      Error400("request missing", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})",
               "AdmissionReview: no request"),
      Error400("request null", Review("null"), "AdmissionReview: no request"),
      Error400("request a list", Review("[" + Pod(SecretAt("/s")) + "]"), "AdmissionReview: no request"),
      Error400("uid missing", Review(R"({"operation":"CREATE","object":{}})"),
               "AdmissionReview: request.uid is missing"),
      Error400("uid empty", Review(R"({"uid":"","operation":"CREATE"})"), "AdmissionReview: request.uid is missing"),
      Error400("uid a number", Review(R"({"uid":17,"operation":"CREATE"})"), "AdmissionReview: request.uid is missing"),
  });
}

TEST_CASE("bad input: requests that are not a pod CREATE are allowed untouched") {
  const std::string pod = Pod(SecretAt("relative"));  // Would be denied as a CREATE.
  RunRows({
      Untouched("operation DELETE", PodCreate(pod, "DELETE")),
      Untouched("operation UPDATE", PodCreate(pod, "UPDATE")),
      Untouched("operation CONNECT", PodCreate(pod, "CONNECT")),
      Untouched("operation missing", PodCreate(pod, "")),
      Untouched("operation in lower case", PodCreate(pod, "create")),
      Untouched("a ConfigMap", PodCreate(pod, "CREATE", R"({"group":"","version":"v1","resource":"configmaps"})")),
      Untouched("pods in another group",
                PodCreate(pod, "CREATE", R"({"group":"apps","version":"v1","resource":"pods"})")),
      Untouched("a subresource (pods/binding)",
                Review(R"({"uid":"u-1","resource":{"group":"","version":"v1","resource":"pods"},)"
                       R"("subResource":"binding","operation":"CREATE","object":)" +
                       pod + "}")),
      Untouched("resource missing", Review(R"({"uid":"u-1","operation":"CREATE","object":)" + pod + "}")),
  });
}

TEST_CASE("bad input: a pod CREATE whose object is not a pod is denied with code 400") {
  const std::string message = "AdmissionReview: request.object is missing or not a Pod object";
  RunRows({
      Denied("object missing", Review(R"({"uid":"u-1","resource":{"resource":"pods"},"operation":"CREATE"})"), message,
             400),
      Denied("object null", PodCreate("null"), message, 400),
      Denied("object a list", PodCreate("[" + Pod(SecretAt("/s")) + "]"), message, 400),
      Denied("object a string", PodCreate("\"pod\""), message, 400),
      Untouched("object without metadata", PodCreate(R"({"spec":{"containers":[]}})")),
      Untouched("annotations a list",
                PodCreate(R"({"metadata":{"annotations":[")" + std::string(kSecretAnnotation) + R"("]},"spec":{}})")),
      Untouched("annotations null", PodCreate(R"({"metadata":{"annotations":null},"spec":{}})")),
  });
}

TEST_CASE("bad input: annotations the webhook cannot honour deny the pod with the reason") {
  const std::string a = kSecretAnnotation;
  const std::string dns = " is not a valid Kubernetes object name (DNS-1123 subdomain)";
  RunRows({
      Denied("relative mount path", PodCreate(Pod(SecretAt("s"))), a + R"(: mount path "s" must be absolute)"),
      Denied("empty mount path", PodCreate(Pod(SecretAt(""))), a + ": mount path is empty"),
      Denied("'..' in the mount path", PodCreate(Pod(SecretAt("/data/../etc"))),
             a + R"(: mount path "/data/../etc" must not contain "." or "..")"),
      Denied("'.' in the mount path", PodCreate(Pod(SecretAt("/data/./x"))),
             a + R"(: mount path "/data/./x" must not contain "." or "..")"),
      Denied("a tab in the mount path", PodCreate(Pod(SecretAt("/da\\tta"))),
             a + ": mount path \"/da\tta\" contains a control character or ':'"),
      Denied("':' in the mount path", PodCreate(Pod(SecretAt("/a:/b"))),
             a + R"(: mount path "/a:/b" contains a control character or ':')"),
      Denied("mount over /etc", PodCreate(Pod(SecretAt("/etc/"))), a + R"(: mount path "/etc/" is reserved)"),
      Denied("mount over the service account token",
             PodCreate(Pod(SecretAt("/var/run/secrets/kubernetes.io/serviceaccount"))),
             a + R"(: mount path "/var/run/secrets/kubernetes.io/serviceaccount" is reserved )"
                 R"((under /var/run/secrets/kubernetes.io))"),
      Denied("mount under /proc", PodCreate(Pod(SecretAt("//proc//1"))),
             a + R"(: mount path "//proc//1" is reserved (under /proc))"),
      Denied("annotation value not a string", PodCreate(Pod("\"" + a + "\":5")), a + ": value must be a string"),
      Denied("invalid Secret name in the key", PodCreate(Pod(R"("spark-operator.k8s.io/secret.My_Secret":"/s")")),
             R"(spark-operator.k8s.io/secret.My_Secret: Secret name "My_Secret" (from the annotation key))" + dns),
      Denied("invalid ConfigMap name in the key", PodCreate(Pod(R"("spark-operator.k8s.io/configMap.-conf":"/conf")")),
             R"(spark-operator.k8s.io/configMap.-conf: ConfigMap name "-conf" (from the annotation key))" + dns),
      Denied("empty object name in the key", PodCreate(Pod(R"("spark-operator.k8s.io/configMap.":"/conf")")),
             R"(spark-operator.k8s.io/configMap.: ConfigMap name "" (from the annotation key))" + dns),
      Denied("invalid sparkConfigMap value", PodCreate(Pod(R"("spark-operator.k8s.io/sparkConfigMap":"Spark Conf")")),
             R"(spark-operator.k8s.io/sparkConfigMap: ConfigMap name "Spark Conf" (from the annotation value))" + dns),
      Denied("two annotations on one mount path",
             PodCreate(Pod(SecretAt("/m") + R"(,"spark-operator.k8s.io/configMap.c":"/m/")")),
             a + R"(: mount path "/m" is already used by spark-operator.k8s.io/configMap.c)"),
      Denied("the same annotation twice (duplicate JSON key)", PodCreate(Pod(SecretAt("/a") + "," + SecretAt("/b"))),
             a + R"(: volume name "s-secret-vol" is already used by )" + a),
      Denied("a pod with no containers", PodCreate(Pod(SecretAt("/s"), R"("containers":[])")),
             a + ": the pod has no containers"),
      Denied("a pod with only init containers",
             PodCreate(Pod(SecretAt("/s"), std::string(R"("initContainers":[)") + kDriver + "]")),
             a + ": the pod has no containers"),
      Denied("containers not a list", PodCreate(Pod(SecretAt("/s"), std::string(R"("containers":)") + kDriver)),
             a + ": the pod has no containers"),
      Denied("a volume named like ours from another source",
             PodCreate(Pod(SecretAt("/s"), std::string(R"("containers":[)") + kDriver +
                                               R"(],"volumes":[{"name":"s-secret-vol","emptyDir":{}}])")),
             a + R"(: the pod already has a volume "s-secret-vol" from another source, not Secret s)"),
      Denied("a volume named like ours from another Secret",
             PodCreate(Pod(SecretAt("/s"), std::string(R"("containers":[)") + kDriver +
                                               R"(],"volumes":[{"name":"s-secret-vol","secret":{"secretName":"t"}}])")),
             a + R"(: the pod already has a volume "s-secret-vol" from Secret t, not Secret s)"),
      Denied("a mount of another volume on our path",
             PodCreate(Pod(SecretAt("/s"), R"("containers":[{"name":"spark-kubernetes-driver",)"
                                           R"("volumeMounts":[{"name":"data","mountPath":"/s/"}]}])")),
             a + R"(: container "spark-kubernetes-driver" already mounts volume "data" at "/s")"),
      Denied("every problem at once, sorted",
             PodCreate(Pod(SecretAt("s") + R"(,"spark-operator.k8s.io/configMap.c":"/etc")")),
             R"(spark-operator.k8s.io/configMap.c: mount path "/etc" is reserved; )" + a +
                 R"(: mount path "s" must be absolute)"),
  });
}

TEST_CASE("bad input: odd pods that can still be mutated get the right patch") {
  const std::string a = kSecretAnnotation;
  const std::string huge(1 << 20, 'x');
  RunRows({
      Untouched("no annotations of ours", PodCreate(Pod(R"("example.com/x":"y")"))),
      Untouched("our prefix in another case", PodCreate(Pod(R"("Spark-Operator.k8s.io/secret.s":"/s")"))),
      Untouched("an unknown annotation of ours", PodCreate(Pod(R"("spark-operator.k8s.io/colour":"blue")")),
                {"spark-operator.k8s.io/colour: unknown spark-operator annotation, ignored"}),
      Patched("a 1 MiB annotation that is not ours",
              PodCreate(Pod(R"("example.com/big":")" + huge + "\"," + SecretAt("/s"))), kNormalPatch),
      Denied("a 1 MiB mount path", PodCreate(Pod(SecretAt("/" + huge))),
             a + ": mount path is longer than 4096 characters"),
      Patched("non-UTF-8 bytes in an annotation that is not ours",
              PodCreate(Pod("\"example.com/bytes\":\"\xff\xfe\xc3\x28\"," + SecretAt("/s"))), kNormalPatch),
      Patched(
          "an already-mutated pod's volume is kept, the mount added",
          PodCreate(Pod(SecretAt("/s"), std::string(R"("containers":[)") + kDriver +
                                            R"(],"volumes":[{"name":"s-secret-vol","secret":{"secretName":"s"}}])")),
          R"([{"op":"add","path":"/spec/containers/0/volumeMounts","value":[{"name":"s-secret-vol",)"
          R"("mountPath":"/s","readOnly":true}]}])"),
      Untouched(
          "an already-mutated pod needs nothing",
          PodCreate(Pod(SecretAt("/s"),
                        R"("containers":[{"name":"spark-kubernetes-driver","volumeMounts":[{"name":"s-secret-vol",)"
                        R"("mountPath":"/s"}]}],"volumes":[{"name":"s-secret-vol","secret":{"secretName":"s"}}])"))),
      Patched("init containers and a sidecar before the driver: the driver container gets the mount",
              PodCreate(Pod(SecretAt("/s"), std::string(R"("initContainers":[{"name":"init","volumeMounts":[)"
                                                        R"({"name":"x","mountPath":"/s"}]}],"containers":[)"
                                                        R"({"name":"sidecar"},)") +
                                                kDriver + "]")),
              R"([{"op":"add","path":"/spec/volumes","value":[{"name":"s-secret-vol","secret":{"secretName":"s"}}]},)"
              R"({"op":"add","path":"/spec/containers/1/volumeMounts","value":[{"name":"s-secret-vol",)"
              R"("mountPath":"/s","readOnly":true}]}])"),
      Patched("SPARK_CONF_DIR set by the user is kept, with a warning",
              PodCreate(Pod(R"("spark-operator.k8s.io/sparkConfigMap":"conf")",
                            R"("containers":[{"name":"spark-kubernetes-driver","env":[)"
                            R"({"name":"SPARK_CONF_DIR","value":"/mine"}]}])")),
              R"([{"op":"add","path":"/spec/volumes","value":[{"name":"spark-configmap-volume",)"
              R"("configMap":{"name":"conf"}}]},{"op":"add","path":"/spec/containers/0/volumeMounts","value":[)"
              R"({"name":"spark-configmap-volume","mountPath":"/etc/spark/conf","readOnly":true}]}])",
              {R"(spark-operator.k8s.io/sparkConfigMap: SPARK_CONF_DIR is already set in container )"
               R"("spark-kubernetes-driver"; left as is, not "/etc/spark/conf")"}),
      Patched("a volume list with entries that are not objects",
              PodCreate(Pod(SecretAt("/s"), std::string(R"("containers":[)") + kDriver + R"(],"volumes":[5,null])")),
              R"([{"op":"add","path":"/spec/volumes/-","value":{"name":"s-secret-vol","secret":{"secretName":"s"}}},)"
              R"({"op":"add","path":"/spec/containers/0/volumeMounts","value":[{"name":"s-secret-vol",)"
              R"("mountPath":"/s","readOnly":true}]}])"),
      Patched("dryRun is mutated the same way",
              Review(R"({"uid":"u-1","resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE",)"
                     R"("dryRun":true,"object":)" +
                     Pod(SecretAt("/s")) + "}"),
              kNormalPatch),
  });
}

TEST_CASE("bad input: with --invalid-annotation-policy=warn the pod is admitted with the reasons as warnings") {
  const std::string a = kSecretAnnotation;
  RunRows(
      {
          Untouched("relative mount path", PodCreate(Pod(SecretAt("s"))),
                    {a + R"(: mount path "s" must be absolute (ignored))"}),
          Patched("one bad and one good annotation",
                  PodCreate(Pod(SecretAt("/s") + R"(,"spark-operator.k8s.io/configMap.c":"/proc")")), kNormalPatch,
                  {R"(spark-operator.k8s.io/configMap.c: mount path "/proc" is reserved (under /proc) (ignored))"}),
      },
      InvalidAnnotationPolicy::kWarn);
}

TEST_CASE("bad input: the patch for a pod with init containers applies and leaves them alone") {
  const Mutator mutator({});
  const std::string pod = Pod(SecretAt("/s"), std::string(R"("initContainers":[{"name":"init","volumeMounts":[)"
                                                          R"({"name":"x","mountPath":"/s"}]}],"containers":[)") +
                                                  kDriver + "]");
  const Answer a = Ask(AdmissionHandler(&mutator), PodCreate(pod));
  REQUIRE(a.allowed);
  Result<rapidjson::Document> doc = ParseJson(pod);
  REQUIRE(doc.ok());
  REQUIRE(testing::ApplyJsonPatch(*doc, a.patch).ok());
  CHECK(ToJson((*doc)["spec"]["initContainers"]) ==
        R"([{"name":"init","volumeMounts":[{"name":"x","mountPath":"/s"}]}])");
  CHECK(ToJson((*doc)["spec"]["containers"][0]["volumeMounts"]) ==
        R"([{"name":"s-secret-vol","mountPath":"/s","readOnly":true}])");
}

// JSON text is UTF-8 (RFC 8259). The API server never sends anything else, but anyone can POST it; either
// answer is right: HTTP 400 for the request, or a denial whose body is itself valid UTF-8.
TEST_CASE("bad input: non-UTF-8 bytes in an annotation of ours get a valid UTF-8 answer") {
  const Mutator mutator({});
  const AdmissionHandler handler(&mutator);
  const std::string body = PodCreate(Pod("\"spark-operator.k8s.io/secret.\xff\xfe\":\"/s\""));
  const AdmissionResult r = handler.Handle(body);
  if (r.http_status == 400) {
    CHECK_THAT(r.body, Catch::StartsWith("AdmissionReview: malformed JSON at offset "));
  } else {
    REQUIRE(r.http_status == 200);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(r.body.data(), r.body.size());
    CHECK_FALSE(doc.HasParseError());
    const Answer a = Ask(handler, body);
    CHECK_FALSE(a.allowed);
    CHECK(a.code == 403);
    CHECK_THAT(a.message, Catch::Contains(") is not a valid Kubernetes object name (DNS-1123 subdomain)"));
  }
  CheckStillServes(handler);
}

// Runs `body` through a fresh handler in a child process, so that a crash is seen as a failed check instead of
// ending the test binary. The child exits 0 when the answer has `http_status` and a normal request is still
// served.
void ExpectAnsweredWithoutCrash(const std::string& body, int http_status, std::chrono::seconds deadline) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL);  // Catch2's handler would report from the child; the parent reports.
    signal(SIGBUS, SIG_DFL);
    const Mutator mutator({});
    const AdmissionHandler handler(&mutator);
    const AdmissionResult r = handler.Handle(body);
    const AdmissionResult normal = handler.Handle(PodCreate(Pod(SecretAt("/s"))));
    _exit(r.http_status == http_status && normal.http_status == 200 ? 0 : 3);
  }
  int status = 0;
  const auto end = std::chrono::steady_clock::now() + deadline;
  pid_t done = 0;
  while ((done = waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL("the handler did not answer within " << deadline.count() << " s");
  }
  const int signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  const int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  CHECK(signal_number == 0);  // 11: SIGSEGV, the stack overflowed.
  CHECK(exit_code == 0);      // 3: the answer or the next normal request was wrong.
}

// Issue 9: a recursive parser overflowed the stack here and the webhook died.
TEST_CASE("bad input: 400 KB of nested arrays gets HTTP 400, not a crash") {
  ExpectAnsweredWithoutCrash(std::string(400 * 1024, '['), 400, std::chrono::seconds(60));
}

// Well-formed, so that it gets past an iterative parser: what walks the document afterwards must not recurse
// without bound either.
TEST_CASE("bad input: 100,000 nested objects inside a pod get HTTP 400, not a crash") {
  std::string nested;
  for (int i = 0; i < 100000; ++i) nested += "{\"a\":";
  nested += "1" + std::string(100000, '}');
  ExpectAnsweredWithoutCrash(PodCreate(Pod(R"("example.com/x":"y")", R"("containers":[],"x-deep":)" + nested)), 400,
                             std::chrono::seconds(60));
}

// Defect without an owner yet: reading the annotations compares each with every other (and the mutator checks
// each against the pod's mounts), so the time grows with the square of their number: 40,000 (1.9 MB, far under
// the 8 MiB body limit) took 166 s on the shared build machine, holding one of the webhook's two threads. The
// deadline is the longest webhook timeout the API server allows (30 s); a linear pass takes milliseconds.
TEST_CASE("bad input: 40,000 annotations of ours are answered within the API server's longest timeout") {
  std::string annotations;
  for (int i = 0; i < 40000; ++i) {
    annotations += (i == 0 ? "" : ",") + std::string("\"spark-operator.k8s.io/secret.a") + std::to_string(i) +
                   "\":\"/p" + std::to_string(i) + "\"";
  }
  ExpectAnsweredWithoutCrash(PodCreate(Pod(annotations)), 200, std::chrono::seconds(30));
}

TEST_CASE("bad input: nested JSON inside a pod is handled up to the documented depth, and refused past it") {
  // Deeper than any pod, within kMaxJsonDepth (the pod's own levels count too): patched as usual.
  const auto pod_with = [](int levels) {
    return PodCreate(Pod(SecretAt("/s"), std::string(R"("containers":[)") + kDriver + R"(],"x-unknown":)" +
                                             std::string(levels, '[') + std::string(levels, ']')));
  };
  RunRows({Patched("200 nested arrays in an unrelated field", pod_with(200), kNormalPatch)});
  // Past it: the request is refused as a whole, and the webhook goes on answering (RunRows checks that).
  const Mutator mutator({});
  const AdmissionResult refused = AdmissionHandler(&mutator).Handle(pod_with(kMaxJsonDepth));
  CHECK(refused.http_status == 400);
  CHECK_THAT(refused.body, Catch::Contains("nested deeper than " + std::to_string(kMaxJsonDepth)));
}

}  // namespace
}  // namespace spark_operator::initializer
