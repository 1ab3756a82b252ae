// HTTP/1.1 by hand, over TCP or TLS, for tests of the servers: each test sees exactly what goes on the wire
// instead of what the project's own client would make of it.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <string>

namespace spark_operator::testing {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Where every server under test listens.
inline boost::asio::ip::tcp::endpoint Loopback(uint16_t port) {
  return {boost::asio::ip::make_address("127.0.0.1"), port};
}

// An HTTP/1.1 request to the loopback host with its body's length set.
inline HttpRequest MakeRequest(boost::beast::http::verb verb, const std::string& target, const std::string& body = "") {
  HttpRequest request(verb, target, 11);
  request.set(boost::beast::http::field::host, "127.0.0.1");
  request.body() = body;
  request.prepare_payload();
  return request;
}

// Writes the request and reads one response; the test fails on a broken connection.
template <typename Stream>
HttpResponse RoundTrip(Stream& stream, const HttpRequest& request) {
  boost::beast::http::write(stream, request);
  boost::beast::flat_buffer buffer;
  HttpResponse response;
  boost::beast::http::read(stream, buffer, response);
  return response;
}

// A plain connection to the loopback port.
struct PlainClient {
  explicit PlainClient(uint16_t port) : stream(ioc) { stream.connect(Loopback(port)); }
  boost::asio::io_context ioc;
  boost::beast::tcp_stream stream;
};

// A TLS connection to the loopback port that takes any certificate: the tests look at names, not at trust.
struct TlsClient {
  explicit TlsClient(uint16_t port) : ctx(boost::asio::ssl::context::tls_client), stream(ioc, ctx) {
    ctx.set_verify_mode(boost::asio::ssl::verify_none);
    boost::beast::get_lowest_layer(stream).connect(Loopback(port));
    stream.handshake(boost::asio::ssl::stream_base::client);
  }
  boost::asio::io_context ioc;
  boost::asio::ssl::context ctx;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream;
};

}  // namespace spark_operator::testing
