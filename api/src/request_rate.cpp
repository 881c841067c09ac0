#include "request_rate.hpp"

#include "problem.hpp"

namespace kkr::api {

namespace {

RateLimiter::Clock::time_point now() { return RateLimiter::Clock::now(); }

/// `"address";q=600;w=10`: the structured-field item of RateLimit-Policy.
std::string policyItem(const RateDecision& d) {
  return "\"" + std::string(toString(d.policy)) + "\";q=" + std::to_string(d.quota.quota) +
         ";w=" + std::to_string(d.quota.window.count());
}

/// `"address";r=599;t=1`: the structured-field item of RateLimit.
std::string stateItem(const RateDecision& d) {
  return "\"" + std::string(toString(d.policy)) + "\";r=" + std::to_string(d.remaining) +
         ";t=" + std::to_string(d.reset);
}

}  // namespace

std::optional<HttpResponse> limitBeforeRouting(ServerContext& ctx, HttpRequest& req,
                                               Credentials credentials) {
  if (!req.client) return std::nullopt;  // not from an IP socket: nobody to tell apart
  const BucketKey address = BucketKey::of(*req.client);
  if (credentials == Credentials::Checked) {
    // Refused before the token is looked at, so that guessing gets nowhere once the address has
    // failed too often; allowed requests are counted once authentication has decided.
    auto failures = ctx.limiter->peek(RatePolicy::AuthFailures, address, now());
    if (!failures || failures->allowed) return std::nullopt;
    req.rate_limit = failures;
  } else {
    req.rate_limit = ctx.limiter->take(RatePolicy::Address, address, now());
    if (!req.rate_limit || req.rate_limit->allowed) return std::nullopt;
  }
  return tooManyRequests(req);
}

void countAgainstKey(ServerContext& ctx, HttpRequest& req, const domain::Principal& caller) {
  req.rate_limit = ctx.limiter->take(RatePolicy::Key, BucketKey::ofKey(caller.key_id), now());
}

void countAuthFailure(ServerContext& ctx, HttpRequest& req) {
  if (!req.client) return;
  req.rate_limit = ctx.limiter->take(RatePolicy::AuthFailures, BucketKey::of(*req.client), now());
}

HttpResponse tooManyRequests(const HttpRequest& req) {
  const RateDecision& d = *req.rate_limit;
  std::string detail;
  if (d.policy == RatePolicy::AuthFailures) {
    detail = "too many failed authentications from this address; retry in " +
             std::to_string(d.retry_after) + " s";
  } else {
    detail = "more than " + std::to_string(d.quota.quota) + " requests in " +
             std::to_string(d.quota.window.count()) + " s from this " +
             (d.policy == RatePolicy::Key ? "API key" : "address") + "; retry in " +
             std::to_string(d.retry_after) + " s";
  }
  auto response = httpProblem(429, std::move(detail), req.target(), req.request_id);
  addRateLimitHeaders(response, d);
  return response;
}

void addRateLimitHeaders(HttpResponse& response, const RateDecision& decision) {
  if (response.findHeader("RateLimit")) return;
  response.header("RateLimit-Policy", policyItem(decision));
  response.header("RateLimit", stateItem(decision));
  if (!decision.allowed && !response.findHeader("Retry-After")) {
    response.header("Retry-After", std::to_string(decision.retry_after));
  }
}

}  // namespace kkr::api
