#include "pg_write_errors.hpp"

#include <array>
#include <utility>

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
};

/// What a referencing column points at, for messages ("person_id" → "person").
std::string_view referencedEntity(std::string_view column) {
  if (column == "person_id" || column == "substitute_id") return "person";
  if (column == "period_id") return "period";
  if (column == "forum_id" || column == "successor_id") return "forum";
  if (column == "substitute_for_id") return "appointment";
  if (column == "kommune_code") return "kommune";
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

/// The table after `on table "` in a foreign-key message about a delete: the referencing one.
std::string referencingTable(std::string_view message) {
  constexpr std::string_view marker = "\" on table \"";
  const auto at = message.find(marker);
  if (at == std::string_view::npos) return {};
  const auto start = at + marker.size();
  const auto end = message.find('"', start);
  if (end == std::string_view::npos) return {};
  return std::string(message.substr(start, end - start));
}

}  // namespace

std::string constraintName(std::string_view message) {
  constexpr std::string_view marker = "constraint \"";
  const auto at = message.find(marker);
  if (at == std::string_view::npos) return {};
  const auto start = at + marker.size();
  const auto end = message.find('"', start);
  if (end == std::string_view::npos) return {};
  return std::string(message.substr(start, end - start));
}

std::optional<Error> translateConstraintError(const soci::postgresql_soci_error& error,
                                              std::string_view table) {
  const std::string state = error.sqlstate();
  if (state.rfind("23", 0) != 0) return std::nullopt;
  const std::string_view message = error.what();
  const std::string name = constraintName(message);

  for (const auto& known : kKnown) {
    if (known.name == name) {
      return Error::conflict(std::string(known.detail),
                             {FieldError{std::string(known.pointer), std::string(known.detail)}});
    }
  }

  if (state == "23503") {
    // A delete (or key change) that history still refers to, or a reference to nothing.
    if (message.find("update or delete on table") != std::string_view::npos) {
      const auto from = referencingTable(message);
      return Error::conflict("the " + std::string(entityName(table)) + " is referred to by " +
                             std::string(referencingHistory(from)) +
                             "; deleting it would break the register's history, so end those "
                             "instead (set their end_date)");
    }
    const auto column = columnOf(name, table, "_fkey");
    if (column) {
      const std::string detail =
          "refers to a " + std::string(referencedEntity(*column)) + " that does not exist";
      return Error::validation("/" + *column + " " + detail, {{"/" + *column, detail}});
    }
    return Error::validation("a referenced record does not exist");
  }

  if (state == "23505") {
    const auto column = columnOf(name, table, "_key");
    const std::string pointer = column ? "/" + *column : "/id";
    return Error::conflict("a record with this " + pointer.substr(1) + " already exists",
                           {{pointer, "is already taken"}});
  }

  if (state == "23514" || state == "23502") {
    // Field rules the domain checks first; reaching the database means the two disagree.
    const auto column = columnOf(name, table, "_check");
    if (column) {
      return Error::validation("/" + *column + " breaks a rule", {{"/" + *column, "is invalid"}});
    }
    return Error::validation("the record breaks a rule of the register");
  }

  if (state == "23P01") {
    return Error::conflict("the dates clash with another record");
  }
  return std::nullopt;
}

}  // namespace kkr::persistence
