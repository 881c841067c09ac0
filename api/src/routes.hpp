#pragma once
// The route table: every operation the server answers, in the order of openapi.yaml.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_types.hpp"
#include "server_context.hpp"

namespace kkr::api {

using Handler = HttpResponse (*)(const HttpRequest&, ServerContext&);

/// Who may call a route. Checked before its handler runs (runHandler), so a handler starts with
/// an authenticated caller in HttpRequest::caller whenever its route needs one.
enum class Access {
  Open,    ///< anyone; credentials are not looked at (health, metrics, the contract, docs)
  Public,  ///< anyone; a valid key also sees restricted fields, an invalid key is refused (401)
  Editor,  ///< an API key with the editor role or above (anonymous 401, weaker 403)
  Admin,   ///< an API key with the admin role
};

std::string_view toString(Access access);

struct Route {
  std::string method;
  std::string path;  ///< OpenAPI-style template: "/v1/kommuner/{code}"
  Handler handler;
  Access access = Access::Open;
  /// The handler may wait on the database (or hold a thread for long, see kRunsLong), so it
  /// runs on a worker, never on a reactor thread. (So does any request with credentials for a
  /// route that checks them: checking a token may need the database.)
  bool uses_database = false;
};

/// Marks a route whose handler may wait on the database.
inline constexpr bool kUsesDatabase = true;
/// Marks a route whose handler reads only memory but renders so much (the whole register) that
/// a reactor thread doing it would stall every other connection it serves: it runs on a worker.
inline constexpr bool kRunsLong = true;

/// Whether this request must be answered from a worker (see Route::uses_database).
bool needsWorker(const Route& route, const HttpRequest& req);

/// Route `index` of apiRoutes() on `req`: checks the route's access (setting req.caller), then
/// runs the handler. An exception is logged with the request id and becomes a generic 500 problem.
HttpResponse runHandler(std::size_t index, HttpRequest& req, ServerContext& ctx);

/// All routes, in a fixed order (their index identifies them in metrics).
const std::vector<Route>& apiRoutes();

/// Matches a raw request path against a template. On a match, fills `params` (when given) with
/// each {name}'s segment, percent-decoded where the escapes are valid (else raw, so the handler's
/// strict parsing reports it).
bool matchTemplate(std::string_view tmpl, std::string_view path,
                   std::map<std::string, std::string, std::less<>>* params);

/// What the route table knows about a method and path. HEAD finds the path's GET route.
struct RouteLookup {
  std::optional<std::size_t> route;  ///< the route for this method and path
  /// Methods served at this path ("GET, HEAD"; HEAD wherever GET is); empty: unknown path.
  std::string allowed;
};
RouteLookup lookupRoute(std::string_view method, std::string_view path);

/// "/v1/kommuner/{code}" → "/v1/kommuner/:code" for Pistache's router.
std::string pistacheTemplate(std::string_view tmpl);

}  // namespace kkr::api
