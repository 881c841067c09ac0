#pragma once
// Bearer-token authentication and role checks, independent of Pistache so they are unit-testable.

#include <optional>
#include <string>
#include <string_view>

#include "kkr/domain/auth.hpp"
#include "kkr/domain/result.hpp"

namespace kkr::api {

/// The caller of one request: nobody (anonymous) or an API key's principal.
using Caller = std::optional<domain::Principal>;

/// Reads an Authorization header value. Absent → anonymous. Present but not "Bearer <token>",
/// or a token the store does not know (or has revoked) → Unauthenticated: a client that tried to
/// authenticate must learn that it failed rather than silently read as anonymous.
domain::Result<Caller> authenticate(const std::optional<std::string>& authorization,
                                    domain::ApiKeyStore& keys);

/// Ok when the caller holds `minimum` (admin includes editor); Unauthenticated for anonymous,
/// Forbidden for a weaker role.
domain::Status requireRole(const Caller& caller, domain::Role minimum);

/// Extracts the token of a "Bearer <token>" header value (scheme case-insensitive, RFC 7235);
/// nullopt when the value is not of that form or the token has characters outside token68.
std::optional<std::string_view> bearerToken(std::string_view authorization);

}  // namespace kkr::api
