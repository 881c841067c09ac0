#include "routes.hpp"

#include "auth.hpp"
#include "handlers/handlers.hpp"
#include "handlers/resources.hpp"
#include "kkr/api/routes.hpp"
#include "params.hpp"
#include "problem.hpp"
#include "request_rate.hpp"

namespace kkr::api {

namespace {

/// The five operations of a resource (resources.hpp): reads for anyone, writes for the role the
/// use-case layer requires.
template <typename E>
void addResource(std::vector<Route>& routes) {
  namespace h = handlers;
  const std::string collection = h::collectionPath<E>();
  const std::string item = collection + "/{" + std::string(h::Resource<E>::param) + "}";
  const Access writer = h::writeRole<E>() == domain::Role::Admin ? Access::Admin : Access::Editor;
  routes.push_back({"GET", collection, h::listResource<E>, Access::Public});
  routes.push_back({"GET", item, h::getResource<E>, Access::Public});
  routes.push_back({"POST", collection, h::createResource<E>, writer, kUsesDatabase});
  routes.push_back({"PATCH", item, h::updateResource<E>, writer, kUsesDatabase});
  routes.push_back({"DELETE", item, h::removeResource<E>, writer, kUsesDatabase});
}

std::vector<Route> makeRoutes() {
  namespace h = handlers;
  std::vector<Route> routes;
  addResource<domain::Kommune>(routes);
  addResource<domain::Period>(routes);
  addResource<domain::Person>(routes);
  addResource<domain::KkrMember>(routes);
  addResource<domain::RegionalForum>(routes);
  addResource<domain::Appointment>(routes);
  addResource<domain::Meeting>(routes);
  routes.insert(
      routes.end(),
      {
          {"POST", "/v1/appointments/{id}/appoint", h::appointAppointment, Access::Editor,
           kUsesDatabase},
          {"POST", "/v1/appointments/{id}/end", h::endAppointment, Access::Editor, kUsesDatabase},
          {"POST", "/v1/persons/{id}/erasure", h::erasePersonContacts, Access::Admin,
           kUsesDatabase},
          {"POST", "/v1/periods/{id}/constitution", h::constitutePeriod, Access::Editor,
           kUsesDatabase},
          {"POST", "/v1/batch", h::postBatch, Access::Editor, kUsesDatabase},
          {"GET", "/v1/changes", h::listChanges, Access::Public, kUsesDatabase},
          {"GET", "/v1/audit", h::listAudit, Access::Admin, kUsesDatabase},
          {"GET", "/v1/blue-book", h::getBlueBook, Access::Public},
          // The Blå Bog for people (site.cpp): HTML pages of public data only, for anyone.
          {"GET", "/", h::siteHome, Access::Open},
          {"GET", "/kommuner/{code}", h::siteKommune, Access::Open},
          {"GET", "/fora/{id}", h::siteForum, Access::Open},
          {"GET", "/personer/{id}", h::sitePerson, Access::Open},
          {"GET", "/site.css", h::siteStylesheet, Access::Open},
          {"GET", "/favicon.svg", h::siteIcon, Access::Open},
          {"GET", "/v1/export", h::getExport, Access::Public, kRunsLong},
          {"GET", "/healthz", h::healthz, Access::Open},
          {"GET", "/readyz", h::readyz, Access::Open, kUsesDatabase},
          {"GET", "/metrics", h::metrics, Access::Open},
          {"GET", "/openapi.yaml", h::openapiYaml, Access::Open},
          {"GET", "/docs", h::docsPage, Access::Open},
          {"GET", "/docs/redoc.standalone.js", h::docsScript, Access::Open},
      });
  return routes;
}

/// Authenticates the caller when the route looks at credentials, counts the request against the
/// caller's key (or the address's failed authentications), and checks the route's role.
domain::Status checkAccess(const Route& route, HttpRequest& req, ServerContext& ctx) {
  req.caller.reset();
  if (route.access == Access::Open) return domain::ok();
  const bool needs_key = route.access == Access::Editor || route.access == Access::Admin;
  if (ctx.services.keys == nullptr) {
    // Without the key secret the instance serves reads only (services.hpp): no key is valid.
    if (needs_key) {
      return domain::fail(
          domain::Error::unavailable("this instance serves reads only; it accepts no API keys"));
    }
    if (req.header("Authorization")) {
      countAuthFailure(ctx, req);
      return domain::fail(domain::Error{
          domain::ErrorCode::Unauthenticated, "this instance does not accept API keys", {}});
    }
    return domain::ok();
  }
  std::optional<std::string> header;
  if (auto h = req.header("Authorization")) header = std::string(*h);
  auto caller = authenticate(header, *ctx.services.keys);
  if (!caller) {
    countAuthFailure(ctx, req);
    return domain::fail(std::move(caller).error());
  }
  req.caller = *caller;
  if (req.caller) countAgainstKey(ctx, req, *req.caller);
  if (!needs_key) return domain::ok();
  return requireRole(req.caller,
                     route.access == Access::Admin ? domain::Role::Admin : domain::Role::Editor);
}

/// The refusal of a request its route may not run: a rate limit's 429, or the access problem.
std::optional<HttpResponse> admit(const Route& route, HttpRequest& req, ServerContext& ctx) {
  auto access = checkAccess(route, req, ctx);
  if (req.rate_limit && !req.rate_limit->allowed) return tooManyRequests(req);
  if (!access) return toProblem(access.error(), req.target(), req.request_id);
  return std::nullopt;
}

HttpResponse admitAndRun(const Route& route, HttpRequest& req, ServerContext& ctx) {
  try {
    if (auto refused = admit(route, req, ctx)) return std::move(*refused);
    return route.handler(req, ctx);
  } catch (const std::exception& e) {
    ctx.log->error("request {} ({} {}) failed: {}", req.request_id, req.method, req.path, e.what());
    return toProblem(domain::Error::internal(e.what()), req.target(), req.request_id);
  } catch (...) {
    ctx.log->error("request {} ({} {}) failed with a non-standard exception", req.request_id,
                   req.method, req.path);
    return toProblem(domain::Error::internal("unknown"), req.target(), req.request_id);
  }
}

}  // namespace

std::string_view toString(Access access) {
  switch (access) {
    case Access::Public:
      return "public";
    case Access::Editor:
      return "editor";
    case Access::Admin:
      return "admin";
    case Access::Open:
      break;
  }
  return "open";
}

const std::vector<Route>& apiRoutes() {
  // Each entry is one operation; the 405 and 404 answers, the metrics labels, `kkr routes` and
  // the access check all come from this table.
  static const std::vector<Route> routes = makeRoutes();
  return routes;
}

bool needsWorker(const Route& route, const HttpRequest& req) {
  return route.uses_database ||
         (route.access != Access::Open && req.header("Authorization").has_value());
}

HttpResponse runHandler(std::size_t index, HttpRequest& req, ServerContext& ctx) {
  HttpResponse response = admitAndRun(apiRoutes()[index], req, ctx);
  // Here rather than in respond(): a worker answers from its own copy of the request.
  if (req.rate_limit) addRateLimitHeaders(response, *req.rate_limit);
  return response;
}

std::vector<RouteInfo> routeTable() {
  std::vector<RouteInfo> table;
  for (const auto& r : apiRoutes()) {
    const std::string access(toString(r.access));
    table.push_back({r.method, r.path, access});
    // Served by the GET route (lookupRoute); the contract implies it from GET.
    if (r.method == "GET") table.push_back({"HEAD", r.path, access});
  }
  return table;
}

bool matchTemplate(std::string_view tmpl, std::string_view path,
                   std::map<std::string, std::string, std::less<>>* params) {
  // The root is the one path without a segment.
  if (tmpl == "/" || path == "/") return tmpl == path;
  // Segment by segment: literals compare exactly (case matters), {name} takes one non-empty
  // segment. A trailing slash or an empty segment never matches.
  while (!tmpl.empty() || !path.empty()) {
    if (tmpl.empty() || path.empty() || tmpl.front() != '/' || path.front() != '/') return false;
    tmpl.remove_prefix(1);
    path.remove_prefix(1);
    const std::size_t te = std::min(tmpl.find('/'), tmpl.size());
    const std::size_t pe = std::min(path.find('/'), path.size());
    const std::string_view tseg = tmpl.substr(0, te);
    const std::string_view pseg = path.substr(0, pe);
    if (pseg.empty()) return false;
    if (tseg.size() > 2 && tseg.front() == '{' && tseg.back() == '}') {
      if (params) {
        auto decoded = percentDecode(pseg, Plus::Literal);
        (*params)[std::string(tseg.substr(1, tseg.size() - 2))] =
            decoded ? std::move(*decoded) : std::string(pseg);
      }
    } else if (tseg != pseg) {
      return false;
    }
    tmpl.remove_prefix(te);
    path.remove_prefix(pe);
  }
  return true;
}

RouteLookup lookupRoute(std::string_view method, std::string_view path) {
  RouteLookup result;
  const auto& routes = apiRoutes();
  // HEAD is served wherever GET is, by the GET route (RFC 9110 §9.3.2).
  const std::string_view routed = method == "HEAD" ? std::string_view("GET") : method;
  auto allow = [&result](std::string_view m) {
    if (result.allowed.find(m) != std::string::npos) return;
    if (!result.allowed.empty()) result.allowed += ", ";
    result.allowed += m;
  };
  for (std::size_t i = 0; i < routes.size(); ++i) {
    if (!matchTemplate(routes[i].path, path, nullptr)) continue;
    if (routes[i].method == routed) result.route = i;
    allow(routes[i].method);
    if (routes[i].method == "GET") allow("HEAD");
  }
  return result;
}

std::string pistacheTemplate(std::string_view tmpl) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{') {
      out += ':';
    } else if (tmpl[i] != '}') {
      out += tmpl[i];
    }
  }
  return out;
}

}  // namespace kkr::api
