#include "kkr/persistence/database.hpp"

#include <spdlog/spdlog.h>

#include <soci/postgresql/soci-postgresql.h>

#include "conninfo.hpp"
#include "pg_errors.hpp"
#include "session_pool.hpp"

namespace kkr::persistence {

using domain::Error;

namespace {

/// Settings every session gets, pooled or not.
void configureCommon(soci::session& sql) {
  // UTC everywhere: timestamps leave the database already formatted as RFC 3339 UTC, but the
  // session zone also decides how now() maps to dates.
  sql << "SET TIME ZONE 'UTC'";
  // The service's statements touch a few rows by key (a snapshot load, once, whole tables), but
  // a plan's cost estimate can still pass jit_above_cost: with a change log of 3.4 million rows,
  // the publisher's INSERT (an index range whose bounds the planner cannot see) was estimated at
  // 144 000 and JIT-compiled on every call, 11 ms of CPU for 60 rows (docs/benchmarks.md).
  sql << "SET jit = off";
  configureErrorReporting(sql);
}

}  // namespace

Database::Database(DatabaseConfig config) : config_(std::move(config)) {}
Database::~Database() = default;

domain::Result<std::unique_ptr<Database>> Database::open(const DatabaseConfig& config) {
  std::unique_ptr<Database> db(new Database(config));
  SessionPoolOptions options;
  options.connect_string = sociConnectString(config.url, connectionDefaults(config));
  options.size = config.pool_size;
  options.lease_timeout = config.pool_timeout;
  options.work_deadline = db->defaultBudget();
  options.replan_after = config.replan_after;
  const auto statementTimeout = std::to_string(config.statement_timeout.count());
  options.configure = [statementTimeout](soci::session& sql) {
    configureCommon(sql);
    sql << "SET application_name = 'kkr-register'";
    sql << "SET statement_timeout = " + statementTimeout;
  };
  try {
    db->pool_ = std::make_unique<SessionPool>(std::move(options));
  } catch (const std::exception& e) {
    spdlog::error("cannot open the database ({})", describeForLog(e));
    return domain::fail(Error::unavailable("the database cannot be reached"));
  }
  return db;
}

domain::Result<SessionLease> Database::lease(std::chrono::milliseconds budget) {
  auto lease = pool_->acquire(budget);
  if (!lease) return domain::fail(Error::unavailable("no database connection is available"));
  return *lease;
}

Connection Database::connectionOf(const SessionLease& leased) {
  return Connection{pool_->session(leased), pool_->statements(leased)};
}

void Database::giveBack(const SessionLease& leased, ConnectionState state) {
  pool_->release(leased, state);
}

ConnectionState Database::connectionState(const SessionLease& leased) {
  return pool_->connectionState(leased);
}

std::size_t Database::healthySessions() const { return pool_->healthyCount(); }

domain::Result<DurabilityReport> Database::ping() {
  return withSession<DurabilityReport>([](soci::session& sql) -> domain::Result<DurabilityReport> {
    std::string fsync, synchronousCommit, fullPageWrites;
    sql << "SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
           "current_setting('full_page_writes')",
        soci::into(fsync), soci::into(synchronousCommit), soci::into(fullPageWrites);
    DurabilityReport report;
    if (fsync != "on") report.weakened.push_back("fsync=" + fsync);
    // "local", "remote_write" and "remote_apply" all flush locally before acknowledging.
    if (synchronousCommit == "off") report.weakened.push_back("synchronous_commit=off");
    if (fullPageWrites != "on") report.weakened.push_back("full_page_writes=" + fullPageWrites);
    return report;
  });
}

std::unique_ptr<soci::session> openSession(const std::string& url) {
  auto sql = std::make_unique<soci::session>(
      soci::postgresql, sociConnectString(url, connectionDefaults(DatabaseConfig{})));
  configureCommon(*sql);
  return sql;
}

}  // namespace kkr::persistence
