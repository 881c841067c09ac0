#pragma once
// The proxies whose X-Forwarded-For the server believes (KKR_TRUSTED_PROXIES): addresses and
// CIDR networks, IPv4 and IPv6. Empty (the default) trusts nobody, so a client cannot choose the
// address it is logged (and later rate-limited) under by sending the header itself.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kkr::api {

/// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is the IPv4 address,
/// so that a dual-stack listener matches IPv4 proxies.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  ///< the first 4 for IPv4

  /// The address in its usual text form ("192.0.2.1", "2001:db8::1"), or nullopt.
  static std::optional<IpAddress> parse(std::string_view text);
  std::string toString() const;
  bool operator==(const IpAddress&) const = default;
};

/// An address and a prefix length: 10.0.0.0/8, 2001:db8::/32; a single address is a /32 (/128).
struct IpNetwork {
  IpAddress address;
  int prefix = 0;
  bool contains(const IpAddress& ip) const;
};

class TrustedProxies {
 public:
  TrustedProxies() = default;
  /// A comma-separated list of addresses and CIDR networks ("127.0.0.1, 10.0.0.0/8, ::1");
  /// empty trusts nobody. A network with bits set beyond its prefix (10.0.0.1/8) is refused as
  /// the typo it probably is. On error, a message for the operator.
  static std::variant<TrustedProxies, std::string> parse(std::string_view list);

  bool trusts(const IpAddress& ip) const;
  bool empty() const { return networks_.empty(); }

 private:
  std::vector<IpNetwork> networks_;
};

}  // namespace kkr::api
