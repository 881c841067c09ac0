#pragma once
// Domain errors are values with a kind; api/ maps the kind to an HTTP status in one place.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kkr::domain {

/// What went wrong, independent of any transport.
enum class ErrorCode {
  Malformed,           ///< the input could not be read at all (bad JSON, bad parameter)
  Validation,          ///< the input was read but breaks a field rule
  Unauthenticated,     ///< no or an unknown credential
  Forbidden,           ///< the credential is known but its role is too weak
  NotFound,            ///< the addressed resource does not exist
  Conflict,            ///< the input clashes with stored data (rule, reference, duplicate)
  PreconditionFailed,  ///< a conditional write saw a stale version
  Unavailable,         ///< a dependency (the database) cannot be reached right now
  Internal,            ///< a bug or an unexpected failure; details only go to the log
};

/// One offending field, addressed by a JSON pointer into the request ("/start_date").
struct FieldError {
  std::string pointer;
  std::string detail;
  bool operator==(const FieldError&) const = default;
};

/// The problem of one operation of a batch (batch.hpp): which one, and what went wrong there.
struct OperationError {
  std::size_t index = 0;
  ErrorCode code = ErrorCode::Internal;
  std::string detail;
  std::vector<FieldError> fields;  ///< pointers into the whole request ("/operations/3/body/x")
  std::optional<std::vector<std::string>> allowed_next_states = std::nullopt;
};

/// An error value: kind, a human-readable detail safe to show to a client, and field errors.
struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string detail;
  std::vector<FieldError> fields;
  /// For a refused status change: the statuses the resource may move to from its stored one
  /// (empty when it is final). The problem body shows them as `allowed_next_states`.
  std::optional<std::vector<std::string>> allowed_next_states = std::nullopt;
  /// For a batch: each operation that failed (the problem body shows them as `operations`).
  std::vector<OperationError> operations = {};

  static Error malformed(std::string detail, std::vector<FieldError> fields = {}) {
    return {ErrorCode::Malformed, std::move(detail), std::move(fields)};
  }
  static Error validation(std::string detail, std::vector<FieldError> fields = {}) {
    return {ErrorCode::Validation, std::move(detail), std::move(fields)};
  }
  static Error notFound(std::string detail) { return {ErrorCode::NotFound, std::move(detail), {}}; }
  static Error conflict(std::string detail, std::vector<FieldError> fields = {}) {
    return {ErrorCode::Conflict, std::move(detail), std::move(fields)};
  }
  static Error unavailable(std::string detail) {
    return {ErrorCode::Unavailable, std::move(detail), {}};
  }
  static Error internal(std::string detail) { return {ErrorCode::Internal, std::move(detail), {}}; }
};

}  // namespace kkr::domain
