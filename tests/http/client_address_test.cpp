// The access log's client address over a real socket: X-Forwarded-For names the client only when
// the connection comes from a configured proxy (KKR_TRUSTED_PROXIES).
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

/// Requests as a proxy on 127.0.0.1 forwards them.
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
