// Bad input through the real webhook over TLS: the spark-operator-initializer binary runs as a child process
// (without a Kubernetes client, so it needs no cluster), and raw POSTs get what any client on the network can
// send. A crash of the server is a failed check (the child's exit status is read), never a hang or the end of
// this test binary.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/base/base64.h"
#include "common/base/file.h"
#include "common/base/json.h"
#include "common/http/client.h"
#include "tests/support/paths.h"

extern char** environ;

namespace spark_operator::initializer::testing {
namespace {

using spark_operator::testing::BinDir;

const std::string kNormalReview =
    R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",)"
    R"("resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","namespace":"spark",)"
    R"("object":{"metadata":{"name":"driver","annotations":{"spark-operator.k8s.io/secret.s":"/s"}},)"
    R"("spec":{"containers":[{"name":"spark-kubernetes-driver"}]}}}})";

// The initializer binary on a free loopback port, killed (by its pid) when the test ends.
class InitializerProcess {
 public:
  InitializerProcess() {
    dir_ = std::filesystem::temp_directory_path() /
           ("bad-input-" + std::to_string(::getpid()) + "-" + std::to_string(++counter_));
    std::filesystem::create_directories(dir_ + "/home");
    const std::string binary = BinDir() + "/spark-operator-initializer";
    REQUIRE(std::filesystem::exists(binary));
    std::vector<std::string> args = {binary,
                                     "--address=127.0.0.1",
                                     "--port=0",
                                     "--metrics-port=0",
                                     "--cert-dir=" + dir_ + "/certs",
                                     "--extra-san=127.0.0.1"};
    // No client: no KUBECONFIG, an empty HOME, and no in-cluster service account variables.
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string var = *e;
      if (var.rfind("KUBECONFIG=", 0) == 0 || var.rfind("HOME=", 0) == 0 || var.rfind("KUBERNETES_", 0) == 0) continue;
      env.push_back(var);
    }
    env.push_back("HOME=" + dir_ + "/home");
    std::vector<char*> argv, envp;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = log_file();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const std::string marker = "serving /mutate-pods on https://127.0.0.1:";
    while (port_ == 0) {
      if (const Result<std::string> text = ReadFile(log); text.ok()) {
        if (const size_t at = text->find(marker); at != std::string::npos)
          port_ = std::atoi(text->c_str() + at + marker.size());
      }
      if (port_ != 0) break;
      if (const std::optional<std::string> exit = Exited())
        FAIL("the initializer " << *exit << " at start:\n" << Log());
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);  // The destructor does not run for a constructor that fails.
        FAIL("the initializer did not listen within 30 s:\n" << Log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const Result<std::string> ca = ReadFile(dir_ + "/certs/ca.crt");
    if (!ca.ok()) {
      kill(pid_, SIGKILL);
      FAIL("reading the initializer's CA: " << ca.status().ToString());
    }
    ca_pem_ = *ca;
  }

  ~InitializerProcess() {
    if (!reaped_) {
      kill(pid_, SIGTERM);
      int status = 0;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
          kill(pid_, SIGKILL);
          waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // A fresh connection each time, so that one bad request's connection never carries the next.
  Result<http::Response> Post(const std::string& body, const std::string& method = "POST") {
    http::TlsOptions tls;
    tls.ca_pem = ca_pem_;
    http::ClientOptions options;
    options.connect_timeout = std::chrono::seconds(5);
    options.request_timeout = std::chrono::seconds(20);
    ASSIGN_OR_RETURN(auto client, http::Client::Create("https://127.0.0.1:" + std::to_string(port_), tls, options));
    http::Request request;
    request.method = method;
    request.target = "/mutate-pods";
    request.body = body;
    request.headers = {{"Content-Type", "application/json"}};
    return client->Send(request);
  }

  // "exited with status N" / "died of signal N" once the process has ended; nullopt while it runs.
  std::optional<std::string> Exited() {
    if (!reaped_) {
      if (waitpid(pid_, &status_, WNOHANG) != pid_) return std::nullopt;
      reaped_ = true;
    }
    if (WIFSIGNALED(status_)) return "died of signal " + std::to_string(WTERMSIG(status_));
    return "exited with status " + std::to_string(WEXITSTATUS(status_));
  }

  // Exited(), waiting up to `timeout` for the process to end: after a failed request, a crash that reset the
  // connection may not have been reaped yet.
  std::optional<std::string> ExitedWithin(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::optional<std::string> exited = Exited();
    while (!exited && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      exited = Exited();
    }
    return exited;
  }

  std::string Log() const {
    const Result<std::string> text = ReadFile(log_file());
    if (!text.ok()) return "";
    return text->size() > 4000 ? text->substr(text->size() - 4000) : *text;
  }

 private:
  std::string log_file() const { return dir_ + "/initializer.log"; }

  static inline int counter_ = 0;
  std::string dir_;
  pid_t pid_ = 0;
  int port_ = 0;
  std::string ca_pem_;
  bool reaped_ = false;
  int status_ = 0;
};

// The server is still running and answers a normal pod CREATE with the normal patch.
void CheckStillServes(InitializerProcess& server) {
  const std::optional<std::string> exited = server.Exited();
  if (exited) FAIL("the initializer " << *exited << ":\n" << server.Log());
  const Result<http::Response> r = server.Post(kNormalReview);
  if (!r.ok()) {
    const std::optional<std::string> ended = server.ExitedWithin(std::chrono::seconds(2));
    FAIL("no answer to a normal review (" << r.status().ToString() << "); the initializer "
                                          << (ended ? *ended : std::string("is still running")));
  }
  CHECK(r->status == 200);
  const Result<rapidjson::Document> doc = ParseJson(r->body);
  REQUIRE(doc.ok());
  CHECK(GetBool(*doc, {"response", "allowed"}));
  CHECK(GetString(*doc, {"response", "uid"}) == "u-1");
  const Result<std::string> patch = Base64Decode(GetString(*doc, {"response", "patch"}));
  REQUIRE(patch.ok());
  CHECK_THAT(*patch, Catch::StartsWith(R"([{"op":"add","path":"/spec/volumes","value":[{"name":"s-secret-vol")"));
}

struct Row {
  std::string name, method, body;
  int status;
  std::string response;  // Exact body.
  // The server may answer before reading the whole body and close the connection; a client still writing
  // then sees the connection closed instead of the answer.
  bool closed_ok = false;
};

TEST_CASE("bad input over TLS: odd requests get the right HTTP answer and the webhook keeps serving") {
  InitializerProcess server;
  CheckStillServes(server);
  std::string truncated = kNormalReview.substr(0, kNormalReview.size() - 3);
  const std::vector<Row> rows = {
      {"empty body", "POST", "", 400, "AdmissionReview: malformed JSON at offset 0: The document is empty.\n"},
      {"GET", "GET", "", 405, "POST an AdmissionReview\n"},
      {"PUT of a normal review", "PUT", kNormalReview, 405, "POST an AdmissionReview\n"},
      {"truncated JSON", "POST", truncated, 400,
       "AdmissionReview: malformed JSON at offset " + std::to_string(truncated.size()) +
           ": Missing a comma or '}' after an object member.\n"},
      {"JSON null", "POST", "null", 400, "AdmissionReview: body is not a JSON object\n"},
      {"binary garbage", "POST", std::string("\xff\xfe\x00\x01\x80", 5), 400,
       "AdmissionReview: malformed JSON at offset 0: Invalid value.\n"},
      {"a body over the 8 MiB limit", "POST", std::string(9 << 20, ' '), 413,
       "request body larger than 8388608 bytes\n", true},
  };
  for (const Row& row : rows) {
    INFO("row: " << row.name);
    const Result<http::Response> r = server.Post(row.body, row.method);
    if (!r.ok()) {
      const std::optional<std::string> exited = server.ExitedWithin(std::chrono::seconds(2));
      if (exited || !row.closed_ok) {
        FAIL("no answer (" << r.status().ToString() << "); the initializer "
                           << (exited ? *exited : std::string("is still running")) << "\n"
                           << server.Log());
      }
    } else {
      CHECK(r->status == row.status);
      CHECK(r->body == row.response);
    }
    CheckStillServes(server);
  }
}

// Defect (issue 9, being fixed separately): RapidJSON's recursive parser overflows the stack on this body and
// the process dies of SIGSEGV; with failurePolicy Fail that refuses every Spark pod until it restarts.
TEST_CASE("bad input over TLS: 400 KB of nested arrays gets HTTP 400 and the webhook keeps serving") {
  InitializerProcess server;
  CheckStillServes(server);
  const Result<http::Response> r = server.Post(std::string(400 * 1024, '['));
  const std::optional<std::string> exited = server.ExitedWithin(std::chrono::seconds(r.ok() ? 0 : 2));
  if (exited) FAIL("the initializer " << *exited << " on 400 KB of '[':\n" << server.Log());
  if (!r.ok()) FAIL("no answer: " << r.status().ToString());
  CHECK(r->status == 400);
  CHECK_THAT(r->body, Catch::StartsWith("AdmissionReview: "));
  CheckStillServes(server);
}

}  // namespace
}  // namespace spark_operator::initializer::testing
