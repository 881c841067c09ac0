#pragma once
// A private PostgreSQL database per test process. ctest runs every TEST in a process of its own
// (gtest_discover_tests), up to two at a time, so tests never share a database.
//
// Set KKR_TEST_DATABASE_URL to an admin URL of a running server, for example
//   postgresql://postgres@127.0.0.1:55432/postgres
// Without it every test that needs a database fails (never skips) with a message saying so.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "kkr/persistence/database.hpp"

namespace kkr::testing {

/// The admin URL from KKR_TEST_DATABASE_URL; throws (after ADD_FAILURE) when it is unset.
const std::string& adminDatabaseUrl();

/// The URL of this process's test database. On the first call it creates a fresh database
/// "kkr_test_<pid>_<random>" and applies the migrations; the database is dropped (its connections
/// terminated first) when the process exits normally. Throws (after ADD_FAILURE) on any failure.
const std::string& testDatabaseUrl();

/// Empties every table but schema_migrations (the seven register tables, change_log, api_key,
/// idempotency_key and whatever later migrations add) without writing change rows, as TRUNCATE
/// ... RESTART IDENTITY CASCADE would, but in a few ms: ids start at 1 again and the change seq
/// at 0. A ReadModel that already holds a later seq must be refresh()ed, not refreshIfBehind()ed.
void resetDatabase();

/// Runs the real seed (the reference data compiled into the binary) on the test database.
void seedDatabase();

/// A new session on the test database (time zone UTC), for assertions and setup.
std::unique_ptr<soci::session> adminSession();

/// Runs SQL text on the test database (one round trip on a shared session; several statements
/// allowed). Only for SQL written in the test itself.
void execSql(const std::string& sql);

/// The first column of the first row of `query` as an integer (count(*), max(seq), ...);
/// 0 when the query returns no row or NULL.
std::int64_t queryInt(const std::string& query);

/// SQL counting the sessions of the current database that wait for a lock (of `relation` only,
/// when given). pg_locks holds the whole cluster's, and other test binaries run beside this one
/// on databases of their own, so their waits must not count; a row lock's wait names no
/// database, so the waiting session's database is what tells.
std::string lockWaitsQuery(const std::string& relation = {});

/// The writer's SQL text with its named parameters (":name", each once) replaced by $1, $2, ...
/// in the order given, for PREPARE in a test that plans the statement itself. Throws
/// std::invalid_argument for a name the text does not hold.
std::string numberedParameters(std::string sql, const std::vector<std::string>& names);

/// The server's name of the statement prepared on this session with `text`, whose named
/// parameters are `names` (SOCI sends them numbered and names each prepared statement anew);
/// empty when there is none.
std::string preparedStatementName(soci::session& sql, const std::string& text,
                                  const std::vector<std::string>& names = {});

/// What an EXPLAIN statement run on `sql` prints, one line of the plan after another.
std::string planText(soci::session& sql, const std::string& explain);

/// A Database (pool) on the test database.
std::unique_ptr<persistence::Database> openTestDatabase(std::size_t poolSize = 2);

/// Ends the pooled connections (application_name kkr-register) to the test database from
/// outside, as a server restart would, and waits (up to 2 s) until the server has let them go.
void terminatePooledConnections();

/// An extra, empty database (no migrations) for tests that need one of their own, such as
/// migrator tests. Dropped by the destructor.
class ScratchDatabase {
 public:
  ScratchDatabase();
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }

 private:
  std::string name_;
  std::string url_;
};

}  // namespace kkr::testing
