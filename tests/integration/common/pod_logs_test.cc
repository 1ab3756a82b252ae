// Container logs through the API server, as the controller reads them to ship them: the test chooses each
// container's log with SetPodLog (tests/support/pod_logs.h) and kwok, the fake nodes' kubelet, serves it.
#include "tests/support/pod_logs.h"

#include <filesystem>

#include "tests/support/cluster.h"

namespace spark_operator::kube {
namespace {

using testing::AdminClient;
using testing::ClusterDir;
using testing::Eventually;
using testing::Json;
using testing::SetPodLog;
using testing::TestNamespace;

// A file with `content`, deleted at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("pod-log-" + std::to_string(::getpid()) + "-" + std::to_string(++counter)))
                .string();
    REQUIRE(WriteFileAtomically(path_, content).ok());
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Log(Client& client, const std::string& ns, const std::string& pod, const std::string& container) {
  const Result<http::Response> response =
      client.Raw("GET", resources::kPods.ObjectPath(ns, pod, "log") + "?container=" + container);
  if (!response.ok()) return response.status().ToString();
  return response->status == 200 ? response->body : "HTTP " + std::to_string(response->status);
}

TEST_CASE("the API server serves each container's log as the test set it, before or after the pod exists") {
  auto client = AdminClient();
  const TestNamespace ns(client);
  const std::string driver_log = "Spark driver\n\ttab, UTF-8 \xc3\xa9, CR\r\n\nlast line without newline";
  const TempFile driver(driver_log);
  REQUIRE(SetPodLog(*client, ns.name(), "app-driver", "spark-kubernetes-driver", driver.path()).ok());

  rapidjson::Document pod = Json(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"app-driver"},
      "spec":{"restartPolicy":"Never","containers":[{"name":"spark-kubernetes-driver","image":"spark:sim"},
                                                   {"name":"sidecar","image":"busybox:sim"}]}})");
  REQUIRE(client->Create(resources::kPods, ns.name(), pod).ok());
  REQUIRE(Eventually([&] {
    const Result<rapidjson::Document> got = client->Get(resources::kPods, ns.name(), "app-driver");
    return got.ok() && GetString(*got, {"status", "phase"}) == "Running";
  }));
  CHECK(Log(*client, ns.name(), "app-driver", "spark-kubernetes-driver") == driver_log);
  CHECK(Log(*client, ns.name(), "app-driver", "sidecar") == "HTTP 400");  // None set for it.

  const TempFile sidecar("sidecar line\n");
  REQUIRE(SetPodLog(*client, ns.name(), "app-driver", "sidecar", sidecar.path()).ok());
  CHECK(Log(*client, ns.name(), "app-driver", "sidecar") == "sidecar line\n");
  CHECK(Log(*client, ns.name(), "app-driver", "spark-kubernetes-driver") == driver_log);

  const TempFile replaced("");
  REQUIRE(SetPodLog(*client, ns.name(), "app-driver", "spark-kubernetes-driver", replaced.path()).ok());
  CHECK(Log(*client, ns.name(), "app-driver", "spark-kubernetes-driver").empty());

  std::error_code ec;
  std::filesystem::remove_all(ClusterDir() + "/pod-logs/" + ns.name(), ec);
}

}  // namespace
}  // namespace spark_operator::kube
