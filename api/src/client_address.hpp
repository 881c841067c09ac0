#pragma once
// Which address a request comes from: the connection's peer, unless the peer is a trusted proxy
// (KKR_TRUSTED_PROXIES) that says in X-Forwarded-For whom it forwards for.

#include <optional>
#include <vector>

#include "http_types.hpp"
#include "kkr/api/trusted_proxies.hpp"

namespace kkr::api {

/// The client's address. X-Forwarded-For (all such headers, in order, as one comma-separated
/// list) is read from the right, as each proxy appends the address it received the request from:
/// the first address that is not a trusted proxy is the client; when all are trusted, the
/// leftmost is. The header counts only when `peer` is trusted, and only if every entry read is an
/// IP address: an untrusted peer's header, a malformed entry (a port, a name, "unknown", an empty
/// entry) or no header at all leave the peer as the client. Nullopt when the peer is unknown.
std::optional<IpAddress> clientAddress(const std::optional<IpAddress>& peer,
                                       const std::vector<HttpHeader>& headers,
                                       const TrustedProxies& trusted);

/// The address of a connected socket's peer, or nullopt (not an IP socket, or not connected).
std::optional<IpAddress> peerAddressOf(int fd);

}  // namespace kkr::api
