#pragma once
// RFC 9457 problem details: the one place that maps a domain error kind to an HTTP status.

#include <string>
#include <string_view>
#include <vector>

#include "http_types.hpp"
#include "kkr/domain/error.hpp"

namespace kkr::api {

/// The HTTP status for a domain error kind.
int statusFor(domain::ErrorCode code);

/// An application/problem+json response for a domain error: {type, title, status, detail,
/// instance, trace_id, errors:[{pointer, detail}]}. Internal errors get a generic detail (the real
/// one belongs in the log); Unauthenticated adds WWW-Authenticate, Unavailable adds Retry-After.
HttpResponse toProblem(const domain::Error& error, std::string_view instance,
                       std::string_view trace_id = {});

/// A problem for an HTTP-level condition that has no domain error kind (404 route, 405, 413, ...).
HttpResponse httpProblem(int status, std::string detail, std::string_view instance,
                         std::string_view trace_id = {},
                         const std::vector<domain::FieldError>& errors = {});

/// 405 with an Allow header listing `allowed` ("GET, HEAD").
HttpResponse methodNotAllowed(std::string_view method, const std::string& allowed,
                              std::string_view instance, std::string_view trace_id = {});

}  // namespace kkr::api
