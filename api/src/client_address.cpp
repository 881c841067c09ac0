#include "client_address.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <string>

namespace kkr::api {

namespace {

/// Every X-Forwarded-For value of the request, in order, as one list.
std::string forwardedFor(const std::vector<HttpHeader>& headers) {
  std::string list;
  for (const auto& h : headers) {
    if (!equalsIgnoreCase(h.name, "X-Forwarded-For")) continue;
    if (!list.empty()) list.push_back(',');
    list.append(h.value);
  }
  return list;
}

}  // namespace

std::optional<IpAddress> clientAddress(const std::optional<IpAddress>& peer,
                                       const std::vector<HttpHeader>& headers,
                                       const TrustedProxies& trusted) {
  if (!peer || !trusted.trusts(*peer)) return peer;
  const std::string list = forwardedFor(headers);
  if (list.empty()) return peer;
  std::string_view rest = list;
  std::optional<IpAddress> client;
  while (true) {
    const std::size_t comma = rest.rfind(',');
    const std::string_view entry =
        trimOws(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    client = IpAddress::parse(entry);
    if (!client) return peer;  // malformed: the header says nothing we can believe
    if (!trusted.trusts(*client) || comma == std::string_view::npos) return client;
    rest = rest.substr(0, comma);
  }
}

std::optional<IpAddress> peerAddressOf(int fd) {
  sockaddr_storage addr{};
  socklen_t size = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0) return std::nullopt;
  IpAddress ip;
  if (addr.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(addr);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&v4.sin_addr.s_addr);
    std::copy(bytes, bytes + 4, ip.bytes.begin());
    return ip;
  }
  if (addr.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(addr);
    // Through the text form, so that an IPv4-mapped address becomes the IPv4 address.
    IpAddress raw{true, {}};
    std::copy(v6.sin6_addr.s6_addr, v6.sin6_addr.s6_addr + 16, raw.bytes.begin());
    return IpAddress::parse(raw.toString());
  }
  return std::nullopt;
}

}  // namespace kkr::api
