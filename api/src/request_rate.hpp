#pragma once
// Where the rate limits (rate_limiter.hpp) meet a request. A request is counted once: against its
// client address, or, when it brings credentials to a route that checks them, against its API key
// once authenticated (or against its address's failed authentications when that fails). Every
// response to a counted request says so in RateLimit-Policy and RateLimit; a refused one is a 429
// problem with Retry-After.

#include <optional>

#include "http_types.hpp"
#include "server_context.hpp"

namespace kkr::api {

/// Whether the limits look at the request's credentials (the route checks them and it has some).
enum class Credentials { Ignored, Checked };

/// Before routing, on the reactor: counts an anonymous request against its address; for one with
/// credentials, only looks whether its address may still fail to authenticate. The 429 to answer
/// when the request must wait.
std::optional<HttpResponse> limitBeforeRouting(ServerContext& ctx, HttpRequest& req,
                                               Credentials credentials);

/// After a successful authentication: counts the request against the caller's key.
void countAgainstKey(ServerContext& ctx, HttpRequest& req, const domain::Principal& caller);
/// After a failed authentication: counts it against the address's failed authentications.
void countAuthFailure(ServerContext& ctx, HttpRequest& req);

/// The 429 problem for a request a limit refused (req.rate_limit), with its headers.
HttpResponse tooManyRequests(const HttpRequest& req);

/// Adds RateLimit-Policy, RateLimit (and, when refused, Retry-After) for `decision`, unless the
/// response has them already.
void addRateLimitHeaders(HttpResponse& response, const RateDecision& decision);

}  // namespace kkr::api
