#pragma once
// The one place where database errors become domain errors. Errors are recognised by their
// SQLSTATE and by the names of the constraint and table they concern, never by their message
// text: the server translates that text into its lc_messages language, and it can carry the
// row's values (contact details, key hashes), which must not reach a client or a log.

#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <soci/postgresql/soci-postgresql.h>

#include "kkr/domain/error.hpp"

namespace kkr::persistence {

/// What a PostgreSQL error says about itself, apart from its message. The names come from the
/// error's fields, which libpq appends to the message in verbose mode (every pooled session
/// sets PQERRORS_VERBOSE); their labels are libpq's own and stay English because the process
/// never switches its C locale.
struct PgErrorFields {
  std::string sqlstate;
  std::string constraint;  ///< empty when the error concerns no constraint
  std::string table;       ///< for a foreign key: the referencing table
};
PgErrorFields errorFields(const soci::postgresql_soci_error& error);

/// A description for the log: the kind of failure, SQLSTATE, constraint and table names. Never
/// the message text, the statement or its bound values.
std::string describeForLog(const std::exception& error);

/// Makes a session report errors with their fields (see PgErrorFields), and its notices to the
/// log (severity and SQLSTATE only) instead of straight to stderr.
void configureErrorReporting(soci::session& sql);

/// What the statement that violated a constraint did to its table's row.
enum class RowChange { InsertOrUpdate, Delete };

/// A domain error for a constraint violation (SQLSTATE 23xxx) raised by `change` on `table`;
/// nullopt for any other error (left to mapDatabaseError, which reads SQLSTATEs and constraint
/// names the same way, without knowing the statement's table).
std::optional<domain::Error> translateConstraintError(const soci::postgresql_soci_error& error,
                                                      std::string_view table,
                                                      RowChange change = RowChange::InsertOrUpdate);

}  // namespace kkr::persistence
