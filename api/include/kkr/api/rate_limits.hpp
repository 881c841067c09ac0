#pragma once
// The service's own rate limits (KKR_RATE_LIMIT_*): how many requests a client address, an API
// key and the failed authentications of one address may make, as quotas per window in the
// sense of the IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers): a bucket of
// `quota` requests that refills completely, at an even rate, in `window`.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace kkr::api {

struct RateQuota {
  std::uint32_t quota = 0;  ///< 0: no limit
  std::chrono::seconds window{1};

  bool off() const { return quota == 0; }
  /// "600/10s", "10/1m", "5000/1h" or "off". On error, a message for the operator.
  static std::variant<RateQuota, std::string> parse(std::string_view text);
  /// The form parse() reads ("600/10s", "off").
  std::string toString() const;
};

/// The defaults never bother a normal integration: a mirror that pages through the whole
/// register, or a front end polling every second, stays far inside them. They bound what one
/// client can take from every other one, and make guessing a token slow.
struct RateLimits {
  /// Requests without credentials (and to routes that ignore credentials), per client address
  /// (an IPv6 client by its /64, the block one subscriber usually holds): 60/s sustained.
  RateQuota per_address{600, std::chrono::seconds(10)};
  /// Requests with a valid API key, per key, from any address: 120/s sustained.
  RateQuota per_key{1200, std::chrono::seconds(10)};
  /// Failed authentications per client address: 10, then one every 6 s. Once they are used up,
  /// every request with credentials from that address is refused before its token is looked at.
  RateQuota auth_failures{10, std::chrono::seconds(60)};
  /// Clients tracked at once per policy; beyond this (after forgetting idle ones) new clients
  /// share one bucket, so that a flood of addresses cannot grow the server's memory.
  std::size_t max_tracked = 100000;
};

}  // namespace kkr::api
