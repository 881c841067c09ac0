#include "pg_script.hpp"

#include <memory>
#include <string>

#include <soci/postgresql/soci-postgresql.h>
#include <spdlog/spdlog.h>

namespace kkr::persistence {

void executeScript(soci::session& sql, const std::string& script) {
  auto* backend = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
  PGconn* conn = backend->conn_;
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn, script.c_str()), &PQclear);
  if (!result) {
    // No result at all means the connection is gone (or libpq ran out of memory): report it as
    // a connection failure so that mapDatabaseError calls it Unavailable.
    throw soci::postgresql_soci_error(PQerrorMessage(conn), "08006");
  }
  const auto status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
  // The SOCI error keeps the SQLSTATE, so callers map it like any other statement's error.
  throw soci::postgresql_soci_error(PQresultErrorMessage(result.get()), state ? state : "XX000");
}

void logNotices(soci::session& sql) {
  auto* backend = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
  PQsetNoticeProcessor(
      backend->conn_,
      [](void*, const char* message) {
        std::string text(message);
        while (!text.empty() && text.back() == '\n') text.pop_back();
        spdlog::debug("postgres: {}", text);
      },
      nullptr);
}

}  // namespace kkr::persistence
