#pragma once
// The API's own view of an HTTP exchange, independent of Pistache: handlers are functions from
// an HttpRequest to an HttpResponse, so they can be called (and tested) without a socket.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kkr/api/trusted_proxies.hpp"
#include "kkr/domain/auth.hpp"
#include "rate_limiter.hpp"

namespace kkr::api {

struct HttpHeader {
  std::string name;
  std::string value;
};

/// True when two ASCII strings are equal ignoring case (header names, tokens).
bool equalsIgnoreCase(std::string_view a, std::string_view b);

/// `s` without the optional whitespace (spaces and tabs) around it (RFC 9110 §5.6.3: OWS).
std::string_view trimOws(std::string_view s);

struct HttpRequest {
  std::string method;  ///< "GET"
  std::string path;    ///< the raw path, before any '?', as received ("/v1/persons/12")
  std::string query;   ///< the raw query after '?', not decoded; empty when absent
  std::vector<HttpHeader> headers;
  std::string body;
  /// Path parameters by name ("code", "id"), percent-decoded.
  std::map<std::string, std::string, std::less<>> path_params;
  std::string request_id;  ///< the client's sane X-Request-Id, or a generated one
  /// Where the request comes from: the peer, or the client a trusted proxy forwards for
  /// (client_address.hpp); nullopt when the peer is not an IP socket.
  std::optional<IpAddress> client;
  /// The authenticated caller, set by the route's access check (routes.hpp) before the handler
  /// runs; nullopt for anonymous callers and on routes that do not look at credentials.
  std::optional<domain::Principal> caller;
  /// What the rate limit that counted this request said (request_rate.hpp); nullopt when none
  /// did (yet).
  std::optional<RateDecision> rate_limit;

  /// The first header with this name (case-insensitive).
  std::optional<std::string_view> header(std::string_view name) const;
  /// The path parameter `name`; empty when the route has none of that name.
  std::string_view param(std::string_view name) const;
  /// path + ('?' + query when there is one): what the problem's `instance` names.
  std::string target() const { return query.empty() ? path : path + "?" + query; }
};

struct HttpResponse {
  int status = 200;
  std::string content_type;  ///< empty: no Content-Type (and normally no body)
  std::string body;
  /// When set, the body instead of `body`: a cached body shared between responses, not copied.
  std::shared_ptr<const std::string> shared_body;
  std::vector<HttpHeader> headers;  ///< ETag, Allow, Location, Vary, ... (no framing headers)

  HttpResponse& header(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
    return *this;
  }
  std::optional<std::string_view> findHeader(std::string_view name) const;
};

inline constexpr std::string_view kJson = "application/json";
inline constexpr std::string_view kProblemJson = "application/problem+json";
inline constexpr std::string_view kCsv = "text/csv; charset=utf-8";
inline constexpr std::string_view kHtml = "text/html; charset=utf-8";
inline constexpr std::string_view kText = "text/plain; charset=utf-8";
inline constexpr std::string_view kYaml = "application/yaml";
inline constexpr std::string_view kJavaScript = "text/javascript; charset=utf-8";
inline constexpr std::string_view kPrometheus = "text/plain; version=0.0.4; charset=utf-8";

/// A response with a body of the given media type.
HttpResponse makeResponse(int status, std::string_view content_type, std::string body);

/// The standard reason phrase for a status code ("Not Found").
std::string_view reasonPhrase(int status);

}  // namespace kkr::api
