// The HTTP client against small local servers that misbehave on purpose: what is retried, what is bounded.
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/http/client.h"
#include "tests/support/http_wire.h"

namespace spark_operator::http {
namespace {

namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// What the server does with one request: write `bytes` back (status line, headers, body) and maybe close the
// connection after them; nullopt closes it without an answer.
struct Answer {
  std::string bytes;
  bool close = false;
};
using Reply = std::function<std::optional<Answer>(const bhttp::request<bhttp::string_body>&)>;

// A blocking HTTP/1.1 server on 127.0.0.1, one thread per connection, counting what it receives.
class TinyServer {
 public:
  explicit TinyServer(Reply reply) : reply_(std::move(reply)), acceptor_(io_, testing::Loopback(0)) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~TinyServer() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket wake(io_);
    wake.connect(testing::Loopback(port_), ec);  // Unblocks accept().
    accept_thread_.join();
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      // Unblocks the connection threads' reads; the sockets stay open (their descriptors not reused) until here.
      for (const auto& socket : sockets_) ::shutdown(socket->native_handle(), SHUT_RDWR);
    }
    for (std::thread& t : connection_threads_) t.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests(const std::string& method) const {
    const std::lock_guard<std::mutex> lock(mutex_);
    int n = 0;
    for (const std::string& m : methods_) n += m == method;
    return n;
  }
  int connections() const { return connections_; }
  int closed() const { return closed_; }

 private:
  void AcceptLoop() {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (stopping_ || ec) return;
      ++connections_;
      const std::lock_guard<std::mutex> lock(mutex_);
      sockets_.push_back(socket);
      connection_threads_.emplace_back([this, socket] { Serve(*socket); });
    }
  }

  void Serve(tcp::socket& socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(64 << 20);
      boost::system::error_code ec;
      bhttp::read(socket, buffer, parser, ec);
      if (ec) break;
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        methods_.push_back(std::string(parser.get().method_string()));
      }
      const std::optional<Answer> answer = reply_(parser.get());
      if (!answer) break;
      net::write(socket, net::buffer(answer->bytes), ec);
      if (ec || answer->close) break;
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    ++closed_;
  }

  Reply reply_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> closed_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> methods_;
  std::vector<std::shared_ptr<tcp::socket>> sockets_;
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;
};

Answer Ok(const std::string& body, bool close = false) {
  return {"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
              body,
          close};
}

bool WaitFor(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

Request Make(const std::string& method, const std::string& body = "") {
  Request request;
  request.method = method;
  request.target = "/x";
  request.body = body;
  return request;
}

TEST_CASE("a POST written on a pooled connection that the server then drops is not sent again") {
  TinyServer server([](const auto& request) -> std::optional<Answer> {
    if (request.method() == bhttp::verb::post) return std::nullopt;  // Took it, died before answering.
    return Ok("fine");
  });
  auto client = Client::Create(server.url(), {});
  REQUIRE(client.ok());
  REQUIRE((*client)->Send(Make("GET")).ok());  // Leaves a kept-alive connection in the pool.

  const Result<Response> response = (*client)->Send(Make("POST", R"({"kind":"Event"})"));
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().code() == StatusCode::kUnavailable);
  CHECK(server.requests("POST") == 1);
}

TEST_CASE("a GET on a pooled connection that the server drops is retried once on a new connection") {
  std::atomic<int> gets{0};
  TinyServer server([&gets](const auto&) -> std::optional<Answer> {
    if (++gets == 2) return std::nullopt;  // The second GET dies with its connection.
    return Ok("fine");
  });
  auto client = Client::Create(server.url(), {});
  REQUIRE(client.ok());
  REQUIRE((*client)->Send(Make("GET")).ok());
  const Result<Response> response = (*client)->Send(Make("GET"));
  REQUIRE(response.ok());
  CHECK(response->body == "fine");
  CHECK(server.requests("GET") == 3);
  CHECK(server.connections() == 2);
}

TEST_CASE("a POST is sent on a new connection when the pooled one was closed before the request was written") {
  TinyServer server([](const auto& request) -> std::optional<Answer> {
    // The GET's answer keeps the connection alive as far as the client knows, but the server closes it.
    if (request.method() == bhttp::verb::get) return Ok("ok", /*close=*/true);
    return Ok("created");
  });
  auto client = Client::Create(server.url(), {});
  REQUIRE(client.ok());
  REQUIRE((*client)->Send(Make("GET")).ok());
  REQUIRE(WaitFor([&] { return server.closed() == 1; }));
  const Result<Response> response = (*client)->Send(Make("POST", "{}"));
  REQUIRE(response.ok());
  CHECK(response->body == "created");
  CHECK(server.requests("POST") == 1);
  CHECK(server.connections() == 2);
}

TEST_CASE("a response body over max_response_bytes is an error and its connection is dropped") {
  TinyServer server([](const auto& request) -> std::optional<Answer> {
    return Ok(std::string(request.target() == "/big" ? (2 << 20) : 10, 'x'));
  });
  ClientOptions options;
  options.max_response_bytes = 1 << 20;
  auto client = Client::Create(server.url(), {}, options);
  REQUIRE(client.ok());
  Request big = Make("GET");
  big.target = "/big";
  const Result<Response> response = (*client)->Send(big);
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().message() ==
        "response from 127.0.0.1:" + server.url().substr(17) + " is larger than 1048576 bytes");
  const Result<Response> next = (*client)->Send(Make("GET"));
  REQUIRE(next.ok());
  CHECK(next->body.size() == 10);
  CHECK(server.connections() == 2);

  auto stream = (*client)->OpenStream(big);
  REQUIRE(stream.ok());
  const Result<std::string> all = (*stream)->ReadAll(std::chrono::seconds(10));
  REQUIRE_FALSE(all.ok());
  CHECK(all.status().message() == "response body larger than 1048576 bytes");
}

TEST_CASE("a streamed line longer than max_line_bytes is an error, not an ever-growing buffer") {
  // A watch that sends one 3 MiB "line" without a newline, chunked as the API server streams.
  TinyServer server([](const auto&) -> std::optional<Answer> {
    std::string bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string chunk(1 << 20, 'x');
    const std::string first = "{\"type\":\"ADDED\"}\n";
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", first.size());
    bytes += size + first + "\r\n";
    for (int i = 0; i < 3; ++i) {
      std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
      bytes += size + chunk + "\r\n";
    }
    bytes += "0\r\n\r\n";
    return Answer{bytes, true};
  });
  ClientOptions options;
  options.max_line_bytes = 1 << 20;
  auto client = Client::Create(server.url(), {}, options);
  REQUIRE(client.ok());
  auto stream = (*client)->OpenStream(Make("GET"));
  REQUIRE(stream.ok());
  const auto first = (*stream)->ReadLine(std::chrono::seconds(10));
  REQUIRE(first.ok());
  CHECK(**first == "{\"type\":\"ADDED\"}");
  const auto second = (*stream)->ReadLine(std::chrono::seconds(10));
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().message() == "streamed line longer than 1048576 bytes");
}

TEST_CASE("name resolution has a deadline within connect_timeout") {
  struct Gate {
    std::mutex mutex;
    std::condition_variable cv;
    bool open = false;
  };
  auto gate = std::make_shared<Gate>();
  ClientOptions options;
  options.connect_timeout = std::chrono::milliseconds(200);
  // A resolver that hangs until the test ends, like a DNS server that never answers.
  options.resolver = [gate](const std::string&) -> Result<std::vector<std::string>> {
    std::unique_lock<std::mutex> lock(gate->mutex);
    gate->cv.wait(lock, [&] { return gate->open; });
    return std::vector<std::string>{"127.0.0.1"};
  };
  auto client = Client::Create("http://unresolvable.invalid:1", {}, options);
  REQUIRE(client.ok());
  const Result<Response> response = (*client)->Send(Make("GET"));  // Before the deadline: hung here for good.
  REQUIRE_FALSE(response.ok());
  CHECK(response.status().code() == StatusCode::kDeadlineExceeded);
  CHECK(response.status().message() == "resolving unresolvable.invalid: timed out after 200ms");
  {
    const std::lock_guard<std::mutex> lock(gate->mutex);
    gate->open = true;
  }
  gate->cv.notify_all();
}

TEST_CASE("host names resolve through the system resolver") {
  TinyServer server([](const auto&) -> std::optional<Answer> { return Ok("hello"); });
  auto client = Client::Create("http://localhost:" + server.url().substr(17), {});
  REQUIRE(client.ok());
  const Result<Response> response = (*client)->Send(Make("GET"));
  REQUIRE(response.ok());
  CHECK(response->body == "hello");
}

}  // namespace
}  // namespace spark_operator::http
