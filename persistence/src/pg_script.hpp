#pragma once
// Runs SQL text that SOCI must not touch.

#include <string>

#include <soci/soci.h>

namespace kkr::persistence {

/// Sends `script` as is (PQexec: several statements allowed, no parameters) on the session's
/// connection. SOCI would rewrite every ":name" in the text into a bind parameter, and migration
/// bodies contain colons (PL/pgSQL ":=", casts, comments) that are not parameters.
/// Throws soci::postgresql_soci_error (with the SQLSTATE) when the server reports an error.
void executeScript(soci::session& sql, const std::string& script);

/// Sends the server's notices on this session ("relation ... already exists, skipping") to the
/// log at debug level instead of libpq's default, which prints them on stderr.
void logNotices(soci::session& sql);

}  // namespace kkr::persistence
