// The access log's client address over a real socket: X-Forwarded-For names the client only when
// the connection comes from a configured proxy (KKR_TRUSTED_PROXIES), refused requests included.
#include "http_helpers.hpp"

namespace kkr::testing {
namespace {

/// The access line of the request with this id, or "" when there is none.
std::string accessLineOf(CapturedLog& log, const std::string& requestId) {
  std::istringstream lines(log.text());
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(" access ") != std::string::npos &&
        line.find(" rid=" + requestId + " ") != std::string::npos) {
      return line;
    }
  }
  return "";
}

/// Requests as a proxy on 127.0.0.1 forwards them, one of them refused by the framer.
void sendThroughProxy(TestServer& behindProxy) {
  auto client = behindProxy.client();
  EXPECT_EQ(client
                .get("/healthz", {{"X-Request-Id", "via-proxy"},
                                  {"X-Forwarded-For", "198.51.100.1, 203.0.113.7"}})
                .status,
            200);
  EXPECT_EQ(client
                .get("/healthz", {{"X-Request-Id", "via-proxy-malformed"},
                                  {"X-Forwarded-For", "203.0.113.7:8080"}})
                .status,
            200);
  EXPECT_EQ(client.get("/healthz", {{"X-Request-Id", "via-proxy-none"}}).status, 200);
  // A request the framer refuses (here its request line) is logged under the forwarded address,
  // and answered and logged with its request id.
  RawConnection raw(behindProxy.port());
  ASSERT_TRUE(
      raw.send("GET /healthz\" HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: refused-via-proxy\r\n"
               "X-Forwarded-For: 203.0.113.8\r\n\r\n"));
  const auto refused = raw.readResponse();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(refused->header("X-Request-Id"), "refused-via-proxy");
  EXPECT_EQ(refused->json()["trace_id"], "refused-via-proxy");
  raw.readUntilClosed(std::chrono::milliseconds(3000));
}

TEST(ClientAddressHttp, ATrustedProxyNamesTheClientAndAMalformedHeaderIsIgnored) {
  CapturedLog log(spdlog::level::info);
  {
    TestServer behindProxy({.configure =
                                [](app::AppConfig& c) {
                                  c.server.trusted_proxies = std::get<api::TrustedProxies>(
                                      api::TrustedProxies::parse("127.0.0.1"));
                                },
                            .logger = log.logger()});
    sendThroughProxy(behindProxy);
  }  // stopped: every access line is written

  EXPECT_NE(accessLineOf(log, "via-proxy").find(" client=203.0.113.7"), std::string::npos)
      << log.text();
  EXPECT_NE(accessLineOf(log, "via-proxy-malformed").find(" client=127.0.0.1"), std::string::npos)
      << log.text();
  EXPECT_NE(accessLineOf(log, "via-proxy-none").find(" client=127.0.0.1"), std::string::npos)
      << log.text();
  const std::string refusedLine = accessLineOf(log, "refused-via-proxy");
  EXPECT_NE(refusedLine.find(" status=400 "), std::string::npos) << log.text();
  EXPECT_NE(refusedLine.find(" client=203.0.113.8"), std::string::npos) << log.text();
}

TEST(ClientAddressHttp, NobodyIsTrustedByDefault) {
  CapturedLog log(spdlog::level::info);
  {
    TestServer direct({.logger = log.logger()});
    auto client = direct.client();
    EXPECT_EQ(
        client.get("/healthz", {{"X-Request-Id", "spoofing"}, {"X-Forwarded-For", "203.0.113.7"}})
            .status,
        200);
  }  // stopped: every access line is written
  EXPECT_NE(accessLineOf(log, "spoofing").find(" client=127.0.0.1"), std::string::npos)
      << log.text();
}

}  // namespace
}  // namespace kkr::testing
