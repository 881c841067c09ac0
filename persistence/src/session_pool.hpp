#pragma once
// The connection pool behind Database: a fixed number of PostgreSQL sessions that recover by
// themselves. A session that fails at the connection level is marked broken, never handed out
// again, and replaced on a background thread with backoff; a session whose server stops
// answering (a frozen host: the socket stays open, so neither the statement timeout nor TCP
// notices) is cut off by a watchdog thread once its deadline passes, so a request waits at most
// the statement timeout plus a grace, never forever.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <soci/soci.h>

#include "kkr/persistence/database.hpp"
#include "kkr/persistence/statement_cache.hpp"

namespace kkr::persistence {

struct SessionPoolOptions {
  std::string connect_string;  ///< as SOCI passes it to libpq (see conninfo.hpp)
  std::size_t size = 4;
  std::chrono::milliseconds lease_timeout{1000};  ///< longest wait for a free session
  std::chrono::milliseconds work_deadline{6000};  ///< a lease older than this is cut off
  std::chrono::milliseconds backoff_min{50};      ///< first retry after a failed reconnect
  std::chrono::milliseconds backoff_max{1000};    ///< retries never wait longer than this
  /// How old a prepared statement may get before it is prepared again (statement_cache.hpp).
  std::chrono::milliseconds replan_after{StatementCache::kReplanAfter};
  /// Runs on every new connection before it is used (time zone, timeouts, verbosity).
  std::function<void(soci::session&)> configure;
};

class SessionPool {
 public:
  /// Opens every session; throws the first connection error (the caller reports it).
  explicit SessionPool(SessionPoolOptions options);
  /// Stops the maintenance thread; sessions close with the pool.
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  using Lease = SessionLease;
  /// A healthy session for one unit of work that may take `budget` (then it is cut off), or
  /// nullopt when none became free within the lease timeout, or none can come soon (the database
  /// is down or not answering).
  std::optional<Lease> acquire(std::chrono::milliseconds budget);
  soci::session& session(const Lease& lease);
  /// The statements prepared on the leased session's connection.
  StatementCache& statements(const Lease& lease);
  /// Returns the session; a lost connection (or a dead one seen here) sends it to be replaced
  /// instead of back into use.
  void release(const Lease& lease, ConnectionState state);

  /// Lost when the session's connection is known to be gone (libpq says so, or it was cut off).
  ConnectionState connectionState(const Lease& lease);

  /// Sessions connected and usable right now (for logs and tests).
  std::size_t healthyCount() const;

 private:
  enum class State { Idle, Leased, Broken, Connecting };
  struct Slot;

  std::unique_ptr<soci::session> connect();
  bool looksDead(Slot& slot);
  void breakSlot(Slot& slot, std::chrono::steady_clock::time_point now);
  void watch();
  void reconnectBroken();
  void cutOverdueLeases(std::chrono::steady_clock::time_point now);
  bool reconnectOne(std::unique_lock<std::mutex>& lock);

  SessionPoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;         ///< a session became Idle
  std::condition_variable watchdogWake_;  ///< wakes the watchdog (to stop)
  std::condition_variable reconnect_;     ///< a session broke (or the pool stops)
  std::vector<std::unique_ptr<Slot>> slots_;
  std::uint64_t nextLeaseId_ = 1;
  unsigned consecutiveFailures_ = 0;  ///< reconnects failed since the last success
  /// A reconnect failed or a call was cut off, and no reconnect has succeeded since: callers
  /// get no session unless one is idle, instead of waiting for one.
  bool databaseDown_ = false;
  bool stopping_ = false;
  std::thread watchdog_;     ///< cuts off calls past their deadline
  std::thread reconnector_;  ///< replaces broken sessions, one at a time, with backoff
};

}  // namespace kkr::persistence
