#pragma once
// The entry points Pistache's router calls for a request: the front controller, one handler per
// route and the not-found handler. Each answers exactly once (respond()); what a route's handler
// throws is caught by runHandler() (routes.hpp), anything else that escapes routing by
// ApiHandler::dispatch() (connection.hpp).

#include <cstddef>
#include <memory>

#include <pistache/router.h>

#include "server_context.hpp"

namespace kkr::api {

/// Wraps route `index` of apiRoutes() for Pistache: runs the handler (on a worker when it may wait
/// on the database, see needsWorker) and sends its response.
Pistache::Rest::Route::Handler routeHandler(std::size_t index, std::shared_ptr<ServerContext> ctx);

/// Runs before Pistache's route lookup: answers CORS preflights, unknown paths (404), known paths
/// with a method they do not route (405, with Allow), GET and HEAD requests carrying a body (400)
/// and HEAD requests (with the path's GET route; the response goes without its content).
/// Pistache's own answers for these are text/plain, and its lookup for a method without routes
/// races between reactor threads (upstream #1238): here such requests never reach it.
Pistache::Rest::Route::Middleware frontController(std::shared_ptr<ServerContext> ctx);

/// Router::NotFound: a problem+json 404 (unreachable in practice: frontController answers first).
Pistache::Rest::Route::Handler notFound(std::shared_ptr<ServerContext> ctx);

}  // namespace kkr::api
