#pragma once
// Wakes an instance's follower when the change feed moves on: a LISTEN on channel kkr_changes,
// which kkr_publish_changes() notifies whenever it numbers new rows (migration V003), so a write
// on one instance is readable on the others within milliseconds. Polling stays the fallback: a
// wait never lasts longer than its timeout, and while the database cannot be reached the
// listener just waits the timeout out and tries to connect again on the next call.

#include <chrono>
#include <cstdint>

#include "kkr/persistence/database.hpp"

typedef struct pg_conn PGconn;

namespace kkr::persistence {

class PgChangeListener {
 public:
  explicit PgChangeListener(DatabaseConfig config);
  ~PgChangeListener();
  PgChangeListener(const PgChangeListener&) = delete;
  PgChangeListener& operator=(const PgChangeListener&) = delete;

  /// Returns true as soon as there may be news (a notification, a wake(), or a fresh connection,
  /// since notifications are lost while disconnected), false when `timeout` passed without any.
  bool wait(std::chrono::milliseconds timeout);

  /// Makes the current or next wait() return at once. Safe from any thread and from a signal's
  /// aftermath: it only writes to an eventfd.
  void wake();

 private:
  bool connect();
  void disconnect();
  /// Reads pending notifications; false when the connection failed.
  bool drain(bool& notified);

  DatabaseConfig config_;
  PGconn* conn_ = nullptr;
  int wakeFd_ = -1;
  std::chrono::steady_clock::time_point nextAttempt_{};
};

}  // namespace kkr::persistence
