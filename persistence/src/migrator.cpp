#include "kkr/persistence/migrator.hpp"

#include <map>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "embedded_resources.hpp"
#include "kkr/persistence/database.hpp"
#include "pg_script.hpp"

namespace kkr::persistence {

namespace {

// Advisory lock keys are one bigint space per database; kkr_publish_changes() uses 7123001.
constexpr long long kMigrationLockKey = 7123000;

constexpr const char* kCreateMigrationTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";

struct Recorded {
  std::string name;
  std::string checksum;
};

/// SHA-256 of the migration text, computed by the server so that persistence/ needs no crypto
/// library; the same function checks what earlier runs recorded.
std::string checksumOf(soci::session& sql, const std::string& text) {
  std::string sum;
  sql << "SELECT encode(sha256(convert_to(:text, 'UTF8')), 'hex')", soci::use(text),
      soci::into(sum);
  return sum;
}

std::map<int, Recorded> recordedMigrations(soci::session& sql) {
  std::map<int, Recorded> recorded;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT version, name, checksum FROM schema_migrations");
  for (const auto& row : rows) {
    recorded[row.get<int>(0)] = Recorded{row.get<std::string>(1), row.get<std::string>(2)};
  }
  return recorded;
}

domain::Result<int> migrateLocked(soci::session& sql, std::string& current) {
  executeScript(sql, kCreateMigrationTable);
  const auto recorded = recordedMigrations(sql);
  const auto& migrations = embeddedMigrations();

  for (const auto& [version, row] : recorded) {
    bool known = false;
    for (const auto& m : migrations) known = known || m.version == version;
    if (!known) {
      // A newer release migrated this database; an older binary can still run against it
      // (migrations only add), but the operator should know.
      spdlog::warn("the database has migration {} ({}) that this binary does not know", version,
                   row.name);
    }
  }

  int applied = 0;
  for (const auto& m : migrations) {
    const std::string checksum = checksumOf(sql, m.sql);
    if (auto it = recorded.find(m.version); it != recorded.end()) {
      if (it->second.checksum != checksum) {
        const std::string detail = "migration " + m.name +
                                   " was changed after it was applied: the database recorded "
                                   "checksum " +
                                   it->second.checksum + ", this binary has " + checksum +
                                   "; restore the original file and add a new migration instead";
        spdlog::error("{}", detail);
        return domain::fail(domain::Error::internal(detail));
      }
      continue;
    }
    spdlog::info("applying migration {}", m.name);
    current = m.name;
    soci::transaction tx(sql);
    // Rows a migration writes into register tables are attributed in the change log.
    const std::string actor = "system:migrate";
    sql << "SELECT set_config('kkr.actor', :actor, true)", soci::use(actor);
    executeScript(sql, m.sql);
    int version = m.version;
    std::string name = m.name;
    std::string sum = checksum;
    sql << "INSERT INTO schema_migrations (version, name, checksum) VALUES (:v, :n, :c)",
        soci::use(version), soci::use(name), soci::use(sum);
    tx.commit();
    current.clear();
    ++applied;
  }
  return applied;
}

}  // namespace

domain::Result<int> migrate(const std::string& url) {
  std::unique_ptr<soci::session> sql;
  try {
    sql = openSession(url);
    logNotices(*sql);
  } catch (const std::exception& e) {
    // SOCI reports a failed connect as a plain soci_error; like Database::open, say what
    // it is for the operator.
    spdlog::error("cannot open the database to migrate it: {}", e.what());
    return domain::fail(domain::Error::unavailable("the database cannot be reached"));
  }
  std::string current;  // the migration being applied, for the error message
  try {
    // A session-level lock for the whole run: a per-migration transaction lock would let two
    // instances both see V001 as missing and both try to apply it. The second instance waits
    // here, then finds everything recorded. Closing the session releases the lock on any path.
    long long key = kMigrationLockKey;
    *sql << "SELECT pg_advisory_lock(:key)", soci::use(key);
    auto applied = migrateLocked(*sql, current);
    *sql << "SELECT pg_advisory_unlock(:key)", soci::use(key);
    return applied;
  } catch (const std::exception& e) {
    auto error = mapDatabaseError(e);
    if (!current.empty()) {
      // Only operators run migrations (CLI, start-up log), so the server's message is useful
      // here, unlike in an HTTP response.
      spdlog::error("migration {} failed and was rolled back: {}", current, e.what());
      error.detail = "migration " + current + " failed and was rolled back: " + e.what();
    }
    return domain::fail(std::move(error));
  }
}

}  // namespace kkr::persistence
