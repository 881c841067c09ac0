#include "pg_errors.hpp"

#include <array>
#include <typeinfo>
#include <utility>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "kkr/persistence/database.hpp"

namespace kkr::persistence {

using domain::Error;
using domain::FieldError;

namespace {

/// Exclusion and unique constraints whose meaning is a rule of the register.
struct KnownConstraint {
  std::string_view name;
  std::string_view pointer;
  std::string_view detail;
};

constexpr std::array kKnown = {
    KnownConstraint{"period_no_overlap", "/start_date", "overlaps the dates of another period"},
    KnownConstraint{"period_pkey", "/id", "a period with this id already exists"},
    KnownConstraint{"kommune_pkey", "/code", "a kommune with this code already exists"},
    KnownConstraint{"regional_forum_name_key", "/name", "another forum already has this name"},
    KnownConstraint{"kkr_member_person_no_overlap", "/start_date",
                    "the person already has a KKR seat on some of these dates"},
    KnownConstraint{"kkr_member_one_officer", "/role",
                    "KKR already has someone in this role on some of these dates"},
    KnownConstraint{"appointment_person_no_overlap", "/start_date",
                    "the person already has an appointment to this forum on some of these dates"},
    KnownConstraint{"appointment_one_officer", "/role",
                    "the forum already has someone in this role on some of these dates"},
    // A guard behind the writer's own check (migration V005), which answers first.
    KnownConstraint{"appointment_status_transition", "/status",
                    "the appointment workflow does not allow this status change"},
    KnownConstraint{"api_key_name_key", "/name",
                    "a key with this name exists (names of revoked keys stay taken)"},
};

/// What a referencing column points at, for messages ("person_id" → "person").
std::string_view referencedEntity(std::string_view column) {
  if (column == "person_id" || column == "substitute_id") return "person";
  if (column == "period_id") return "period";
  if (column == "forum_id" || column == "successor_id") return "forum";
  if (column == "substitute_for_id") return "appointment";
  if (column == "kommune_code") return "kommune";
  if (column == "decided_at") return "meeting";
  return "row";
}

/// How history that refers to a row is described, by the referencing table.
std::string_view referencingHistory(std::string_view table) {
  if (table == "appointment") return "appointments";
  if (table == "kkr_member") return "KKR seats";
  if (table == "person") return "persons";
  if (table == "regional_forum") return "another forum (as its successor)";
  return "other records";
}

std::string_view entityName(std::string_view table) {
  if (table == "kkr_member") return "KKR seat";
  if (table == "regional_forum") return "forum";
  return table;
}

/// "<table>_<column>_<suffix>" → column, when the name has that shape.
std::optional<std::string> columnOf(std::string_view constraint, std::string_view table,
                                    std::string_view suffix) {
  const std::string prefix = std::string(table) + "_";
  if (!constraint.starts_with(prefix) || !constraint.ends_with(suffix) ||
      constraint.size() <= prefix.size() + suffix.size()) {
    return std::nullopt;
  }
  return std::string(
      constraint.substr(prefix.size(), constraint.size() - prefix.size() - suffix.size()));
}

/// The value after `label` on its own line of a verbose error message, or "".
std::string fieldValue(std::string_view message, std::string_view label) {
  std::size_t at = 0;
  while ((at = message.find(label, at)) != std::string_view::npos) {
    if (at == 0 || message[at - 1] == '\n') {
      auto start = at + label.size();
      while (start < message.size() && message[start] == ' ') ++start;
      const auto end = message.find('\n', start);
      return std::string(message.substr(start, end == std::string_view::npos ? end : end - start));
    }
    at += label.size();
  }
  return {};
}

bool startsWith(std::string_view s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

PgErrorFields errorFields(const soci::postgresql_soci_error& error) {
  const std::string message = error.get_error_message();
  return PgErrorFields{error.sqlstate(), fieldValue(message, "CONSTRAINT NAME:"),
                       fieldValue(message, "TABLE NAME:")};
}

void configureErrorReporting(soci::session& sql) {
  if (sql.get_backend() == nullptr) return;
  PGconn* conn = static_cast<soci::postgresql_session_backend*>(sql.get_backend())->conn_;
  PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
  // libpq prints notices (and the server's goodbye when it shuts down) straight to stderr,
  // past the log's format and level. Keep only their severity and SQLSTATE ("WARNING:  57P01"):
  // the text may quote values.
  PQsetNoticeProcessor(
      conn,
      [](void*, const char* message) {
        const std::string_view text(message);
        const auto first = text.find(':');
        const auto second = first == std::string_view::npos ? first : text.find(':', first + 1);
        spdlog::debug("postgres notice ({})", text.substr(0, second));
      },
      nullptr);
}

std::string describeForLog(const std::exception& error) {
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&error)) {
    const auto fields = errorFields(*pg);
    std::string text = "SQLSTATE " + (fields.sqlstate.empty() ? "(none)" : fields.sqlstate);
    if (!fields.constraint.empty()) text += " constraint " + fields.constraint;
    if (!fields.table.empty()) text += " table " + fields.table;
    return text;
  }
  if (const auto* soci = dynamic_cast<const soci::soci_error*>(&error)) {
    // SOCI's own messages ("Session is not connected.") name no values; its context (the
    // statement and its bound values, in what()) is left out.
    return "SOCI: " + soci->get_error_message();
  }
  if (const auto* json = dynamic_cast<const nlohmann::json::exception*>(&error)) {
    // A parse error quotes the text it read, which may be a row with contact details.
    return "JSON error " + std::to_string(json->id);
  }
  return std::string(typeid(error).name()) + ": " + error.what();
}

namespace {

/// What a SQLSTATE says about a failure, by its class: the one reading of SQLSTATEs in this code
/// base (constraint names are read by constraintError below, also only here).
enum class StateKind {
  Constraint,     ///< 23xxx: integrity constraint violation
  Data,           ///< 22xxx: a value out of range or of the wrong form
  Serialization,  ///< 40001, 40P01: a concurrent transaction interfered; a retry may succeed
  Unavailable,    ///< 08xxx, 53xxx, 57Pxx: connection failure, server shutting down or starting,
                  ///< resources exhausted
  Timeout,        ///< 57014 (statement timeout), 55P03 (lock not available)
  Other,
};

StateKind kindOf(std::string_view state) {
  if (startsWith(state, "23")) return StateKind::Constraint;
  if (startsWith(state, "22")) return StateKind::Data;
  if (state == "40001" || state == "40P01") return StateKind::Serialization;
  if (startsWith(state, "08") || startsWith(state, "53") || startsWith(state, "57P")) {
    return StateKind::Unavailable;
  }
  if (state == "57014" || state == "55P03") return StateKind::Timeout;
  return StateKind::Other;
}

/// The domain error for a constraint violation (a 23xxx SQLSTATE). `table` is the table the
/// failed statement changed, when the caller knows it: a foreign key violation names the
/// referencing table, which is this one for a dangling reference but another one for a delete
/// that history still refers to. Without it, such a violation is only a conflict.
Error constraintError(const PgErrorFields& fields, std::optional<std::string_view> table,
                      RowChange change) {
  const std::string& state = fields.sqlstate;
  const std::string& name = fields.constraint;

  for (const auto& known : kKnown) {
    if (known.name == name) {
      return Error::conflict(std::string(known.detail),
                             {FieldError{std::string(known.pointer), std::string(known.detail)}});
    }
  }

  if (state == "23503") {
    if (!table) return Error::conflict("the change conflicts with stored data");
    // A delete (or key change) that history still refers to, or a reference to nothing.
    // The error names the referencing table: another one, or this one when it refers to itself
    // (a forum's successor) and a row is being deleted.
    if (change == RowChange::Delete || (!fields.table.empty() && fields.table != *table)) {
      const auto& from = fields.table;
      // A meeting is referred to as the decision of seats and appointments, which stay.
      const std::string remedy = *table == "meeting"
                                     ? "; deleting it would break the register's history of "
                                       "decisions, so clear their decided_at first"
                                     : "; deleting it would break the register's history, so end "
                                       "those instead (set their end_date)";
      return Error::conflict("the " + std::string(entityName(*table)) + " is referred to by " +
                             std::string(referencingHistory(from)) + remedy);
    }
    const auto column = columnOf(name, *table, "_fkey");
    if (column) {
      const std::string detail =
          "refers to a " + std::string(referencedEntity(*column)) + " that does not exist";
      return Error::validation("/" + *column + " " + detail, {{"/" + *column, detail}});
    }
    return Error::validation("a referenced record does not exist");
  }

  // A unique or check constraint concerns the table the statement changed, which the error
  // names when the caller does not.
  const std::string_view changed = table ? *table : std::string_view(fields.table);

  if (state == "23505") {
    const auto column = columnOf(name, changed, "_key");
    const std::string pointer = column ? "/" + *column : "/id";
    return Error::conflict("a record with this " + pointer.substr(1) + " already exists",
                           {{pointer, "is already taken"}});
  }

  if (state == "23P01") {
    return Error::conflict("the dates clash with another record");
  }

  // 23514 (check), 23502 (not null) and the rest: field rules the domain checks first; reaching
  // the database means the two disagree.
  const auto column = columnOf(name, changed, "_check");
  if (column) {
    return Error::validation("/" + *column + " breaks a rule", {{"/" + *column, "is invalid"}});
  }
  return Error::validation("the record breaks a rule of the register");
}

}  // namespace

std::optional<Error> translateConstraintError(const soci::postgresql_soci_error& error,
                                              std::string_view table, RowChange change) {
  const auto fields = errorFields(error);
  if (kindOf(fields.sqlstate) != StateKind::Constraint) return std::nullopt;
  return constraintError(fields, table, change);
}

domain::Error mapDatabaseError(const std::exception& error, ConnectionState state) {
  if (state == ConnectionState::Lost) {
    spdlog::warn("database connection lost ({})", describeForLog(error));
    return Error::unavailable("the database is unavailable");
  }
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&error)) {
    const auto fields = errorFields(*pg);
    switch (kindOf(fields.sqlstate)) {
      case StateKind::Constraint:
        return constraintError(fields, std::nullopt, RowChange::InsertOrUpdate);
      case StateKind::Data:
        return Error::validation("a value is out of range or breaks a rule");
      case StateKind::Serialization:
        return Error::conflict("a concurrent change interfered; retry the request");
      case StateKind::Unavailable:
        spdlog::warn("database unavailable ({})", describeForLog(error));
        return Error::unavailable("the database is unavailable");
      case StateKind::Timeout:
        spdlog::warn("database timeout ({})", describeForLog(error));
        return Error::unavailable("the database did not answer in time");
      case StateKind::Other:
        break;
    }
  }
  if (const auto* soci = dynamic_cast<const soci::soci_error*>(&error)) {
    if (soci->get_error_category() == soci::soci_error::connection_error) {
      spdlog::warn("database connection error ({})", describeForLog(error));
      return Error::unavailable("the database is unavailable");
    }
  }
  spdlog::error("database error ({})", describeForLog(error));
  return Error::internal("an internal error occurred");
}

}  // namespace kkr::persistence
