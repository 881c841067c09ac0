// Requests that do not arrive in time: answered 408 as a problem, logged and counted like every
// other refusal (Pistache's own timeouts would send a bare 408 that neither log nor metrics see).
#include <sstream>
#include <thread>

#include "http_helpers.hpp"

namespace kkr::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// The log line that holds `needle`, or "" when none does.
std::string lineWith(const std::string& log, const std::string& needle) {
  const auto at = log.find(needle);
  if (at == std::string::npos) return "";
  const auto start = log.rfind('\n', at);
  const auto from = start == std::string::npos ? 0 : start + 1;
  return log.substr(from, log.find('\n', at) - from);
}

/// Reads the 408 for a request that stalls, and checks it is a problem that closes the connection.
HttpResult expect408(RawConnection& conn, Clock::duration atLeast, Clock::duration below) {
  const auto start = Clock::now();
  const auto r = conn.readResponse(5000ms);
  const auto waited = Clock::now() - start;
  EXPECT_TRUE(r.has_value()) << "no answer to a stalled request";
  if (!r) return {};
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(r->mediaType(), "application/problem+json");
  EXPECT_EQ(r->json()["status"], 408);
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_FALSE(r->header("X-Request-Id").value_or("").empty());
  EXPECT_GE(waited, atLeast - 100ms);  // counted from the request's first byte, sent just before
  EXPECT_LT(waited, below);
  conn.readUntilClosed(3000ms);
  EXPECT_TRUE(conn.closedByPeer());
  return *r;
}

TEST(Timeouts, StalledRequestsGet408ProblemsThatAreLoggedAndCounted) {
  CapturedLog captured(spdlog::level::info);
  const auto& logger = captured.logger();
  TestServer slow({.configure =
                       [](app::AppConfig& c) {
                         c.server.header_timeout = std::chrono::seconds(1);
                         c.server.body_timeout = std::chrono::seconds(2);
                       },
                   .logger = logger});

  // A head that never ends (slowloris). Pistache's own timeout would answer 1 s later than ours.
  RawConnection head(slow.port());
  ASSERT_TRUE(head.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n"));
  const auto headTimeout = expect408(head, 1s, 2500ms);

  // A body that never arrives completely: the body timeout, counted from the first byte too.
  RawConnection body(slow.port());
  ASSERT_TRUE(
      body.send("POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                "Content-Length: 10\r\n\r\n{\"a\""));
  const auto bodyTimeout = expect408(body, 2s, 3500ms);

  auto client = slow.client();
  const auto metrics = client.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find(
                "kkr_http_requests_total{method=\"\",route=\"(refused)\",status=\"4xx\"} 2"),
            std::string::npos)
      << metrics.body;

  const std::string log = captured.text();
  const std::string headLine = lineWith(log, "rid=" + headTimeout.header("X-Request-Id").value());
  EXPECT_NE(headLine.find(R"x(access method=- target="-" route="(refused)" status=408 )x"),
            std::string::npos)
      << log;
  const std::string bodyLine = lineWith(log, "rid=" + bodyTimeout.header("X-Request-Id").value());
  EXPECT_NE(
      bodyLine.find(R"x(access method=POST target="/v1/persons" route="(refused)" status=408 )x"),
      std::string::npos)
      << log;
}

// Pistache counts a new connection as a request in progress: without our own deadline it would
// answer a silent one with its bare 408 (no problem, no X-Request-Id), 2 s after ours.
TEST(Timeouts, AConnectionThatSendsNothingGetsA408Problem) {
  CapturedLog captured(spdlog::level::info);
  TestServer slow({.configure =
                       [](app::AppConfig& c) {
                         c.server.header_timeout = std::chrono::seconds(1);
                         c.server.body_timeout = std::chrono::seconds(2);
                       },
                   .logger = captured.logger()});
  RawConnection silent(slow.port());
  const auto r = expect408(silent, 1s, 2500ms);
  EXPECT_EQ(r.json()["detail"], "no request arrived in time");
  // The access line is written just after the answer: the client may read it first.
  const std::string rid = "rid=" + r.header("X-Request-Id").value_or("?");
  std::string line;
  for (auto until = Clock::now() + 2s; line.empty() && Clock::now() < until;) {
    line = lineWith(captured.text(), rid);
    if (line.empty()) std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(line.find(R"x(access method=- target="-" route="(refused)" status=408 )x"),
            std::string::npos)
      << captured.text();

  // A connection that sent a request and then idles is kept (the keep-alive timeout applies).
  RawConnection used(slow.port());
  ASSERT_TRUE(used.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ASSERT_TRUE(used.readResponse().has_value());
  std::this_thread::sleep_for(3500ms);  // past our deadline and Pistache's header timeout
  ASSERT_TRUE(used.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  const auto again = used.readResponse();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 200);
}

TEST(Timeouts, KeptAliveConnectionsAreTimedPerRequest) {
  TestServer slow({.configure = [](app::AppConfig& c) {
    c.server.header_timeout = std::chrono::seconds(1);
    c.server.body_timeout = std::chrono::seconds(1);
  }});
  RawConnection conn(slow.port());
  // Quick requests for longer than the timeout: each has its own deadline, none is cut.
  const auto until = Clock::now() + 1500ms;
  while (Clock::now() < until) {
    ASSERT_TRUE(conn.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    const auto r = conn.readResponse();
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 200);
    std::this_thread::sleep_for(100ms);
  }
  // Idle past the deadline of the last request: still open (the keep-alive timeout applies).
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(conn.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n"));
  // Then a request that stalls after a quick one is still timed out.
  expect408(conn, 1s, 2500ms);
}

}  // namespace
}  // namespace kkr::testing
