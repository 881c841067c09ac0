#pragma once
// Field rules: what a single entity's full state must satisfy on its own, before any stored data
// is consulted. Each function returns every broken rule (empty when valid), addressed by a JSON
// pointer into the resource ("/name", "/end_date"), so a client can fix all fields at once.
// Cross-row rules (seats, overlaps, periods, dissolution) live in rules.hpp.

#include <string_view>
#include <vector>

#include "kkr/domain/entities.hpp"
#include "kkr/domain/error.hpp"
#include "kkr/domain/field_limits.hpp"
#include "kkr/domain/ids.hpp"
#include "kkr/domain/result.hpp"

namespace kkr::domain {

std::vector<FieldError> validate(const Kommune& kommune);
std::vector<FieldError> validate(const Period& period);
std::vector<FieldError> validate(const Person& person);
std::vector<FieldError> validate(const KkrMember& member);
std::vector<FieldError> validate(const RegionalForum& forum);
std::vector<FieldError> validate(const Appointment& appointment);
std::vector<FieldError> validate(const Meeting& meeting);

/// ok() when `errors` is empty, else a Validation error carrying them.
Status validationStatus(std::vector<FieldError> errors);

/// validate() and validationStatus() in one step.
template <typename Entity>
Status checkFields(const Entity& entity) {
  return validationStatus(validate(entity));
}

// The individual shape checks, shared with other layers. Identifiers (kommune codes, period ids)
// are checked by ids.hpp, lengths are counted by field_limits.hpp.

/// 1–`maxLength` characters (code points) once surrounding white space is trimmed, no control
/// characters.
bool isValidName(std::string_view text, std::size_t maxLength = limits::kName);
/// 1–3 letters (A–Z, a–z and the Latin-1 letters, Æ, Ø and Å included), as party letters are.
bool isValidParty(std::string_view text);
/// At most limits::kEmail characters, exactly one "@" with text on both sides, a dot inside the
/// domain part, no white space or control characters.
bool isValidEmail(std::string_view text);
/// 1–limits::kPhone characters of digits and spaces, optionally led by "+", with at least one
/// digit.
bool isValidPhone(std::string_view text);

}  // namespace kkr::domain
