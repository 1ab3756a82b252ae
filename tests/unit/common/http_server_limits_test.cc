// The server's bounds on what clients can make it hold: connections, and file descriptors when they run out.
#include <fcntl.h>
#include <glog/logging.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "common/http/server.h"
#include "tests/support/http_wire.h"

namespace spark_operator::http {
namespace {

namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Server::Routes HelloRoutes() {
  Server::Routes routes;
  routes["/hello"] = [](const ServerRequest&) { return ServerResponse::Text(200, "hello"); };
  return routes;
}

std::unique_ptr<tcp::socket> Connect(net::io_context& ioc, uint16_t port) {
  auto socket = std::make_unique<tcp::socket>(ioc);
  socket->connect(testing::Loopback(port));
  return socket;
}

void SendHello(tcp::socket& socket) { bhttp::write(socket, testing::MakeRequest(bhttp::verb::get, "/hello")); }

// Whether the socket has something to read within `timeout`.
bool Readable(tcp::socket& socket, std::chrono::milliseconds timeout) {
  pollfd fd{socket.native_handle(), POLLIN, 0};
  return ::poll(&fd, 1, static_cast<int>(timeout.count())) > 0;
}

int ReadStatus(tcp::socket& socket) {
  boost::beast::flat_buffer buffer;
  testing::HttpResponse response;
  boost::system::error_code ec;
  bhttp::read(socket, buffer, response, ec);
  return ec ? -1 : static_cast<int>(response.result_int());
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST_CASE("beyond max_connections the server serves a new connection only once another one closes") {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.max_connections = 2;
  auto server = Server::Start(options, HelloRoutes());
  REQUIRE(server.ok());
  net::io_context ioc;
  auto first = Connect(ioc, (*server)->port());
  auto second = Connect(ioc, (*server)->port());
  for (auto* socket : {first.get(), second.get()}) {
    SendHello(*socket);
    REQUIRE(ReadStatus(*socket) == 200);
  }
  auto third = Connect(ioc, (*server)->port());  // Completes in the kernel's backlog.
  SendHello(*third);
  // The two kept-alive connections are still served meanwhile...
  SendHello(*second);
  REQUIRE(ReadStatus(*second) == 200);
  // ...but the third is not accepted while they are open (without the cap it is answered within a millisecond).
  CHECK_FALSE(Readable(*third, std::chrono::milliseconds(300)));
  first.reset();
  REQUIRE(Readable(*third, std::chrono::seconds(20)));
  CHECK(ReadStatus(*third) == 200);
}

int CountInFile(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  int n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

TEST_CASE("out of file descriptors, the server backs off between accepts and recovers when some are freed") {
  const std::string log =
      (std::filesystem::temp_directory_path() / ("server-emfile-" + std::to_string(getpid()) + ".log")).string();
  int port_pipe[2];
  int done_pipe[2];
  REQUIRE(pipe(port_pipe) == 0);
  REQUIRE(pipe(done_pipe) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The server, in a process of its own whose descriptor limit is a few above what it has open.
    close(port_pipe[0]);
    close(done_pipe[1]);
    const int log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(log_fd, 2);
    close(log_fd);
    FLAGS_logtostderr = true;
    ServerOptions options;
    options.address = "127.0.0.1";
    auto server = Server::Start(options, HelloRoutes());
    if (!server.ok()) _exit(2);
    int open_fds = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++open_fds;
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = static_cast<rlim_t>(open_fds + 4);
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(3);
    const uint16_t port = (*server)->port();
    if (write(port_pipe[1], &port, sizeof port) != sizeof port) _exit(4);
    char byte;
    (void)!read(done_pipe[0], &byte, 1);  // Until the parent is done.
    _exit(0);
  }
  close(port_pipe[1]);
  close(done_pipe[0]);
  uint16_t port = 0;
  REQUIRE(read(port_pipe[0], &port, sizeof port) == sizeof port);

  net::io_context ioc;
  std::vector<std::unique_ptr<tcp::socket>> clients;
  for (int i = 0; i < 30; ++i) clients.push_back(Connect(ioc, port));  // More than the server can accept.
  REQUIRE(WaitFor([&] { return CountInFile(log, "accept failed: Too many open files") > 0; }));
  const int before = CountInFile(log, "accept failed");
  std::this_thread::sleep_for(std::chrono::seconds(2));  // The window in which failed accepts are counted.
  const int during = CountInFile(log, "accept failed") - before;
  // Back-off from 50 ms doubling to 1 s: a handful of attempts in 2 s. Without it: thousands, a core spinning.
  CHECK(during <= 8);

  clients.clear();  // Frees the descriptors of the connections the server had accepted.
  bool served = WaitFor([&] {
    auto socket = Connect(ioc, port);
    SendHello(*socket);
    return Readable(*socket, std::chrono::seconds(3)) && ReadStatus(*socket) == 200;
  });
  CHECK(served);
  close(done_pipe[1]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace spark_operator::http
