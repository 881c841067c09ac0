#include "routes.hpp"

#include "handlers/handlers.hpp"
#include "handlers/write_handlers.hpp"
#include "kkr/api/routes.hpp"
#include "params.hpp"
#include "problem.hpp"

namespace kkr::api {

const std::vector<Route>& apiRoutes() {
  namespace h = handlers;
  // Reads like openapi.yaml's paths. Each entry is one operation; the 405 and 404 answers, the
  // metrics labels and `kkr routes` all come from this table.
  static const std::vector<Route> routes{
      {"GET", "/v1/kommuner", h::listKommuner},
      {"GET", "/v1/kommuner/{code}", h::getKommune},
      {"POST", "/v1/kommuner", h::createKommune, kUsesDatabase},
      {"PATCH", "/v1/kommuner/{code}", h::updateKommune, kUsesDatabase},
      {"DELETE", "/v1/kommuner/{code}", h::deleteKommune, kUsesDatabase},
      {"GET", "/v1/periods", h::listPeriods},
      {"GET", "/v1/periods/{id}", h::getPeriod},
      {"POST", "/v1/periods", h::createPeriod, kUsesDatabase},
      {"PATCH", "/v1/periods/{id}", h::updatePeriod, kUsesDatabase},
      {"DELETE", "/v1/periods/{id}", h::deletePeriod, kUsesDatabase},
      {"GET", "/v1/persons", h::listPersons},
      {"GET", "/v1/persons/{id}", h::getPerson},
      {"POST", "/v1/persons", h::createPerson, kUsesDatabase},
      {"PATCH", "/v1/persons/{id}", h::updatePerson, kUsesDatabase},
      {"DELETE", "/v1/persons/{id}", h::deletePerson, kUsesDatabase},
      {"GET", "/v1/members", h::listMembers},
      {"GET", "/v1/members/{id}", h::getMember},
      {"POST", "/v1/members", h::createMember, kUsesDatabase},
      {"PATCH", "/v1/members/{id}", h::updateMember, kUsesDatabase},
      {"DELETE", "/v1/members/{id}", h::deleteMember, kUsesDatabase},
      {"GET", "/v1/forums", h::listForums},
      {"GET", "/v1/forums/{id}", h::getForum},
      {"POST", "/v1/forums", h::createForum, kUsesDatabase},
      {"PATCH", "/v1/forums/{id}", h::updateForum, kUsesDatabase},
      {"DELETE", "/v1/forums/{id}", h::deleteForum, kUsesDatabase},
      {"GET", "/v1/appointments", h::listAppointments},
      {"GET", "/v1/appointments/{id}", h::getAppointment},
      {"POST", "/v1/appointments", h::createAppointment, kUsesDatabase},
      {"PATCH", "/v1/appointments/{id}", h::updateAppointment, kUsesDatabase},
      {"DELETE", "/v1/appointments/{id}", h::deleteAppointment, kUsesDatabase},
      {"GET", "/v1/changes", h::listChanges, kUsesDatabase},
      {"GET", "/v1/audit", h::listAudit, kUsesDatabase},
      {"GET", "/v1/blue-book", h::getBlueBook},
      {"GET", "/healthz", h::healthz},
      {"GET", "/readyz", h::readyz, kUsesDatabase},
      {"GET", "/metrics", h::metrics},
      {"GET", "/openapi.yaml", h::openapiYaml},
      {"GET", "/docs", h::docsPage},
      {"GET", "/docs/redoc.standalone.js", h::docsScript},
  };
  return routes;
}

bool needsWorker(const Route& route, const HttpRequest& req) {
  return route.uses_database || req.header("Authorization").has_value();
}

HttpResponse runHandler(std::size_t index, const HttpRequest& req, ServerContext& ctx) {
  try {
    return apiRoutes()[index].handler(req, ctx);
  } catch (const std::exception& e) {
    ctx.log->error("request {} ({} {}) failed: {}", req.request_id, req.method, req.path, e.what());
    return toProblem(domain::Error::internal(e.what()), req.target(), req.request_id);
  } catch (...) {
    ctx.log->error("request {} ({} {}) failed with a non-standard exception", req.request_id,
                   req.method, req.path);
    return toProblem(domain::Error::internal("unknown"), req.target(), req.request_id);
  }
}

std::vector<RouteInfo> routeTable() {
  std::vector<RouteInfo> table;
  for (const auto& r : apiRoutes()) {
    table.push_back({std::string(r.method), std::string(r.path)});
    // Served by the GET route (lookupRoute); the contract implies it from GET.
    if (r.method == "GET") table.push_back({"HEAD", std::string(r.path)});
  }
  return table;
}

bool matchTemplate(std::string_view tmpl, std::string_view path,
                   std::map<std::string, std::string, std::less<>>* params) {
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
        auto decoded = percentDecode(pseg, false);
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
