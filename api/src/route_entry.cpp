#include "route_entry.hpp"

#include "connection.hpp"
#include "problem.hpp"
#include "request_rate.hpp"
#include "routes.hpp"

namespace kkr::api {

namespace {

using Pistache::Http::ResponseWriter;
namespace Rest = Pistache::Rest;

/// The headers a browser may send cross-origin (what the write side will need too).
constexpr std::string_view kCorsRequestHeaders =
    "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id";

/// Whether the rate limits count this request by its credentials (request_rate.hpp): it has some,
/// and its route looks at them.
Credentials credentialsOf(const RouteLookup& lookup, const HttpRequest& req) {
  if (!lookup.route || !req.header("Authorization")) return Credentials::Ignored;
  return apiRoutes()[*lookup.route].access == Access::Open ? Credentials::Ignored
                                                           : Credentials::Checked;
}

/// Answers the connection's current request with route `index` of apiRoutes().
void serveRoute(const std::shared_ptr<Pistache::Tcp::Peer>& peer, ServerContext& ctx,
                std::size_t index) {
  auto conn = connectionOf(peer, ctx.limits);
  HttpRequest& req = conn->request;
  const Route& route = apiRoutes()[index];
  req.path_params.clear();
  matchTemplate(route.path, req.path, &req.path_params);
  if (needsWorker(route, req)) {
    conn->handler->answerFromWorker(peer, index);
  } else {
    respond(peer, ctx, runHandler(index, req, ctx), index);
  }
}

}  // namespace

Rest::Route::Handler routeHandler(std::size_t index, std::shared_ptr<ServerContext> ctx) {
  return [index, ctx](const Pistache::Rest::Request&, ResponseWriter writer) {
    auto peer = writer.getPeer();
    if (!peer) return Rest::Route::Result::Ok;  // the client has gone; nobody to answer
    serveRoute(peer, *ctx, index);
    return Rest::Route::Result::Ok;
  };
}

Rest::Route::Middleware frontController(std::shared_ptr<ServerContext> ctx) {
  return [ctx](Pistache::Http::Request&, ResponseWriter& writer) {
    auto peer = writer.getPeer();
    if (!peer) return false;
    auto conn = connectionOf(peer, ctx->limits);
    HttpRequest& req = conn->request;
    const RouteLookup lookup = lookupRoute(req.method, req.path);
    if (auto refused = limitBeforeRouting(*ctx, req, credentialsOf(lookup, req))) {
      respond(peer, *ctx, std::move(*refused), lookup.route.value_or(Metrics::kUnmatched));
      return false;
    }

    if (req.method == "OPTIONS" && !lookup.allowed.empty()) {
      const auto origin = req.header("Origin");
      const auto wanted = req.header("Access-Control-Request-Method");
      if (origin && wanted && corsAllowed(*ctx, *origin)) {
        HttpResponse preflight;
        preflight.status = 204;
        preflight.header("Access-Control-Allow-Methods", lookup.allowed)
            .header("Access-Control-Allow-Headers", std::string(kCorsRequestHeaders))
            .header("Access-Control-Max-Age", "600")
            .header("Cache-Control", "no-store");
        respond(peer, *ctx, std::move(preflight), Metrics::kUnmatched);
        return false;
      }
    }
    if (lookup.allowed.empty()) {
      respond(peer, *ctx,
              httpProblem(404, "no resource at this path", req.target(), req.request_id),
              Metrics::kUnmatched);
      return false;
    }
    if (!lookup.route) {
      respond(peer, *ctx,
              methodNotAllowed(req.method, lookup.allowed, req.target(), req.request_id),
              Metrics::kUnmatched);
      return false;
    }
    const bool head = req.method == "HEAD";
    if ((req.method == "GET" || head) && !req.body.empty()) {
      respond(peer, *ctx,
              httpProblem(400, "a " + req.method + " request must not have a body", req.target(),
                          req.request_id),
              *lookup.route);
      return false;
    }
    if (head || req.path == "/") {
      // HEAD runs the GET route (lookupRoute) and respond() leaves the content out, so status and
      // headers are GET's (RFC 9110 §9.3.2). Pistache's router has no HEAD routes, nor the root
      // (server.cpp): both are answered here.
      serveRoute(peer, *ctx, *lookup.route);
      return false;
    }
    return true;
  };
}

Rest::Route::Handler notFound(std::shared_ptr<ServerContext> ctx) {
  return [ctx](const Pistache::Rest::Request&, ResponseWriter writer) {
    auto peer = writer.getPeer();
    if (!peer) return Rest::Route::Result::Ok;
    auto conn = connectionOf(peer, ctx->limits);
    const HttpRequest& req = conn->request;
    respond(peer, *ctx, httpProblem(404, "no resource at this path", req.target(), req.request_id),
            Metrics::kUnmatched);
    return Rest::Route::Result::Ok;
  };
}

}  // namespace kkr::api
