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

TEST(RequestFramer, RefusesABareLfOrCrAsSoonAsItArrives) {
  for (const std::string request :
       {"GET /a HTTP/1.1\nHost: x\n\n", "GET /a HTTP/1.1\r\nHost: x\n", "GET /a HTTP/1.1\rHost: x",
        "GET /a HTTP/1.1\r\nHost: x\r\n\n"}) {
    RequestFramer framer;
    const auto out = framer.consume(request);
    ASSERT_TRUE(out.error) << request;
    EXPECT_EQ(out.error->status, 400) << request;
  }
  // Byte by byte: the bare LF is refused when it arrives, not when the head would end; a CRLF
  // split between two reads is fine.
  RequestFramer framer;
  const std::string lf = "GET /a HTTP/1.1\r\nHost: x\nX: y";
  for (std::size_t i = 0; i < lf.size(); ++i) {
    const auto out = framer.consume(lf.substr(i, 1));
    if (lf[i] == '\n' && lf[i - 1] != '\r') {
      ASSERT_TRUE(out.error) << i;
      break;
    }
    ASSERT_FALSE(out.error) << i;
  }
  RequestFramer split;
  EXPECT_FALSE(split.consume("GET /a HTTP/1.1\r").error);
  const auto rest = split.consume("\nHost: x\r\n\r\n");
  EXPECT_FALSE(rest.error);
  EXPECT_TRUE(rest.complete);
}

TEST(RequestFramer, ServesHigherMinorVersionsOfHttp1AsHttp11) {
  RequestFramer framer;
  const auto out = framer.consume("GET /a HTTP/1.7\r\nHost: x\r\n\r\n");
  ASSERT_FALSE(out.error);
  EXPECT_TRUE(framer.head().http11);
  EXPECT_TRUE(framer.head().keep_alive);
  // Pistache's parser, which knows only 1.0 and 1.1, gets the version we serve.
  EXPECT_EQ(out.head, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  for (const std::string version : {"HTTP/2.0", "HTTP/3.0", "HTTP/9.9", "HTTP/0.9"}) {
    RequestFramer other;
    const auto refused = other.consume("GET /a " + version + "\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(refused.error) << version;
    EXPECT_EQ(refused.error->status, 505) << version;
  }
  for (const std::string version : {"HTTP/1.x", "HTTP/1", "HTTP/1.10", "HTTP/11.1", "HTTP/1.1 "}) {
    RequestFramer other;
    const auto refused = other.consume("GET /a " + version + "\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(refused.error) << version;
    EXPECT_EQ(refused.error->status, 400) << version;
  }
}

TEST(RequestFramer, ChecksTheHostHeader) {
  auto status = [](const std::string& headers, const std::string& version = "HTTP/1.1") {
    RequestFramer framer;
    const auto out = framer.consume("GET /a " + version + "\r\n" + headers + "\r\n");
    return out.error ? out.error->status : 0;
  };
  for (const std::string host :
       {"x", "localhost:8080", "127.0.0.1:1", "[::1]", "[2001:db8::1]:443", "[::ffff:1.2.3.4]",
        "[v7.a:b]", "a%2Fb", "sub-delims!$&'()*+,;=", "", "x:65535", "x:0", "x:000001"}) {
    EXPECT_EQ(status("Host: " + host + "\r\n"), 0) << host;
  }
  for (const std::string host :
       {"bad host", "a/b", "a@b", "a:b:c", "a:-1", "[::1", "[]", "[x]", "[::1]x", "[v.x]", "%zz",
        "a%2", "a\"b", "a?b", "a#b", "x:", "x:65536", "[::1]:"}) {
    EXPECT_EQ(status("Host: " + host + "\r\n"), 400) << host;
  }
  EXPECT_EQ(status(""), 400);
  EXPECT_EQ(status("Host: x\r\nHost: x\r\n"), 400);
  EXPECT_EQ(status("", "HTTP/1.0"), 0);
  EXPECT_EQ(status("Host: bad host\r\n", "HTTP/1.0"), 400);
}

TEST(RequestFramer, AllowsOnlyRfc3986CharactersInTheTarget) {
  for (const char c : std::string("\"<>{}|\\^`[] \x01\x1f\x7f#")) {
    for (const std::string prefix : {"/a", "/a?q="}) {
      RequestFramer framer;
      const auto out =
          framer.consume("GET " + prefix + std::string(1, c) + "b HTTP/1.1\r\nHost: x\r\n\r\n");
      ASSERT_TRUE(out.error) << prefix << c;
      EXPECT_EQ(out.error->status, 400) << prefix << c;
    }
  }
  RequestFramer framer;
  const auto out =
      framer.consume("GET /a-._~!$&'()*+,;=:@%41/b?c=d/?e%zz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_FALSE(out.error);
  EXPECT_TRUE(out.complete);
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

// Found by fuzz/fuzz_request_framing (corpus: request_framing/head-over-limit): the framer
// buffers one byte past max_head_bytes to notice a head that is too large, and accepted a head
// whose blank line ended exactly in that byte.
TEST(RequestFramer, HeadOfOneByteOverTheLimitIsRefusedHoweverItArrives) {
  FramingLimits limits;
  limits.max_head_bytes = 64;
  const std::string start = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ";
  auto headOf = [&](std::size_t size) {
    return start + std::string(size - start.size() - 4, 'p') + "\r\n\r\n";
  };
  // The last output of a framer fed `head` in reads of `step` bytes, up to its first refusal.
  auto frame = [&](const std::string& head, std::size_t step) {
    RequestFramer framer(limits);
    RequestFramer::Output out;
    for (std::size_t at = 0; at < head.size() && !out.error; at += step) {
      out = framer.consume(std::string_view(head).substr(at, step));
    }
    return out;
  };
  for (const std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{65}}) {
    const auto atLimit = frame(headOf(64), step);
    EXPECT_FALSE(atLimit.error) << "reads of " << step;
    EXPECT_TRUE(atLimit.complete) << "reads of " << step;
    const auto overLimit = frame(headOf(65), step);
    ASSERT_TRUE(overLimit.error) << "reads of " << step;
    EXPECT_EQ(overLimit.error->status, 431) << "reads of " << step;
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

// A refused request is answered with the client's X-Request-Id and logged under the address a
// trusted proxy names: the header lines of a complete head are read whatever its request line.
TEST(RequestFramer, KeepsTheHeadersOfAHeadItRefuses) {
  RequestFramer framer;
  const auto out = framer.consume(
      "GET /a\"b HTTP/1.1\r\nHost: x\r\nX-Request-Id: r-1\r\nX-Forwarded-For: 192.0.2.7\r\n\r\n");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->status, 400);
  ASSERT_EQ(framer.head().headers.size(), 3u);
  EXPECT_EQ(framer.head().headers[1].value, "r-1");
  EXPECT_EQ(framer.head().headers[2].value, "192.0.2.7");
  // Header lines after a refused one are kept too (a proxy sends its own after Host); the first
  // refusal is the one answered.
  RequestFramer behindProxy;
  const auto badHost = behindProxy.consume(
      "GET / HTTP/1.1\r\nHost: a@b\r\nBad Line\r\nX-Request-Id: r-2\r\nTransfer-Encoding: "
      "x\r\n\r\n");
  ASSERT_TRUE(badHost.error);
  EXPECT_EQ(badHost.error->status, 400);
  ASSERT_EQ(behindProxy.head().headers.size(), 3u);
  EXPECT_EQ(behindProxy.head().headers[1].value, "r-2");
  // The request line's refusal is the one answered, not a later header's.
  RequestFramer other;
  const auto both = other.consume("BREW / HTTP/1.1\r\nContent-Length: x\r\n\r\n");
  ASSERT_TRUE(both.error);
  EXPECT_EQ(both.error->status, 501);
}

}  // namespace
}  // namespace kkr::api
