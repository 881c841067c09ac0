// Request framing in front of Pistache's parser (api/src/request_framing.cpp).
#include "request_framing.hpp"

#include <gtest/gtest.h>

namespace kkr::api {
namespace {

TEST(RequestFramer, FramesAGetInOneChunk) {
  RequestFramer framer;
  const std::string bytes = "GET /v1/kommuner?q=a HTTP/1.1\r\nHost: x\r\nX-A:  b \r\n\r\n";
  const auto out = framer.consume(bytes);
  EXPECT_EQ(out.consumed, bytes.size());
  EXPECT_TRUE(out.started);
  EXPECT_TRUE(out.complete);
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.head, bytes);
  EXPECT_EQ(framer.head().method, "GET");
  EXPECT_EQ(framer.head().target, "/v1/kommuner?q=a");
  EXPECT_TRUE(framer.head().keep_alive);
  ASSERT_EQ(framer.head().headers.size(), 2u);
  EXPECT_EQ(framer.head().headers[1].value, "b");
}

TEST(RequestFramer, StopsAtTheEndOfEachRequest) {
  RequestFramer framer;
  const std::string first = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
  const std::string second = "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string both = first + second;
  auto out = framer.consume(both);
  EXPECT_EQ(out.consumed, first.size());
  EXPECT_TRUE(out.complete);
  EXPECT_EQ(out.body, "hello");
  framer.next();
  out = framer.consume(std::string_view(both).substr(first.size()));
  EXPECT_TRUE(out.complete);
  EXPECT_EQ(framer.head().target, "/b");
}

TEST(RequestFramer, AssemblesAHeadAndBodyByteByByte) {
  RequestFramer framer;
  const std::string bytes = "\r\nPOST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
  std::string head;
  std::string body;
  bool complete = false;
  for (char c : bytes) {
    const auto out = framer.consume(std::string_view(&c, 1));
    ASSERT_FALSE(out.error);
    EXPECT_EQ(out.consumed, 1u);
    head += out.head;
    body += out.body;
    complete = complete || out.complete;
  }
  EXPECT_TRUE(complete);
  EXPECT_EQ(head, bytes.substr(2, bytes.size() - 5));
  EXPECT_EQ(body, "abc");
}

TEST(RequestFramer, RefusesWhatCouldBeSmuggled) {
  const std::vector<std::pair<std::string, int>> cases{
      {"Content-Length: -1\r\n", 400},
      {"Content-Length: 1\r\nContent-Length: 1\r\n", 400},
      {"Content-Length: 1,1\r\n", 400},
      {"Content-Length: 0x10\r\n", 400},
      {"Transfer-Encoding: chunked\r\n", 501},
      {"Content-Length: 2000000\r\n", 413},
      {" obs-fold\r\n", 400},
      {"No-Colon\r\n", 400},
      {"Sp ace: x\r\n", 400},
      {"X: a\x01\r\n", 400},
  };
  for (const auto& [header, status] : cases) {
    RequestFramer framer;
    const auto out = framer.consume("POST /a HTTP/1.1\r\nHost: x\r\n" + header + "\r\n");
    ASSERT_TRUE(out.error) << header;
    EXPECT_EQ(out.error->status, status) << header;
    // Once refused, nothing more is framed.
    EXPECT_EQ(framer.consume("GET / HTTP/1.1\r\nHost: x\r\n\r\n").consumed, 0u);
  }
}

TEST(RequestFramer, RefusesBadRequestLines) {
  const std::vector<std::pair<std::string, int>> cases{
      {"GET /a HTTP/1.1\r\n\r\n", 400},  // no Host
      {"BREW /a HTTP/1.1\r\nHost: x\r\n\r\n", 501},
      {"GET /a HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"GET /a HTTX/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET a HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /a\x7f HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /a  HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"Get /a HTTP/1.1\r\nHost: x\r\n\r\n", 501},
  };
  for (const auto& [request, status] : cases) {
    RequestFramer framer;
    const auto out = framer.consume(request);
    ASSERT_TRUE(out.error) << request;
    EXPECT_EQ(out.error->status, status) << request;
  }
}

TEST(RequestFramer, LimitsHeadAndTarget) {
  FramingLimits limits;
  limits.max_head_bytes = 256;
  limits.max_target_bytes = 64;
  {
    RequestFramer framer(limits);
    const auto out =
        framer.consume("GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->status, 414);
  }
  {
    RequestFramer framer(limits);
    const auto out = framer.consume("GET /a HTTP/1.1\r\nX: " + std::string(300, 'a'));
    ASSERT_TRUE(out.error);
    EXPECT_EQ(out.error->status, 431);
  }
}

TEST(RequestFramer, ConnectionSemantics) {
  auto keepAlive = [](const std::string& request) {
    RequestFramer framer;
    framer.consume(request);
    return framer.head().keep_alive;
  };
  EXPECT_TRUE(keepAlive("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_FALSE(keepAlive("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_FALSE(keepAlive("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
  EXPECT_FALSE(keepAlive("GET / HTTP/1.1\r\nHost: x\r\nConnection: te, close\r\n\r\n"));
}

}  // namespace
}  // namespace kkr::api
