#pragma once
// The server's routes as data, for `kkr routes` and the contract check against openapi.yaml.

#include <string>
#include <vector>

namespace kkr::api {

struct RouteInfo {
  std::string method;  ///< "GET"
  std::string path;    ///< OpenAPI-style template: "/v1/kommuner/{code}"
  /// Who may call it: "open" (credentials not looked at), "public" (anyone; a key must be valid),
  /// "editor" or "admin" (a key with at least that role).
  std::string access;
};

/// Every route the server answers, in the order of its route table; each GET is followed by the
/// HEAD that the same route serves.
std::vector<RouteInfo> routeTable();

}  // namespace kkr::api
