#include "problem.hpp"

#include <optional>

#include "json_writer.hpp"

namespace kkr::api {

namespace {

constexpr std::string_view kGenericInternal =
    "The server could not complete the request. The trace_id identifies it in the server log.";

void writeErrors(JsonWriter& json, const std::vector<domain::FieldError>& errors) {
  json.key("errors").beginArray();
  for (const auto& e : errors) {
    json.beginObject().field("pointer", e.pointer).field("detail", e.detail).endObject();
  }
  json.endArray();
}

void writeAllowedNextStates(JsonWriter& json,
                            const std::optional<std::vector<std::string>>& allowedNextStates) {
  if (!allowedNextStates) return;
  // A refused status change says where the resource may go from here (empty: nowhere).
  json.key("allowed_next_states").beginArray();
  for (const auto& state : *allowedNextStates) json.value(state);
  json.endArray();
}

/// A failed batch: the problem of each operation that failed, with its own status.
void writeOperations(JsonWriter& json, const std::vector<domain::OperationError>& operations) {
  if (operations.empty()) return;
  json.key("operations").beginArray();
  for (const auto& op : operations) {
    json.beginObject()
        .field("index", static_cast<std::int64_t>(op.index))
        .field("status", statusFor(op.code))
        .field("detail",
               op.code == domain::ErrorCode::Internal ? std::string(kGenericInternal) : op.detail);
    writeErrors(json, op.fields);
    writeAllowedNextStates(json, op.allowed_next_states);
    json.endObject();
  }
  json.endArray();
}

std::string problemBody(int status, std::string_view detail, std::string_view instance,
                        std::string_view trace_id, const std::vector<domain::FieldError>& errors,
                        const std::optional<std::vector<std::string>>& allowedNextStates = {},
                        const std::vector<domain::OperationError>& operations = {}) {
  std::string out;
  out.reserve(256);
  JsonWriter json(out);
  json.beginObject();
  // about:blank: the status says what kind of problem it is, so the title is its reason phrase
  // (RFC 9457 §4.2.1); detail and errors say what exactly went wrong.
  json.field("type", "about:blank");
  json.field("title", reasonPhrase(status));
  json.field("status", status);
  json.field("detail", detail);
  json.field("instance", instance);
  if (!trace_id.empty()) json.field("trace_id", trace_id);
  writeErrors(json, errors);
  writeAllowedNextStates(json, allowedNextStates);
  writeOperations(json, operations);
  json.endObject();
  return out;
}

}  // namespace

int statusFor(domain::ErrorCode code) {
  switch (code) {
    case domain::ErrorCode::Malformed:
      return 400;
    case domain::ErrorCode::Validation:
      return 422;
    case domain::ErrorCode::Unauthenticated:
      return 401;
    case domain::ErrorCode::Forbidden:
      return 403;
    case domain::ErrorCode::NotFound:
      return 404;
    case domain::ErrorCode::Conflict:
      return 409;
    case domain::ErrorCode::PreconditionFailed:
      return 412;
    case domain::ErrorCode::Unavailable:
      return 503;
    case domain::ErrorCode::Internal:
      return 500;
  }
  return 500;
}

HttpResponse httpProblem(int status, std::string detail, std::string_view instance,
                         std::string_view trace_id, const std::vector<domain::FieldError>& errors) {
  return makeResponse(status, kProblemJson,
                      problemBody(status, detail, instance, trace_id, errors));
}

HttpResponse toProblem(const domain::Error& error, std::string_view instance,
                       std::string_view trace_id) {
  const int status = statusFor(error.code);
  if (error.code == domain::ErrorCode::Internal) {
    return httpProblem(status, std::string(kGenericInternal), instance, trace_id);
  }
  auto response = makeResponse(status, kProblemJson,
                               problemBody(status, error.detail, instance, trace_id, error.fields,
                                           error.allowed_next_states, error.operations));
  if (error.code == domain::ErrorCode::Unauthenticated) {
    response.header("WWW-Authenticate", "Bearer realm=\"kkr\"");
  } else if (error.code == domain::ErrorCode::Unavailable) {
    // Long enough for a database failover or a pool to free up; short enough not to strand a
    // client that could have succeeded a moment later.
    response.header("Retry-After", "5");
  }
  return response;
}

HttpResponse methodNotAllowed(std::string_view method, const std::string& allowed,
                              std::string_view instance, std::string_view trace_id) {
  auto response = httpProblem(
      405, std::string(method) + " is not allowed here; allowed: " + allowed, instance, trace_id);
  response.header("Allow", allowed);
  return response;
}

}  // namespace kkr::api
