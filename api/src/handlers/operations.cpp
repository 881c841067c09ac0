#include "common.hpp"
#include "handlers.hpp"

namespace kkr::api {
std::string_view embeddedOpenApi();  // generated from openapi.yaml (embed_openapi.cmake)
}

namespace kkr::api::handlers {

namespace {

/// Operational endpoints take no parameters; anything in the query is a client mistake.
std::optional<HttpResponse> rejectQuery(const HttpRequest& req) {
  QueryReader query(req.query, {});
  if (auto status = query.finish(); !status) return problem(status.error(), req);
  return std::nullopt;
}

HttpResponse statusBody(int status, std::string_view text) {
  std::string body;
  JsonWriter(body).beginObject().field("status", text).endObject();
  auto response = makeResponse(status, kJson, std::move(body));
  response.header("Cache-Control", "no-store");
  return response;
}

}  // namespace

HttpResponse healthz(const HttpRequest& req, ServerContext&) {
  if (auto bad = rejectQuery(req)) return *bad;
  // Alive: the process answers HTTP. Deliberately independent of the database, so that a
  // database outage makes instances unready, not restarted.
  return statusBody(200, "ok");
}

HttpResponse readyz(const HttpRequest& req, ServerContext& ctx) {
  if (auto bad = rejectQuery(req)) return *bad;
  if (ctx.draining) {
    return problem(domain::Error::unavailable("the server is shutting down"), req);
  }
  domain::StoreHealth health;
  if (ctx.services.health) {
    auto checked = ctx.services.health->check();
    if (!checked) {
      // Whatever the failure, readiness says "do not send traffic": always a 503. The pool logs
      // the outage itself; a probe every few seconds must not repeat it.
      ctx.log->debug("readiness check failed: {}", checked.error().detail);
      return problem(domain::Error::unavailable("the database is not reachable"), req);
    }
    health = std::move(*checked);
  }
  // Ready either way, but an operator reading the probe learns that a crash of the database
  // could lose writes this service has acknowledged.
  std::string body;
  JsonWriter json(body);
  json.beginObject().field("status", "ok");
  json.field("durability", health.durability_warnings.empty() ? "full" : "reduced");
  if (!health.durability_warnings.empty()) {
    json.field("durability_warnings", health.durability_warnings);
  }
  json.endObject();
  auto response = makeResponse(200, kJson, std::move(body));
  response.header("Cache-Control", "no-store");
  return response;
}

HttpResponse metrics(const HttpRequest& req, ServerContext& ctx) {
  if (auto bad = rejectQuery(req)) return *bad;
  auto response =
      makeResponse(200, kPrometheus, ctx.metrics->render(snapshotOf(ctx)->seq(), !ctx.draining));
  response.header("Cache-Control", "no-store");
  return response;
}

HttpResponse openapiYaml(const HttpRequest& req, ServerContext&) {
  if (auto bad = rejectQuery(req)) return *bad;
  static const std::string etag = hashedEtag("openapi", embeddedOpenApi());
  return conditional(req, etag, kYaml, [] { return std::string(embeddedOpenApi()); });
}

HttpResponse docsPage(const HttpRequest& req, ServerContext& ctx) {
  if (auto bad = rejectQuery(req)) return *bad;
  // Relative links, so the page also works behind a proxy that serves the API under a prefix.
  std::string page =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>KKR Register API</title>\n<style>body{margin:0}</style>\n</head>\n<body>\n";
  HttpResponse response;
  if (!ctx.docs_js.empty()) {
    page +=
        "<redoc spec-url=\"openapi.yaml\"></redoc>\n"
        "<script src=\"docs/redoc.standalone.js\"></script>\n"
        "<noscript><p>The reference needs JavaScript. The contract itself is at "
        "<a href=\"openapi.yaml\">openapi.yaml</a>.</p></noscript>\n";
  } else {
    page +=
        "<main style=\"font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto\">\n"
        "<h1>KKR Register API</h1>\n"
        "<p>The interactive viewer is not installed on this server.</p>\n"
        "<p>The API contract (OpenAPI 3.1) is at <a href=\"openapi.yaml\">openapi.yaml</a>.</p>\n"
        "</main>\n";
  }
  page += "</body>\n</html>\n";
  response = makeResponse(200, kHtml, std::move(page));
  // Redoc renders with inline styles, runs its search in a blob: worker and compiles a few
  // functions at run time ('unsafe-eval'); everything it loads comes from this server.
  response.header("Content-Security-Policy",
                  "default-src 'self'; script-src 'self' 'unsafe-eval' blob:; "
                  "worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; "
                  "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
                  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
  return response;
}

HttpResponse docsScript(const HttpRequest& req, ServerContext& ctx) {
  if (auto bad = rejectQuery(req)) return *bad;
  if (ctx.docs_js.empty()) {
    return problem(domain::Error::notFound("the interactive viewer is not installed"), req);
  }
  auto response = conditional(req, ctx.docs_js_etag, kJavaScript, [&] { return ctx.docs_js; });
  response.header("Cache-Control", "public, max-age=86400");
  return response;
}

}  // namespace kkr::api::handlers
