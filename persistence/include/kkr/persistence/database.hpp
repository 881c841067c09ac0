#pragma once
// The connection pool and the one place where database exceptions become domain errors.
// SOCI types appear in this header because only persistence/ and app/ include it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "kkr/domain/result.hpp"
#include "kkr/persistence/statement_cache.hpp"

namespace kkr::persistence {

class SessionPool;

/// A leased pooled connection: its session, and the statements prepared on it (they live as
/// long as the connection does; see statement_cache.hpp).
struct Connection {
  soci::session& sql;
  StatementCache& statements;
};

/// What a failed statement left of its session's connection: a lost one is replaced, never
/// reused, and its error means "unavailable" whatever the error says.
enum class ConnectionState { Intact, Lost };

/// One pooled session, held by one caller until it is given back (see SessionPool).
struct SessionLease {
  std::size_t slot;
  std::uint64_t id;
};

/// Every wait on the database is bounded; each bound is a setting (`kkr serve --help`).
struct DatabaseConfig {
  std::string url;  ///< libpq conninfo or URI, e.g. "postgresql://kkr@localhost:5432/kkr"
  std::size_t pool_size = 4;
  /// PostgreSQL's statement_timeout on every pooled connection.
  std::chrono::milliseconds statement_timeout{5000};
  /// Longest wait for a free pooled connection before the request gets a 503.
  std::chrono::milliseconds pool_timeout{1000};
  /// libpq connect_timeout (whole seconds, at least 2: libpq's own minimum).
  std::chrono::seconds connect_timeout{3};
  /// TCP: how long sent data may stay unacknowledged before the connection is dropped
  /// (tcp_user_timeout), and when an idle connection is first probed (keepalives_idle).
  std::chrono::milliseconds tcp_user_timeout{10000};
  std::chrono::seconds keepalives_idle{30};
  /// How much longer than the statement timeout a call may take before its connection is cut
  /// off (the server enforces the statement timeout; a frozen server cannot).
  std::chrono::milliseconds deadline_grace{800};
  /// Most writes of one kind that share one statement under load (write_groups.hpp); 1 runs
  /// every write alone.
  std::size_t write_group = 16;
  /// How old a pooled connection's prepared statement may get before it is prepared again, so
  /// that its plan is made for the tables as they are then (0: on every use).
  std::chrono::milliseconds replan_after = StatementCache::kReplanAfter;
};

/// The durability settings of the server: a cluster that may lose acknowledged writes on a
/// crash has some of them off.
struct DurabilityReport {
  std::vector<std::string> weakened;  ///< e.g. "fsync=off"; empty when every setting is safe
};

class Database {
 public:
  /// Opens `pool_size` connections; fails with Unavailable when the server cannot be reached.
  static domain::Result<std::unique_ptr<Database>> open(const DatabaseConfig& config);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs `work` on a pooled session. Every exception it throws (SOCI, libpq, std) is turned into
  /// a domain Error here, so none leaves persistence/. A session whose connection failed is
  /// replaced in the background; the database being unreachable is always Unavailable. `budget`
  /// bounds the whole call (default: statement timeout plus the grace), for work of several
  /// statements that may legitimately take longer (loading the register).
  template <typename T>
  domain::Result<T> withSession(const std::function<domain::Result<T>(soci::session&)>& work,
                                std::optional<std::chrono::milliseconds> budget = std::nullopt);

  /// withSession for work that also uses the connection's prepared statements.
  template <typename T>
  domain::Result<T> withConnection(const std::function<domain::Result<T>(Connection&)>& work,
                                   std::optional<std::chrono::milliseconds> budget = std::nullopt);

  /// A cheap round trip that also reads the durability settings.
  domain::Result<DurabilityReport> ping();

  /// Connected pooled sessions right now (not counting those being replaced).
  std::size_t healthySessions() const;

  const DatabaseConfig& config() const { return config_; }

 private:
  explicit Database(DatabaseConfig config);
  std::chrono::milliseconds defaultBudget() const {
    return config_.statement_timeout + config_.deadline_grace;
  }
  domain::Result<SessionLease> lease(std::chrono::milliseconds budget);
  Connection connectionOf(const SessionLease& leased);
  void giveBack(const SessionLease& leased, ConnectionState state);
  ConnectionState connectionState(const SessionLease& leased);

  DatabaseConfig config_;
  std::unique_ptr<SessionPool> pool_;
};

/// Maps any exception thrown by SOCI/libpq (or a stray std::exception) to a domain Error, by
/// SQLSTATE and constraint name, never by message text (pg_errors.cpp holds the one map): a
/// constraint the register names (a duplicate period, key name...) → its Conflict, other
/// 23505/23P01/23503 and 40001/40P01 → Conflict, other 23xxx/22xxx → Validation,
/// 08xxx/53xxx/57Pxx/57014/55P03 or a lost connection → Unavailable, anything else → Internal.
/// The log gets the SQLSTATE and names, never the message text or bound values.
domain::Error mapDatabaseError(const std::exception& e,
                               ConnectionState state = ConnectionState::Intact);

/// Opens one standalone session (used by the CLI's migrate/seed and by tests).
std::unique_ptr<soci::session> openSession(const std::string& url);

// ---- template implementation ----

template <typename T>
domain::Result<T> Database::withSession(
    const std::function<domain::Result<T>(soci::session&)>& work,
    std::optional<std::chrono::milliseconds> budget) {
  return withConnection<T>([&work](Connection& connection) { return work(connection.sql); },
                           budget);
}

template <typename T>
domain::Result<T> Database::withConnection(
    const std::function<domain::Result<T>(Connection&)>& work,
    std::optional<std::chrono::milliseconds> budget) {
  auto leased = lease(budget.value_or(defaultBudget()));
  if (!leased) return domain::fail(leased.error());
  try {
    Connection connection = connectionOf(*leased);
    auto result = work(connection);
    giveBack(*leased, ConnectionState::Intact);
    return result;
  } catch (const std::exception& e) {
    const auto state = connectionState(*leased);
    giveBack(*leased, state);
    return domain::fail(mapDatabaseError(e, state));
  } catch (...) {
    giveBack(*leased, connectionState(*leased));  // the session must not leak out of the pool
    throw;
  }
}

}  // namespace kkr::persistence
