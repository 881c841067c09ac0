// The service's own rate limits over a real socket: the RateLimit fields on every counted
// response, 429 problems with Retry-After, keys counted apart from addresses, failed
// authentications throttled sooner and then refused unread, forwarded clients told apart.
#include <thread>

#include "http_helpers.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

using namespace std::chrono_literals;

api::RateQuota quota(const char* text) {
  return std::get<api::RateQuota>(api::RateQuota::parse(text));
}

/// A server with these limits (the unlisted ones off).
TestServer::Options limited(const char* address, const char* key = "off",
                            const char* failures = "off", const char* trusted = "") {
  return {.configure = [=](app::AppConfig& c) {
    c.server.rate_limits.per_address = quota(address);
    c.server.rate_limits.per_key = quota(key);
    c.server.rate_limits.auth_failures = quota(failures);
    c.server.trusted_proxies = std::get<api::TrustedProxies>(api::TrustedProxies::parse(trusted));
  }};
}

HeaderList bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

/// A 429 problem of `policy` with the wait in Retry-After and nothing left in RateLimit.
void expectRefused(const HttpResult& r, const std::string& policy) {
  expectProblem(r, 429);
  const auto retry = r.header("Retry-After");
  ASSERT_TRUE(retry) << r.body;
  EXPECT_GE(std::stoi(*retry), 1);
  EXPECT_EQ(r.header("RateLimit").value_or("").rfind("\"" + policy + "\";r=0;t=", 0), 0u)
      << r.header("RateLimit").value_or("(none)");
}

TEST(RateLimitsHttp, AnAddressGetsItsQuotaThenAProblemWithRetryAfter) {
  // One request back every 15 s: no slow machine refills the bucket while the test counts.
  TestServer limitedServer(limited("4/60s"));
  auto client = limitedServer.client();
  for (int left = 3; left >= 0; --left) {
    const auto r = client.get("/v1/kommuner");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("RateLimit-Policy"), "\"address\";q=4;w=60");
    EXPECT_EQ(r.header("RateLimit")
                  .value_or("")
                  .rfind("\"address\";r=" + std::to_string(left) + ";t=", 0),
              0u)
        << r.header("RateLimit").value_or("(none)");
  }
  const auto refused = client.get("/v1/persons");
  expectRefused(refused, "address");
  const int retry = std::stoi(refused.header("Retry-After").value_or("0"));
  EXPECT_GE(retry, 10);  // 15 s less what has refilled since the first request
  EXPECT_LE(retry, 15);
  EXPECT_NE(refused.json().value("detail", "").find("more than 4 requests in 60 s"),
            std::string::npos)
      << refused.body;
  // Every route counts, unknown paths and probes included: a scan is limited like anything else.
  expectRefused(client.get("/no-such-path"), "address");
  expectRefused(client.get("/healthz"), "address");
}

TEST(RateLimitsHttp, ARefusedClientGetsItsRequestAfterRetryAfter) {
  TestServer limitedServer(limited("1/2s"));
  auto client = limitedServer.client();
  EXPECT_EQ(client.get("/v1/kommuner").status, 200);
  const auto refused = client.get("/v1/kommuner");
  expectRefused(refused, "address");
  EXPECT_EQ(refused.header("Retry-After"), "2");
  std::this_thread::sleep_for(2100ms);
  EXPECT_EQ(client.get("/v1/kommuner").status, 200);
}

TEST(RateLimitsHttp, AKeyIsCountedOnItsOwnWhateverItsAddressHasUsed) {
  TestServer limitedServer(limited("2/60s", "3/60s"));
  auto client = limitedServer.client();
  EXPECT_EQ(client.get("/v1/kommuner").status, 200);
  EXPECT_EQ(client.get("/v1/kommuner").status, 200);
  expectRefused(client.get("/v1/kommuner"), "address");
  for (int left = 2; left >= 0; --left) {
    const auto r = client.get("/v1/kommuner", bearer(tokens().editor));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("RateLimit-Policy"), "\"key\";q=3;w=60");
    EXPECT_EQ(
        r.header("RateLimit").value_or("").rfind("\"key\";r=" + std::to_string(left) + ";t=", 0),
        0u);
  }
  const auto refused = client.get("/v1/kommuner", bearer(tokens().editor));
  expectRefused(refused, "key");
  EXPECT_NE(refused.json().value("detail", "").find("from this API key"), std::string::npos);
  // Another key has its own bucket.
  EXPECT_EQ(client.get("/v1/kommuner", bearer(tokens().admin)).status, 200);
}

TEST(RateLimitsHttp, ARefusedWriteChangesNothing) {
  TestServer limitedServer(limited("off", "1/60s"));
  auto client = limitedServer.client();
  createPerson(client, "Ratelimit Testperson One");
  const json body{{"name", "Ratelimit Testperson Two"}, {"kommune_code", "0851"}};
  const auto refused =
      client.request("POST", "/v1/persons", jsonAuth(tokens().editor), body.dump());
  expectRefused(refused, "key");
  const auto found = client.get("/v1/persons?q=Ratelimit%20Testperson");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json().at("items").size(), 1u) << found.body;
}

TEST(RateLimitsHttp, FailedAuthenticationIsThrottledSoonerThenRefusedUnread) {
  TestServer limitedServer(limited("100/10s", "off", "3/60s"));
  auto client = limitedServer.client();
  for (int left = 2; left >= 0; --left) {
    const auto r = client.get("/v1/persons", bearer("guess-" + std::to_string(left)));
    expectProblem(r, 401);
    EXPECT_EQ(r.header("RateLimit-Policy"), "\"auth-failures\";q=3;w=60");
    EXPECT_EQ(r.header("RateLimit")
                  .value_or("")
                  .rfind("\"auth-failures\";r=" + std::to_string(left) + ";t=", 0),
              0u);
  }
  const auto guess = client.get("/v1/persons", bearer("guess-3"));
  expectRefused(guess, "auth-failures");
  // One more failure allowed every 20 s, less what has refilled since the first one.
  const int retry = std::stoi(guess.header("Retry-After").value_or("0"));
  EXPECT_GE(retry, 15);
  EXPECT_LE(retry, 20);
  // A valid key from that address waits too: the address no longer gets its tokens looked at.
  expectRefused(client.get("/v1/persons", bearer(tokens().editor)), "auth-failures");
  // Reads without credentials are not affected.
  const auto anonymous = client.get("/v1/persons");
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_EQ(anonymous.header("RateLimit-Policy"), "\"address\";q=100;w=10");
}

TEST(RateLimitsHttp, BehindATrustedProxyEveryForwardedClientHasItsOwnBucket) {
  TestServer behindProxy(limited("1/60s", "off", "off", "127.0.0.1"));
  auto client = behindProxy.client();
  const HeaderList first{{"X-Forwarded-For", "203.0.113.7"}};
  EXPECT_EQ(client.get("/v1/kommuner", first).status, 200);
  expectRefused(client.get("/v1/kommuner", first), "address");
  EXPECT_EQ(client.get("/v1/kommuner", {{"X-Forwarded-For", "203.0.113.8"}}).status, 200);
  // The proxy's own requests are a client of their own.
  EXPECT_EQ(client.get("/v1/kommuner").status, 200);
}

TEST(RateLimitsHttp, WithTheLimitsOffNothingIsCountedOrSaid) {
  TestServer unlimited(limited("off", "off", "off"));
  auto client = unlimited.client();
  for (int i = 0; i < 50; ++i) {
    const auto r = client.get("/v1/kommuner");
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.header("RateLimit"));
    EXPECT_FALSE(r.header("RateLimit-Policy"));
  }
}

TEST(RateLimitsHttp, TheDefaultsCountEveryResponse) {
  auto client = server().client();
  const auto r = client.get("/v1/kommuner");
  EXPECT_EQ(r.header("RateLimit-Policy"), "\"address\";q=600;w=10");
  EXPECT_TRUE(r.header("RateLimit"));
  const auto keyed = client.get("/v1/kommuner", bearer(tokens().editor));
  EXPECT_EQ(keyed.header("RateLimit-Policy"), "\"key\";q=1200;w=10");
}

}  // namespace
}  // namespace kkr::testing
