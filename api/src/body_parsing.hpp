#pragma once
// Request bodies → domain entities, strictly: unknown fields, read-only fields, wrong types and
// missing required fields are errors with a JSON pointer, never ignored. PATCH bodies are JSON
// merge patches (RFC 7396) applied field by field to the current state.

#include <string_view>

#include <nlohmann/json.hpp>

#include "kkr/domain/entities.hpp"
#include "kkr/domain/result.hpp"
#include "kkr/domain/workflow.hpp"

namespace kkr::api {

/// Parses a request body as a JSON object (nesting capped, since dumping very deep documents
/// crashes nlohmann 3.11). Malformed on anything else.
domain::Result<nlohmann::json> parseJsonObject(std::string_view body);

/// Builds a new entity from a create body. The key of Kommune/Period comes from the body too.
template <typename Entity>
domain::Result<Entity> entityFromCreate(const nlohmann::json& body);

/// Applies a merge patch to `current`: a present key sets the field, null clears an optional
/// field (and is an error for a required one). Keys (id/code), version and timestamps are
/// read-only.
template <typename Entity>
domain::Result<Entity> applyMergePatch(Entity current, const nlohmann::json& patch);

/// The body of POST /v1/appointments/{id}/appoint: {"decided_on": date (required),
/// "decision_ref": text, "meeting": the id of the meeting that decided it, or null}. Unknown,
/// missing and wrong members are Validation errors with pointers.
domain::Result<domain::AppointmentAction> appointFromBody(const nlohmann::json& body);

/// The body of POST /v1/appointments/{id}/end: {"end_date": date (required), "reason": text}.
domain::Result<domain::AppointmentAction> endFromBody(const nlohmann::json& body);

}  // namespace kkr::api
