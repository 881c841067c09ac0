#include "kkr/persistence/database.hpp"

#include <spdlog/spdlog.h>

#include <soci/postgresql/soci-postgresql.h>

#include "conninfo.hpp"

namespace kkr::persistence {

using domain::Error;
using domain::ErrorCode;

namespace {

void configureSession(soci::session& sql, const DatabaseConfig& config) {
  // UTC everywhere: timestamps leave the database already formatted as RFC 3339 UTC, but the
  // session zone also decides how now() maps to dates.
  sql << "SET TIME ZONE 'UTC'";
  sql << "SET statement_timeout = " + std::to_string(config.statement_timeout.count());
  sql << "SET application_name = 'kkr-register'";
}

}  // namespace

Database::Database(DatabaseConfig config) : config_(std::move(config)) {}
Database::~Database() = default;

domain::Result<std::unique_ptr<Database>> Database::open(const DatabaseConfig& config) {
  std::unique_ptr<Database> db(new Database(config));
  try {
    db->pool_ = std::make_unique<soci::connection_pool>(config.pool_size);
    for (std::size_t i = 0; i < config.pool_size; ++i) {
      auto& sql = db->pool_->at(i);
      sql.open(soci::postgresql, sociConnectString(config.url));
      configureSession(sql, config);
    }
  } catch (const std::exception& e) {
    spdlog::error("cannot open the database: {}", e.what());
    return domain::fail(Error::unavailable("the database cannot be reached"));
  }
  return db;
}

domain::Result<std::size_t> Database::acquire() {
  std::size_t position = 0;
  if (!pool_->try_lease(position, static_cast<int>(config_.lease_timeout.count()))) {
    return domain::fail(Error::unavailable("all database connections are busy"));
  }
  return position;
}

void Database::release(std::size_t position, bool broken) {
  if (broken) {
    // libpq does not recover a dropped connection by itself; a failed reconnect is retried on
    // the next failure, and the request that saw the break already got a 503.
    try {
      auto& sql = pool_->at(position);
      sql.reconnect();
      configureSession(sql, config_);
    } catch (const std::exception& e) {
      spdlog::warn("database reconnect failed: {}", e.what());
    }
  }
  pool_->give_back(position);
}

domain::Status Database::ping() {
  return withSession<domain::Unit>([](soci::session& sql) -> domain::Status {
    int one = 0;
    sql << "SELECT 1", soci::into(one);
    return domain::ok();
  });
}

domain::Error mapDatabaseError(const std::exception& e) {
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    const std::string state = pg->sqlstate();
    const std::string cls = state.substr(0, 2);
    if (state == "23505" || state == "23P01" || state == "23503") {
      // The message names the constraint; callers that know it translate it further.
      return {ErrorCode::Conflict, "the change conflicts with stored data", {}};
    }
    if (state == "40001" || state == "40P01") {
      return {ErrorCode::Conflict, "a concurrent change interfered; retry the request", {}};
    }
    if (cls == "23" || cls == "22") {
      return {ErrorCode::Validation, "a value is out of range or breaks a rule", {}};
    }
    if (cls == "08" || state == "57P01" || state == "57P02" || state == "57P03" || cls == "53") {
      spdlog::warn("database unavailable: {}", e.what());
      return Error::unavailable("the database is unavailable");
    }
    if (state == "57014") {
      spdlog::warn("statement timeout: {}", e.what());
      return Error::unavailable("the database did not answer in time");
    }
  }
  if (const auto* soci = dynamic_cast<const soci::soci_error*>(&e)) {
    if (soci->get_error_category() == soci::soci_error::connection_error) {
      spdlog::warn("database connection error: {}", e.what());
      return Error::unavailable("the database is unavailable");
    }
  }
  spdlog::error("database error: {}", e.what());
  return Error::internal("an internal error occurred");
}

std::unique_ptr<soci::session> openSession(const std::string& url) {
  auto sql = std::make_unique<soci::session>(soci::postgresql, sociConnectString(url));
  *sql << "SET TIME ZONE 'UTC'";
  return sql;
}

}  // namespace kkr::persistence
