#pragma once
// Constraint violations raised by a write, translated into domain errors that name the offending
// field. The rules are checked by the domain first; these are the database's backstops (and the
// only check for references, duplicate keys and period overlaps), so they must read as well as
// the domain's own errors. Anything else is left to mapDatabaseError().

#include <optional>
#include <string>
#include <string_view>

#include <soci/postgresql/soci-postgresql.h>

#include "kkr/domain/error.hpp"

namespace kkr::persistence {

/// The constraint named in a PostgreSQL error message (`... constraint "name" ...`), or "".
std::string constraintName(std::string_view message);

/// A domain error for a constraint violation (SQLSTATE 23xxx) raised while writing `table`;
/// nullopt for any other error.
std::optional<domain::Error> translateConstraintError(const soci::postgresql_soci_error& error,
                                                      std::string_view table);

}  // namespace kkr::persistence
