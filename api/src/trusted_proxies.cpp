#include "kkr/api/trusted_proxies.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "http_types.hpp"

namespace kkr::api {

namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/// Clears every bit of `ip` after the first `prefix` bits.
IpAddress masked(IpAddress ip, int prefix) {
  for (int i = 0; i < 16; ++i) {
    const int kept = std::clamp(prefix - i * 8, 0, 8);
    ip.bytes[static_cast<std::size_t>(i)] &= static_cast<std::uint8_t>(0xff00 >> kept);
  }
  return ip;
}

/// One entry of the list: an address, or address/prefix.
std::variant<IpNetwork, std::string> parseNetwork(std::string_view entry) {
  const std::size_t slash = entry.find('/');
  const auto ip = IpAddress::parse(entry.substr(0, slash));
  if (!ip) return "'" + std::string(entry) + "' is not an IP address or CIDR network";
  const int bits = ip->v6 ? 128 : 32;
  IpNetwork network{*ip, bits};
  if (slash != std::string_view::npos) {
    const std::string_view digits = entry.substr(slash + 1);
    const auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), network.prefix);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
        network.prefix < 0 || network.prefix > bits) {
      return "'" + std::string(entry) + "' has no prefix length 0.." + std::to_string(bits);
    }
    if (masked(*ip, network.prefix) != *ip) {
      return "'" + std::string(entry) +
             "' has address bits set beyond its prefix; the network is " +
             masked(*ip, network.prefix).toString() + "/" + std::to_string(network.prefix);
    }
  }
  return network;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; addresses are short, anything long is not one.
  if (text.empty() || text.size() > 45) return std::nullopt;
  const std::string copy(text);
  IpAddress ip;
  if (::inet_pton(AF_INET, copy.c_str(), ip.bytes.data()) == 1) return ip;
  if (::inet_pton(AF_INET6, copy.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  if (std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), ip.bytes.begin())) {
    IpAddress v4;
    std::copy(ip.bytes.begin() + 12, ip.bytes.end(), v4.bytes.begin());
    return v4;
  }
  ip.v6 = true;
  return ip;
}

std::string IpAddress::toString() const {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

bool IpNetwork::contains(const IpAddress& ip) const {
  return ip.v6 == address.v6 && masked(ip, prefix) == address;
}

std::variant<TrustedProxies, std::string> TrustedProxies::parse(std::string_view list) {
  TrustedProxies trusted;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view entry = trimOws(list.substr(0, comma));
    if (!entry.empty()) {
      auto network = parseNetwork(entry);
      if (auto* error = std::get_if<std::string>(&network)) return std::move(*error);
      trusted.networks_.push_back(std::get<IpNetwork>(network));
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return trusted;
}

bool TrustedProxies::trusts(const IpAddress& ip) const {
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const IpNetwork& n) { return n.contains(ip); });
}

}  // namespace kkr::api
