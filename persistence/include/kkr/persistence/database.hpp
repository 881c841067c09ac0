#pragma once
// The connection pool and the one place where database exceptions become domain errors.
// SOCI types appear in this header because only persistence/ and app/ include it.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <soci/soci.h>

#include "kkr/domain/result.hpp"

namespace kkr::persistence {

struct DatabaseConfig {
  std::string url;  ///< libpq conninfo or URI, e.g. "postgresql://kkr@localhost:5432/kkr"
  std::size_t pool_size = 4;
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds lease_timeout{2000};  ///< waiting longer for a connection → 503
};

class Database {
 public:
  /// Opens `pool_size` connections; fails with Unavailable when the server cannot be reached.
  static domain::Result<std::unique_ptr<Database>> open(const DatabaseConfig& config);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs `work` on a pooled session. Every exception it throws (SOCI, libpq, std) is turned into
  /// a domain Error here, so none leaves persistence/. A broken connection is reconnected once.
  template <typename T>
  domain::Result<T> withSession(const std::function<domain::Result<T>(soci::session&)>& work);

  /// A cheap round trip ("SELECT 1"): ok when the database answers.
  domain::Status ping();

  const DatabaseConfig& config() const { return config_; }

 private:
  explicit Database(DatabaseConfig config);
  struct Lease;
  domain::Result<std::size_t> acquire();
  void release(std::size_t position, bool broken);

  DatabaseConfig config_;
  std::unique_ptr<soci::connection_pool> pool_;
};

/// Maps any exception thrown by SOCI/libpq (or a stray std::exception) to a domain Error:
/// 23505/23P01 → Conflict, 23503 → Conflict, 23514/22xxx → Validation, 08xxx/57P0x → Unavailable,
/// 40001/40P01 → Conflict (retryable), anything else → Internal (detail is generic; the real
/// message is logged, never returned to a client).
domain::Error mapDatabaseError(const std::exception& e);

/// Opens one standalone session (used by the CLI's migrate/seed and by tests).
std::unique_ptr<soci::session> openSession(const std::string& url);

// ---- template implementation ----

template <typename T>
domain::Result<T> Database::withSession(
    const std::function<domain::Result<T>(soci::session&)>& work) {
  auto position = acquire();
  if (!position) return domain::fail(position.error());
  bool broken = false;
  try {
    auto result = work(pool_->at(*position));
    release(*position, false);
    return result;
  } catch (const soci::soci_error& e) {
    auto error = mapDatabaseError(e);
    broken = error.code == domain::ErrorCode::Unavailable;
    release(*position, broken);
    return domain::fail(std::move(error));
  } catch (const std::exception& e) {
    release(*position, false);
    return domain::fail(mapDatabaseError(e));
  }
}

}  // namespace kkr::persistence
