// The token buckets behind the rate limits, with the time passed in: exhausting, refilling, what
// the RateLimit fields report, IPv6 /64 grouping and the bound on tracked clients.

#include "rate_limiter.hpp"

#include <gtest/gtest.h>

#include "kkr/api/rate_limits.hpp"

namespace kkr::api {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

IpAddress ip(std::string_view text) { return *IpAddress::parse(text); }

RateLimits limits(RateQuota address, RateQuota key = {}, RateQuota failures = {}) {
  RateLimits l;
  l.per_address = address;
  l.per_key = key;
  l.auth_failures = failures;
  return l;
}

TEST(RateLimiter, AllowsTheQuotaAtOnceThenRefusesWithTheWaitForOneRequest) {
  RateLimiter limiter(limits({10, 5s}));  // 2 per second
  const auto t0 = Clock::now();
  const auto who = BucketKey::of(ip("192.0.2.1"));
  for (std::uint32_t i = 1; i <= 10; ++i) {
    auto d = limiter.take(RatePolicy::Address, who, t0);
    ASSERT_TRUE(d && d->allowed) << "request " << i;
    EXPECT_EQ(d->remaining, 10 - i);
  }
  auto refused = limiter.take(RatePolicy::Address, who, t0);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->allowed);
  EXPECT_EQ(refused->remaining, 0u);
  EXPECT_EQ(refused->retry_after, 1u);  // one request back after 0.5 s, rounded up
  EXPECT_EQ(refused->reset, 5u);        // the whole quota back after the window
  EXPECT_EQ(refused->policy, RatePolicy::Address);
  EXPECT_EQ(refused->quota.quota, 10u);
}

TEST(RateLimiter, RefillsEvenlyAndNeverBeyondTheQuota) {
  RateLimiter limiter(limits({10, 5s}));
  const auto t0 = Clock::now();
  const auto who = BucketKey::of(ip("192.0.2.1"));
  for (int i = 0; i < 10; ++i) limiter.take(RatePolicy::Address, who, t0);
  EXPECT_FALSE(limiter.take(RatePolicy::Address, who, t0 + 400ms)->allowed);
  auto after_one = limiter.take(RatePolicy::Address, who, t0 + 500ms);
  EXPECT_TRUE(after_one->allowed);
  EXPECT_EQ(after_one->remaining, 0u);
  auto much_later = limiter.take(RatePolicy::Address, who, t0 + 1h);
  EXPECT_TRUE(much_later->allowed);
  EXPECT_EQ(much_later->remaining, 9u);
  EXPECT_EQ(much_later->reset, 1u);
}

TEST(RateLimiter, RefusedRequestsTakeNothing) {
  RateLimiter limiter(limits({2, 2s}));  // 1 per second
  const auto t0 = Clock::now();
  const auto who = BucketKey::of(ip("192.0.2.1"));
  limiter.take(RatePolicy::Address, who, t0);
  limiter.take(RatePolicy::Address, who, t0);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.take(RatePolicy::Address, who, t0)->allowed);
  // A client hammering while refused still gets its request after the wait it was told.
  EXPECT_TRUE(limiter.take(RatePolicy::Address, who, t0 + 1s)->allowed);
}

TEST(RateLimiter, PeekCountsNothing) {
  RateLimiter limiter(limits({}, {}, {3, 60s}));
  const auto t0 = Clock::now();
  const auto who = BucketKey::of(ip("192.0.2.1"));
  for (int i = 0; i < 10; ++i)
    EXPECT_TRUE(limiter.peek(RatePolicy::AuthFailures, who, t0)->allowed);
  EXPECT_EQ(limiter.tracked(RatePolicy::AuthFailures), 0u);
  for (int i = 0; i < 3; ++i) limiter.take(RatePolicy::AuthFailures, who, t0);
  auto peeked = limiter.peek(RatePolicy::AuthFailures, who, t0);
  EXPECT_FALSE(peeked->allowed);
  EXPECT_EQ(peeked->retry_after, 20u);
}

TEST(RateLimiter, ClientsAndPoliciesHaveTheirOwnBuckets) {
  RateLimiter limiter(limits({1, 60s}, {1, 60s}, {1, 60s}));
  const auto t0 = Clock::now();
  const auto a = BucketKey::of(ip("192.0.2.1"));
  const auto b = BucketKey::of(ip("192.0.2.2"));
  EXPECT_TRUE(limiter.take(RatePolicy::Address, a, t0)->allowed);
  EXPECT_FALSE(limiter.take(RatePolicy::Address, a, t0)->allowed);
  EXPECT_TRUE(limiter.take(RatePolicy::Address, b, t0)->allowed);
  EXPECT_TRUE(limiter.take(RatePolicy::AuthFailures, a, t0)->allowed);
  EXPECT_TRUE(limiter.take(RatePolicy::Key, BucketKey::ofKey(7), t0)->allowed);
  EXPECT_FALSE(limiter.take(RatePolicy::Key, BucketKey::ofKey(7), t0)->allowed);
  EXPECT_TRUE(limiter.take(RatePolicy::Key, BucketKey::ofKey(8), t0)->allowed);
}

TEST(RateLimiter, AnIpv6ClientIsCountedByItsSlash64) {
  RateLimiter limiter(limits({1, 60s}));
  const auto t0 = Clock::now();
  EXPECT_TRUE(limiter.take(RatePolicy::Address, BucketKey::of(ip("2001:db8:1:2::1")), t0)->allowed);
  EXPECT_FALSE(
      limiter.take(RatePolicy::Address, BucketKey::of(ip("2001:db8:1:2:ffff::9")), t0)->allowed);
  EXPECT_TRUE(limiter.take(RatePolicy::Address, BucketKey::of(ip("2001:db8:1:3::1")), t0)->allowed);
  // An IPv4 address is never confused with an IPv6 one of the same leading bytes.
  EXPECT_TRUE(limiter.take(RatePolicy::Address, BucketKey::of(ip("32.1.13.184")), t0)->allowed);
}

TEST(RateLimiter, AnOffPolicyDecidesNothing) {
  RateLimiter limiter(limits({}));
  EXPECT_FALSE(limiter.take(RatePolicy::Address, BucketKey::of(ip("192.0.2.1")), Clock::now()));
  EXPECT_FALSE(limiter.peek(RatePolicy::Key, BucketKey::ofKey(1), Clock::now()));
}

TEST(RateLimiter, TracksAtMostItsBoundAndForgetsIdleClients) {
  RateLimits l = limits({5, 1s});
  l.max_tracked = 160;  // 10 per shard
  RateLimiter limiter(l);
  const auto t0 = Clock::now();
  auto nth = [](int i) {
    IpAddress a = *IpAddress::parse("10.0.0.0");
    a.bytes[2] = static_cast<std::uint8_t>(i / 256);
    a.bytes[3] = static_cast<std::uint8_t>(i % 256);
    return BucketKey::of(a);
  };
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(limiter.take(RatePolicy::Address, nth(i), t0));
  EXPECT_LE(limiter.tracked(RatePolicy::Address), 160u);
  // Beyond the bound, new clients share a bucket: a flood of addresses is limited as one.
  int refused = 0;
  for (int i = 5000; i < 6000; ++i) {
    if (!limiter.take(RatePolicy::Address, nth(i), t0)->allowed) ++refused;
  }
  EXPECT_GT(refused, 900);
  // Once the tracked clients have refilled (idle for a window), they make room for new ones.
  for (int i = 6000; i < 6100; ++i) {
    EXPECT_TRUE(limiter.take(RatePolicy::Address, nth(i), t0 + 2s)->allowed) << i;
  }
}

TEST(RateQuota, ReadsRequestsPerWindowOrOff) {
  auto q = std::get<RateQuota>(RateQuota::parse("600/10s"));
  EXPECT_EQ(q.quota, 600u);
  EXPECT_EQ(q.window, 10s);
  EXPECT_EQ(std::get<RateQuota>(RateQuota::parse("10/1m")).window, 60s);
  EXPECT_EQ(std::get<RateQuota>(RateQuota::parse("5000/1h")).window, 3600s);
  EXPECT_TRUE(std::get<RateQuota>(RateQuota::parse("off")).off());
  EXPECT_EQ(std::get<RateQuota>(RateQuota::parse("10/1m")).toString(), "10/60s");
  EXPECT_EQ(RateQuota{}.toString(), "off");
  for (const char* bad : {"", "0/1s", "-1/1s", "10", "10/", "10/s", "10/0s", "10/1d", "10/2h ",
                          "x/1s", "10/1.5s", "10/25h", "1/86401s", "99999999999/1s"}) {
    EXPECT_TRUE(std::holds_alternative<std::string>(RateQuota::parse(bad))) << bad;
  }
}

TEST(RateQuota, TheDefaultsAreTheDocumentedOnes) {
  const RateLimits defaults;
  EXPECT_EQ(defaults.per_address.toString(), "600/10s");
  EXPECT_EQ(defaults.per_key.toString(), "1200/10s");
  EXPECT_EQ(defaults.auth_failures.toString(), "10/60s");
}

}  // namespace
}  // namespace kkr::api
