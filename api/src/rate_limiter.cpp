#include "rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <random>
#include <unordered_map>
#include <vector>

#include "caching.hpp"

namespace kkr::api {

namespace {

/// Enough shards that two reactor threads and a handful of workers seldom wait for each other.
constexpr std::size_t kShards = 16;
/// A full shard forgets its idle buckets at most this often: a sweep walks the whole shard.
constexpr auto kSweepInterval = std::chrono::seconds(1);

/// Chosen per process, so that nobody can pick addresses that all land in one shard.
std::uint64_t processSeed() {
  static const std::uint64_t seed =
      (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  return seed;
}

struct Bucket {
  double tokens = 0;
  RateLimiter::Clock::time_point updated;
};

/// Seconds, rounded up: a client told to wait 0.3 s waits 1 s rather than retrying at once.
std::uint32_t ceilSeconds(double seconds) {
  return static_cast<std::uint32_t>(std::max(0.0, std::ceil(seconds - 1e-9)));
}

}  // namespace

std::string_view toString(RatePolicy policy) {
  switch (policy) {
    case RatePolicy::Key:
      return "key";
    case RatePolicy::AuthFailures:
      return "auth-failures";
    case RatePolicy::Address:
      break;
  }
  return "address";
}

BucketKey BucketKey::of(const IpAddress& address) {
  BucketKey key;
  key.bytes[0] = address.v6 ? 6 : 4;
  // One IPv6 subscriber usually holds a whole /64 and can use any address in it.
  const std::size_t kept = address.v6 ? 8 : 4;
  std::copy_n(address.bytes.begin(), kept, key.bytes.begin() + 1);
  return key;
}

BucketKey BucketKey::ofKey(std::int64_t key_id) {
  BucketKey key;
  key.bytes[0] = 'k';
  std::memcpy(key.bytes.data() + 1, &key_id, sizeof key_id);
  return key;
}

/// The buckets of one policy.
class RateLimiter::Table {
 public:
  Table(RateQuota quota, std::size_t max_tracked)
      : quota_(quota), per_shard_(std::max<std::size_t>(1, max_tracked / kShards)) {}

  std::optional<RateDecision> take(const BucketKey& who, Clock::time_point now) {
    if (quota_.off()) return std::nullopt;
    Shard& shard = shardOf(who);
    std::lock_guard lock(shard.mutex);
    Bucket& bucket = bucketOf(shard, who, now);
    refill(bucket, now);
    if (bucket.tokens >= 1)
      bucket.tokens -= 1;
    else
      return describe(bucket, Counted::Refused);
    return describe(bucket, Counted::Taken);
  }

  std::optional<RateDecision> peek(const BucketKey& who, Clock::time_point now) {
    if (quota_.off()) return std::nullopt;
    Shard& shard = shardOf(who);
    std::lock_guard lock(shard.mutex);
    auto found = shard.buckets.find(who);
    // An unknown client has a full bucket; one in the overflow shares that bucket.
    Bucket bucket{static_cast<double>(quota_.quota), now};
    if (found != shard.buckets.end()) {
      bucket = found->second;
    } else if (shard.overflow && shard.buckets.size() >= per_shard_) {
      bucket = *shard.overflow;
    }
    refill(bucket, now);
    return describe(bucket, bucket.tokens >= 1 ? Counted::Taken : Counted::Refused);
  }

  std::size_t tracked() const {
    std::size_t total = 0;
    for (const auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      total += shard.buckets.size();
    }
    return total;
  }

 private:
  enum class Counted { Taken, Refused };
  struct Hash {
    std::size_t operator()(const BucketKey& key) const {
      return static_cast<std::size_t>(hash64(
          std::string_view(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()),
          processSeed()));
    }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<BucketKey, Bucket, Hash> buckets;
    /// Shared by the clients that find the shard full (RateLimits::max_tracked).
    std::optional<Bucket> overflow;
    Clock::time_point last_sweep{};
  };

  double perSecond() const {
    return static_cast<double>(quota_.quota) / static_cast<double>(quota_.window.count());
  }

  Shard& shardOf(const BucketKey& who) {
    // The map hashes with the same function: its high bits pick the shard, so that the shard's
    // own buckets still spread over the map's slots.
    return shards_[(Hash{}(who) >> 32) % kShards];
  }

  Bucket& bucketOf(Shard& shard, const BucketKey& who, Clock::time_point now) {
    if (auto found = shard.buckets.find(who); found != shard.buckets.end()) return found->second;
    const Bucket fresh{static_cast<double>(quota_.quota), now};
    if (shard.buckets.size() >= per_shard_) sweep(shard, now);
    if (shard.buckets.size() < per_shard_) return shard.buckets.emplace(who, fresh).first->second;
    if (!shard.overflow) shard.overflow = fresh;
    return *shard.overflow;
  }

  /// Forgets the buckets that have refilled completely: a new one would be the same.
  void sweep(Shard& shard, Clock::time_point now) const {
    if (now - shard.last_sweep < kSweepInterval) return;
    shard.last_sweep = now;
    std::erase_if(shard.buckets, [&](const auto& entry) {
      Bucket bucket = entry.second;
      refill(bucket, now);
      return bucket.tokens >= static_cast<double>(quota_.quota);
    });
  }

  void refill(Bucket& bucket, Clock::time_point now) const {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    if (elapsed <= 0) return;  // another thread's `now` may be a little older than ours
    bucket.tokens =
        std::min(static_cast<double>(quota_.quota), bucket.tokens + elapsed * perSecond());
    bucket.updated = now;
  }

  RateDecision describe(const Bucket& bucket, Counted counted) const {
    RateDecision d;
    d.quota = quota_;
    d.allowed = counted == Counted::Taken;
    d.remaining = static_cast<std::uint32_t>(std::floor(std::max(0.0, bucket.tokens)));
    d.reset = ceilSeconds((static_cast<double>(quota_.quota) - bucket.tokens) / perSecond());
    if (!d.allowed) d.retry_after = std::max(1u, ceilSeconds((1 - bucket.tokens) / perSecond()));
    return d;
  }

  RateQuota quota_;
  std::size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

RateLimiter::RateLimiter(RateLimits limits) {
  tables_[static_cast<std::size_t>(RatePolicy::Address)] =
      std::make_unique<Table>(limits.per_address, limits.max_tracked);
  tables_[static_cast<std::size_t>(RatePolicy::Key)] =
      std::make_unique<Table>(limits.per_key, limits.max_tracked);
  tables_[static_cast<std::size_t>(RatePolicy::AuthFailures)] =
      std::make_unique<Table>(limits.auth_failures, limits.max_tracked);
}

RateLimiter::~RateLimiter() = default;

std::optional<RateDecision> RateLimiter::take(RatePolicy policy, const BucketKey& who,
                                              Clock::time_point now) {
  auto decision = tables_[static_cast<std::size_t>(policy)]->take(who, now);
  if (decision) decision->policy = policy;
  return decision;
}

std::optional<RateDecision> RateLimiter::peek(RatePolicy policy, const BucketKey& who,
                                              Clock::time_point now) const {
  auto decision = tables_[static_cast<std::size_t>(policy)]->peek(who, now);
  if (decision) decision->policy = policy;
  return decision;
}

std::size_t RateLimiter::tracked(RatePolicy policy) const {
  return tables_[static_cast<std::size_t>(policy)]->tracked();
}

}  // namespace kkr::api
