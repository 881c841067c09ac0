#include "kkr/api/rate_limits.hpp"

#include <charconv>
#include <string>

namespace kkr::api {

namespace {

/// The longest window: a day. Longer ones would make a bucket's refill rate meaningless.
constexpr std::int64_t kMaxWindowSeconds = 86400;
constexpr std::uint32_t kMaxQuota = 1000000000;

/// "10s", "1m", "2h" → seconds; 0 for anything else. A plain number rather than an optional:
/// GCC 12 at -O1 (the TSan build) warns that an optional's value "may be used uninitialized"
/// once it is moved into the returned variant.
std::int64_t windowSeconds(std::string_view text) {
  if (text.size() < 2) return 0;
  const char unit = text.back();
  const std::int64_t scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 0;
  if (scale == 0) return 0;
  std::int64_t count = 0;
  const char* end = text.data() + text.size() - 1;
  const auto [stop, ec] = std::from_chars(text.data(), end, count);
  if (ec != std::errc{} || stop != end || count <= 0 || count > kMaxWindowSeconds) {
    return 0;
  }
  return count * scale;
}

}  // namespace

std::variant<RateQuota, std::string> RateQuota::parse(std::string_view text) {
  if (text == "off") return RateQuota{};
  const std::size_t slash = text.find('/');
  const std::string_view count = text.substr(0, slash);
  std::uint32_t quota = 0;
  const auto [stop, ec] = std::from_chars(count.data(), count.data() + count.size(), quota);
  const std::int64_t window =
      slash == std::string_view::npos ? 0 : windowSeconds(text.substr(slash + 1));
  if (count.empty() || ec != std::errc{} || stop != count.data() + count.size() || quota == 0 ||
      quota > kMaxQuota || window <= 0 || window > kMaxWindowSeconds) {
    return "'" + std::string(text) +
           "' is not 'off' or <requests>/<window> with a window in s, m or h of at most a day "
           "(600/10s, 10/1m)";
  }
  return RateQuota{quota, std::chrono::seconds(window)};
}

std::string RateQuota::toString() const {
  if (off()) return "off";
  return std::to_string(quota) + "/" + std::to_string(window.count()) + "s";
}

}  // namespace kkr::api
