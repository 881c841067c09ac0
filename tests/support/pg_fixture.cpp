#include "support/pg_fixture.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include <soci/postgresql/soci-postgresql.h>

#include "kkr/persistence/migrator.hpp"
#include "kkr/persistence/seed.hpp"

namespace kkr::testing {

namespace {

[[noreturn]] void fail(const std::string& message) {
  ADD_FAILURE() << message;
  throw std::runtime_error(message);
}

/// `url` pointing at database `name`: the path of a URI, or a dbname keyword appended to a
/// key=value conninfo string (libpq lets the last keyword win).
std::string urlFor(const std::string& url, const std::string& name) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + name;
  const auto authority = scheme + 3;
  const auto query = url.find('?', authority);
  const auto path = url.find('/', authority);
  if (path == std::string::npos || (query != std::string::npos && path > query)) {
    const auto at = query == std::string::npos ? url.size() : query;
    return url.substr(0, at) + "/" + name + url.substr(at);
  }
  const auto end = query == std::string::npos ? url.size() : query;
  return url.substr(0, path + 1) + name + url.substr(end);
}

/// "kkr_test_<pid>_<random>": the pid tells whose database it is, the random part keeps a
/// reused pid from colliding with a database left behind by a crashed run.
std::string uniqueName() {
  static std::atomic<int> counter{0};
  std::random_device random;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
  std::string name = "kkr_test_" + std::to_string(::getpid()) + "_" + suffix;
  if (const int n = counter++; n > 0) name += "_" + std::to_string(n);
  return name;
}

/// Runs SQL text as is (PQexec), so several statements and colons in the text are fine.
void runScript(soci::session& sql, const std::string& text) {
  auto* backend = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
  PGresult* result = PQexec(backend->conn_, text.c_str());
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  const std::string message =
      result ? PQresultErrorMessage(result) : PQerrorMessage(backend->conn_);
  PQclear(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("SQL failed: " + message + "in: " + text);
  }
}

// Database names cannot be bound as parameters; these names are made by uniqueName() from
// digits, hex and underscores only, never from input, so quoting them is enough.
void createDatabase(const std::string& name) {
  auto admin = persistence::openSession(adminDatabaseUrl());
  // template0 + UTF8: independent of whatever was installed into template1, and æøå are stored
  // as they are whatever the cluster's default encoding is.
  runScript(*admin, "CREATE DATABASE \"" + name + "\" TEMPLATE template0 ENCODING 'UTF8'");
}

void dropDatabase(const std::string& name) {
  auto admin = persistence::openSession(adminDatabaseUrl());
  // FORCE terminates the database's remaining connections (a server pool still open at exit).
  runScript(*admin, "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
}

struct TestDatabase {
  std::string name;
  std::string url;
  std::mutex mutex;
  std::unique_ptr<soci::session> shared;  ///< for execSql/queryInt/resetDatabase

  TestDatabase() : name(uniqueName()) {
    try {
      createDatabase(name);
    } catch (const std::exception& e) {
      fail("cannot create the test database " + name + " via KKR_TEST_DATABASE_URL: " + e.what());
    }
    url = urlFor(adminDatabaseUrl(), name);
    auto applied = persistence::migrate(url);
    if (!applied) {
      dropQuietly();
      fail("cannot migrate the test database " + name + ": " + applied.error().detail);
    }
  }

  ~TestDatabase() {
    shared.reset();
    dropQuietly();
  }

  void dropQuietly() noexcept {
    try {
      dropDatabase(name);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warning: cannot drop test database %s: %s\n", name.c_str(), e.what());
    }
  }

  soci::session& session() {
    if (!shared) shared = persistence::openSession(url);
    return *shared;
  }
};

TestDatabase& testDatabase() {
  // Created on first use; a failed creation throws and is retried by the next caller. The
  // static's destructor drops the database when the process exits normally.
  static TestDatabase database;
  return database;
}

}  // namespace

const std::string& adminDatabaseUrl() {
  static const std::string url = [] {
    const char* value = std::getenv("KKR_TEST_DATABASE_URL");
    if (value == nullptr || *value == '\0') {
      fail(
          "KKR_TEST_DATABASE_URL is not set: integration tests need a PostgreSQL admin URL, "
          "e.g. KKR_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:55432/postgres (scripts/test "
          "sets it up)");
    }
    return std::string(value);
  }();
  return url;
}

const std::string& testDatabaseUrl() { return testDatabase().url; }

void resetDatabase() {
  // Every table but schema_migrations, so tables added by later migrations are emptied too.
  // DELETE with triggers off (session_replication_role = replica: no change rows, no FK checks)
  // takes a few ms; TRUNCATE creates and fsyncs new files for every table and index and takes
  // ~200 ms, which every test would pay. Identity sequences restart at 1 as with RESTART IDENTITY.
  static const std::string kFastReset = R"sql(
BEGIN;
SET LOCAL session_replication_role = replica;
DO $reset$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables
           WHERE schemaname = 'public' AND tablename <> 'schema_migrations' LOOP
    EXECUTE format('DELETE FROM public.%I', t.tablename);
  END LOOP;
  FOR t IN SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = 'public' AND is_identity = 'YES' LOOP
    PERFORM setval(pg_get_serial_sequence(format('public.%I', t.table_name), t.column_name), 1,
                   false);
  END LOOP;
END
$reset$;
COMMIT;
)sql";
  // Setting session_replication_role needs a superuser; any other role gets the slow TRUNCATE.
  static const std::string kTruncate = R"sql(
DO $reset$
BEGIN
  EXECUTE (SELECT 'TRUNCATE ' || string_agg(format('public.%I', tablename), ', ') ||
                  ' RESTART IDENTITY CASCADE'
           FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations');
END
$reset$;
)sql";
  auto& db = testDatabase();
  std::lock_guard lock(db.mutex);
  try {
    runScript(db.session(), kFastReset);
  } catch (const std::exception&) {
    runScript(db.session(), "ROLLBACK");
    runScript(db.session(), kTruncate);
  }
}

void seedDatabase() {
  auto report = persistence::seedReferenceData(testDatabaseUrl());
  if (!report) fail("seeding the test database failed: " + report.error().detail);
}

std::unique_ptr<soci::session> adminSession() {
  return persistence::openSession(testDatabaseUrl());
}

void execSql(const std::string& sql) {
  auto& db = testDatabase();
  std::lock_guard lock(db.mutex);
  runScript(db.session(), sql);
}

void terminatePooledConnections() {
  const std::string pooled =
      "FROM pg_stat_activity WHERE datname = current_database() "
      "AND application_name = 'kkr-register'";
  execSql("SELECT pg_terminate_backend(pid) " + pooled);
  // The backend says goodbye asynchronously; an idle pool meets it only after it has gone.
  for (int i = 0; i < 200 && queryInt("SELECT count(*) " + pooled) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::int64_t queryInt(const std::string& query) {
  auto& db = testDatabase();
  std::lock_guard lock(db.mutex);
  auto& sql = db.session();
  long long value = 0;
  soci::indicator ind = soci::i_ok;
  sql << query, soci::into(value, ind);
  if (!sql.got_data() || ind == soci::i_null) return 0;
  return value;
}

std::string numberedParameters(std::string sql, const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto at = sql.find(names[i]);
    if (at == std::string::npos) throw std::invalid_argument("no parameter " + names[i]);
    sql.replace(at, names[i].size(), "$" + std::to_string(i + 1));
  }
  return sql;
}

std::string preparedStatementName(soci::session& sql, const std::string& text,
                                  const std::vector<std::string>& names) {
  const std::string sent = numberedParameters(text, names);
  std::string name;
  soci::indicator found = soci::i_null;
  sql << "SELECT name FROM pg_prepared_statements WHERE statement = :sent", soci::use(sent),
      soci::into(name, found);
  return found == soci::i_ok ? name : std::string();
}

std::string planText(soci::session& sql, const std::string& explain) {
  soci::rowset<std::string> lines = (sql.prepare << explain);
  std::string plan;
  for (const auto& line : lines) plan += line + "\n";
  return plan;
}

std::string lockWaitsQuery(const std::string& relation) {
  std::string query =
      "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE NOT l.granted AND a.datname = current_database()";
  if (!relation.empty()) query += " AND l.relation = '" + relation + "'::regclass";
  return query;
}

std::unique_ptr<persistence::Database> openTestDatabase(std::size_t poolSize) {
  persistence::DatabaseConfig config;
  config.url = testDatabaseUrl();
  config.pool_size = poolSize;
  auto database = persistence::Database::open(config);
  if (!database) fail("cannot open the test database: " + database.error().detail);
  return std::move(database).value();
}

ScratchDatabase::ScratchDatabase() : name_(uniqueName()) {
  try {
    createDatabase(name_);
  } catch (const std::exception& e) {
    fail("cannot create scratch database " + name_ + ": " + e.what());
  }
  url_ = urlFor(adminDatabaseUrl(), name_);
}

ScratchDatabase::~ScratchDatabase() {
  try {
    dropDatabase(name_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "warning: cannot drop scratch database %s: %s\n", name_.c_str(), e.what());
  }
}

}  // namespace kkr::testing
