#pragma once
// Token buckets for the service's rate limits (kkr/api/rate_limits.hpp): one table per policy,
// sharded so that reactor threads and workers rarely meet on a lock, bounded in size. Pure
// bookkeeping with the time passed in, so the arithmetic is unit-tested without waiting.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "kkr/api/rate_limits.hpp"
#include "kkr/api/trusted_proxies.hpp"

namespace kkr::api {

enum class RatePolicy { Address, Key, AuthFailures };

/// The policy's name in RateLimit-Policy and RateLimit ("address", "key", "auth-failures").
std::string_view toString(RatePolicy policy);

/// Whom a bucket belongs to: a client address (an IPv6 one cut to its /64) or an API key's id.
struct BucketKey {
  std::array<std::uint8_t, 17> bytes{};
  bool operator==(const BucketKey&) const = default;

  static BucketKey of(const IpAddress& address);
  static BucketKey ofKey(std::int64_t key_id);
};

/// What a bucket said about one request: whether it may go on, and what the RateLimit fields tell
/// the client.
struct RateDecision {
  RatePolicy policy = RatePolicy::Address;
  RateQuota quota;
  bool allowed = true;
  std::uint32_t remaining = 0;    ///< requests left now (RateLimit's r)
  std::uint32_t reset = 0;        ///< seconds until the bucket is full again (RateLimit's t)
  std::uint32_t retry_after = 0;  ///< when refused: seconds until one request is allowed again
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(RateLimits limits);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  /// Counts one request against `who`'s bucket of `policy`: allowed (and taken) while the bucket
  /// holds a whole request. Nullopt when the policy is off.
  std::optional<RateDecision> take(RatePolicy policy, const BucketKey& who, Clock::time_point now);
  /// What take() would say, without counting anything.
  std::optional<RateDecision> peek(RatePolicy policy, const BucketKey& who,
                                   Clock::time_point now) const;
  /// Clients with a bucket of `policy` (for tests of the bound).
  std::size_t tracked(RatePolicy policy) const;

 private:
  class Table;
  std::array<std::unique_ptr<Table>, 3> tables_;
};

}  // namespace kkr::api
