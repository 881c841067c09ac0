// The connection level: keep-alive, pipelining, HEAD, what HTTP/1.1 allows, request ids, timeouts,
// CORS. Raw sockets where libcurl would refuse to send the bytes. Malformed and hostile requests
// (smuggling, size limits, bad framing) are the hostile corpus: hostile_corpus_test.cpp.
#include <thread>

#include "http_helpers.hpp"

namespace kkr::testing {
namespace {

std::string rawGet(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

/// How many HTTP responses a byte stream holds (status lines).
std::size_t responsesIn(const std::string& bytes) {
  std::size_t count = 0;
  for (std::size_t pos = bytes.find("HTTP/1."); pos != std::string::npos;
       pos = bytes.find("HTTP/1.", pos + 1)) {
    ++count;
  }
  return count;
}

TEST(TransportHttp, KeepAliveForHttp11ClientsWithoutAConnectionHeader) {
  RawConnection conn(server().port());
  ASSERT_TRUE(conn.send(rawGet("/healthz")));
  const auto first = conn.readResponse();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->header("Connection"), "keep-alive");
  EXPECT_EQ(first->headerCount("Connection"), 1u);
  ASSERT_TRUE(conn.send(rawGet("/v1/kommuner/0851")));
  const auto second = conn.readResponse();
  ASSERT_TRUE(second.has_value()) << "the server closed a kept-alive connection";
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->json()["name"], "Aalborg");
  logForContract("GET", "/v1/kommuner/0851", *second);

  auto client = server().client();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.get("/healthz").status, 200);
  EXPECT_EQ(client.connectionsOpened(), 1);
}

TEST(TransportHttp, ConnectionCloseAndHttp10AreHonoured) {
  {
    RawConnection conn(server().port());
    ASSERT_TRUE(conn.send(rawGet("/healthz", "Connection: close\r\n")));
    const auto r = conn.readResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->header("Connection"), "close");
    EXPECT_EQ(conn.readUntilClosed(std::chrono::milliseconds(3000)), "");
    EXPECT_TRUE(conn.closedByPeer());
  }
  {
    RawConnection conn(server().port());
    ASSERT_TRUE(conn.send("GET /healthz HTTP/1.0\r\n\r\n"));
    const auto r = conn.readResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("Connection"), "close");
    conn.readUntilClosed(std::chrono::milliseconds(3000));
    EXPECT_TRUE(conn.closedByPeer());
  }
  {
    RawConnection conn(server().port());
    ASSERT_TRUE(conn.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    const auto r = conn.readResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->header("Connection"), "keep-alive");
  }
}

TEST(TransportHttp, PipelinedRequestsAreAllAnsweredInOrder) {
  RawConnection conn(server().port());
  ASSERT_TRUE(conn.send(rawGet("/healthz", "X-Request-Id: first\r\n") +
                        rawGet("/v1/kommuner/0773", "X-Request-Id: second\r\n") +
                        rawGet("/nowhere", "X-Request-Id: third\r\n")));
  const auto a = conn.readResponse();
  const auto b = conn.readResponse();
  const auto c = conn.readResponse();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->header("X-Request-Id"), "first");
  EXPECT_EQ(b->header("X-Request-Id"), "second");
  EXPECT_EQ(b->json()["name"], "Morsø");
  EXPECT_EQ(c->header("X-Request-Id"), "third");
  EXPECT_EQ(c->status, 404);
}

TEST(TransportHttp, HeadGetsNoBody) {
  const auto get = server().client().get("/v1/kommuner");
  ASSERT_EQ(get.status, 200);
  RawConnection conn(server().port());
  ASSERT_TRUE(conn.send("HEAD /v1/kommuner HTTP/1.1\r\nHost: localhost\r\n\r\n" +
                        rawGet("/healthz", "X-Request-Id: next\r\nConnection: close\r\n")));
  // The answer to HEAD says GET's Content-Length but carries no content, so the next response
  // follows its head directly.
  const std::string bytes = conn.readUntilClosed(std::chrono::milliseconds(3000));
  ASSERT_EQ(bytes.rfind("HTTP/1.1 200 ", 0), 0u) << bytes;
  const std::string head = bytes.substr(0, bytes.find("\r\n\r\n") + 4);
  EXPECT_NE(head.find("\r\nContent-Length: " + std::to_string(get.body.size()) + "\r\n"),
            std::string::npos)
      << head;
  EXPECT_NE(head.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << head;
  EXPECT_EQ(bytes.substr(head.size(), 13), "HTTP/1.1 200 ") << bytes;
  EXPECT_NE(bytes.find("X-Request-Id: next"), std::string::npos) << bytes;
  EXPECT_EQ(responsesIn(bytes), 2u) << bytes;
}

// RFC 9110 §9.3.2: HEAD wherever GET is, with GET's status and headers and no content.
TEST(TransportHttp, HeadAnswersLikeGetWithoutContent) {
  auto client = server().client();
  const std::vector<std::string> paths{
      "/v1/kommuner", "/v1/kommuner/0851", "/v1/kommuner?format=csv", "/v1/persons/9999999",
      "/healthz",     "/openapi.yaml",     "/v1/kommuner?bogus=1"};
  for (const auto& path : paths) {
    SCOPED_TRACE(path);
    const auto get = client.get(path);
    const auto head = client.request("HEAD", path);
    EXPECT_EQ(head.status, get.status);
    EXPECT_TRUE(head.body.empty()) << head.body;
    for (const char* name : {"Content-Type", "Content-Length", "ETag", "Cache-Control"}) {
      EXPECT_EQ(head.header(name), get.header(name)) << name;
    }
    EXPECT_EQ(head.header("Content-Length"), std::to_string(get.body.size()));
  }
  // Conditional HEAD, and HEAD on a route answered by a worker (credentials, /readyz).
  const auto etag = client.get("/v1/kommuner/0851").header("ETag");
  ASSERT_TRUE(etag.has_value());
  EXPECT_EQ(client.request("HEAD", "/v1/kommuner/0851", {{"If-None-Match", *etag}}).status, 304);
  EXPECT_EQ(client.request("HEAD", "/readyz").status, 200);
  EXPECT_EQ(client.request("HEAD", "/v1/kommuner", {{"Authorization", "Bearer wrong"}}).status,
            401);
  // HEAD where GET is not served; Allow names HEAD wherever GET is allowed.
  const auto noGet = client.request("PUT", "/v1/kommuner", {}, std::string("{}"));
  EXPECT_EQ(noGet.status, 405);
  EXPECT_EQ(noGet.header("Allow"), "GET, HEAD, POST");
  EXPECT_EQ(client.request("HEAD", "/nowhere").status, 404);
  // Like GET, HEAD takes no body. (Its answer has no content whatever its Content-Length says,
  // so it is read up to the end of the stream.)
  RawConnection conn(server().port());
  ASSERT_TRUE(
      conn.send("HEAD /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                "Content-Length: 2\r\n\r\nhi"));
  const std::string bytes = conn.readUntilClosed(std::chrono::milliseconds(3000));
  EXPECT_EQ(bytes.rfind("HTTP/1.1 400 ", 0), 0u) << bytes;
  EXPECT_EQ(bytes.find("\r\n\r\n") + 4, bytes.size()) << bytes;
  EXPECT_NE(bytes.find("application/problem+json"), std::string::npos) << bytes;
}

// What HTTP/1.1 allows is served: a higher minor version of HTTP/1 as HTTP/1.1 (RFC 9110 §2.5),
// every host form RFC 3986 has, and every character it allows in a target; the connection stays
// open.
TEST(TransportHttp, WhatHttp11AllowsIsServed) {
  const std::vector<std::pair<std::string, long>> probes{
      {"GET /healthz HTTP/1.2\r\nHost: localhost\r\n\r\n", 200},
      {"GET /healthz HTTP/1.9\r\nHost: localhost\r\n\r\n", 200},
      {"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200},
      {"GET /healthz HTTP/1.1\r\nHost: localhost:8080\r\n\r\n", 200},
      {"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 200},
      {"GET /healthz HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 200},
      {"GET /healthz HTTP/1.1\r\nHost: [v1.fe80::a+en1]\r\n\r\n", 200},
      {"GET /healthz HTTP/1.1\r\nHost: kkr.example\r\n\r\n", 200},
      {"GET /healthz HTTP/1.1\r\nHost: k%C3%A6r_~-.example:65535\r\n\r\n", 200},
      {"GET /healthz HTTP/1.1\r\nHost:\r\n\r\n", 200},
      {"GET /v1/persons?q=a%20b!$'()*+,;:@/?x HTTP/1.1\r\nHost: localhost\r\n\r\n", 200},
      {"GET /a-._~!$&'()*+,;=:@%20 HTTP/1.1\r\nHost: localhost\r\n\r\n", 404},
  };
  for (const auto& [request, status] : probes) {
    SCOPED_TRACE(::testing::PrintToString(request));
    RawConnection conn(server().port());
    ASSERT_TRUE(conn.send(request));
    const auto r = conn.readResponse(std::chrono::milliseconds(3000));
    ASSERT_TRUE(r.has_value()) << "no answer";
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_EQ(r->header("Connection"), "keep-alive");
    ASSERT_TRUE(conn.send(rawGet("/healthz", "X-Request-Id: again\r\n")));
    const auto again = conn.readResponse(std::chrono::milliseconds(3000));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->header("X-Request-Id"), "again");
  }
}

// More answers than the socket takes while the client does not read: the rest waits in
// Pistache's write queue (api/src/socket_write.hpp), and later answers must queue behind it
// rather than overtake it.
TEST(TransportHttp, AnswersThatFillTheSocketLeaveWholeAndInOrder) {
  auto client = server().client();
  const auto spec = client.get("/openapi.yaml");
  ASSERT_EQ(spec.status, 200);
  constexpr int kCount = 40;  // several MB: more than the server's send buffer holds
  std::string requests;
  for (int i = 0; i < kCount; ++i) requests += rawGet("/openapi.yaml");
  requests += rawGet("/healthz", "X-Request-Id: last\r\n");
  RawConnection conn(server().port());
  ASSERT_TRUE(conn.send(requests));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int i = 0; i < kCount; ++i) {
    const auto r = conn.readResponse();
    ASSERT_TRUE(r.has_value()) << "answer " << i;
    ASSERT_EQ(r->status, 200) << "answer " << i;
    ASSERT_EQ(r->body.size(), spec.body.size()) << "answer " << i;
    ASSERT_TRUE(r->body == spec.body) << "answer " << i << " differs";
  }
  const auto last = conn.readResponse();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->header("X-Request-Id"), "last");
}

TEST(TransportHttp, RequestIdIsEchoedOrGenerated) {
  auto client = server().client();
  const auto echoed = client.get("/healthz", {{"X-Request-Id", "abc-123.XYZ_9"}});
  EXPECT_EQ(echoed.header("X-Request-Id"), "abc-123.XYZ_9");
  for (const std::string& bad :
       {std::string("has spaces"), std::string(129, 'a'), std::string("semi;colon")}) {
    const auto r = client.get("/healthz", {{"X-Request-Id", bad}});
    const auto id = r.header("X-Request-Id").value_or("");
    EXPECT_NE(id, bad);
    EXPECT_EQ(id.size(), 32u) << id;
  }
  const auto a = client.get("/healthz").header("X-Request-Id");
  const auto b = client.get("/healthz").header("X-Request-Id");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  const auto problem = client.get("/nowhere", {{"X-Request-Id", "trace-me"}});
  EXPECT_EQ(problem.header("X-Request-Id"), "trace-me");
  EXPECT_EQ(problem.json()["trace_id"], "trace-me");
}

TEST(TransportHttp, StandardHeadersOnEveryResponse) {
  auto client = server().client();
  for (const std::string path : {"/healthz", "/v1/kommuner", "/nowhere", "/v1/persons/x"}) {
    const auto r = client.get(path);
    EXPECT_TRUE(r.header("Date").has_value()) << path;
    EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_TRUE(r.header("X-Request-Id").has_value()) << path;
    EXPECT_EQ(r.headerCount("Content-Length"), 1u) << path;
    EXPECT_EQ(r.header("Connection"), "keep-alive") << path;
  }
}

TEST(TransportHttp, SlowRequestsTimeOut) {
  TestServer slow({.configure = [](app::AppConfig& c) {
    c.server.header_timeout = std::chrono::seconds(1);
    c.server.body_timeout = std::chrono::seconds(2);
  }});
  {
    // A head that never ends (slowloris): the header timeout answers 408 and closes.
    RawConnection conn(slow.port());
    ASSERT_TRUE(conn.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n"));
    const auto start = std::chrono::steady_clock::now();
    const std::string bytes = conn.readUntilClosed(std::chrono::seconds(6));
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(conn.closedByPeer());
    EXPECT_EQ(bytes.rfind("HTTP/1.1 408", 0), 0u) << bytes;
    EXPECT_LT(waited, std::chrono::seconds(4));
  }
  {
    // A body that never arrives: the body timeout.
    RawConnection conn(slow.port());
    ASSERT_TRUE(
        conn.send("POST /v1/kommuner HTTP/1.1\r\nHost: localhost\r\n"
                  "Content-Length: 10\r\n\r\nabc"));
    conn.readUntilClosed(std::chrono::seconds(6));
    EXPECT_TRUE(conn.closedByPeer());
  }
  {
    // A kept-alive connection that is merely idle between requests is not cut at the header
    // timeout (the keep-alive timeout applies).
    RawConnection conn(slow.port());
    ASSERT_TRUE(conn.send(rawGet("/healthz")));
    ASSERT_TRUE(conn.readResponse().has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    ASSERT_TRUE(conn.send(rawGet("/healthz")));
    const auto again = conn.readResponse();
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->status, 200);
  }
}

TEST(TransportHttp, CorsForConfiguredOriginsOnly) {
  TestServer cors({.configure = [](app::AppConfig& c) {
    c.server.cors_origins = {"https://intranet.example"};
  }});
  auto client = cors.client();
  const auto allowed = client.get("/v1/kommuner", {{"Origin", "https://intranet.example"}});
  EXPECT_EQ(allowed.header("Access-Control-Allow-Origin"), "https://intranet.example");
  EXPECT_NE(allowed.header("Vary").value_or("").find("Origin"), std::string::npos);
  EXPECT_NE(allowed.header("Access-Control-Expose-Headers").value_or("").find("ETag"),
            std::string::npos);

  const auto other = client.get("/v1/kommuner", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(other.status, 200);
  EXPECT_FALSE(other.header("Access-Control-Allow-Origin").has_value());
  EXPECT_NE(other.header("Vary").value_or("").find("Origin"), std::string::npos);

  const auto preflight = client.request("OPTIONS", "/v1/kommuner/0851",
                                        {{"Origin", "https://intranet.example"},
                                         {"Access-Control-Request-Method", "GET"},
                                         {"Access-Control-Request-Headers", "if-none-match"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("Access-Control-Allow-Origin"), "https://intranet.example");
  // The methods the route serves, so a browser app of the secretariat can also edit.
  EXPECT_EQ(preflight.header("Access-Control-Allow-Methods"), "GET, HEAD, PATCH, DELETE");
  EXPECT_NE(preflight.header("Access-Control-Allow-Headers").value_or("").find("If-None-Match"),
            std::string::npos);
  EXPECT_TRUE(preflight.body.empty());

  const auto refused = client.request(
      "OPTIONS", "/v1/kommuner",
      {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(refused.status, 405);
  EXPECT_FALSE(refused.header("Access-Control-Allow-Origin").has_value());
}

}  // namespace
}  // namespace kkr::testing
