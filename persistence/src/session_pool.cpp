#include "session_pool.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>

#include <soci/postgresql/soci-postgresql.h>
#include <spdlog/spdlog.h>

namespace kkr::persistence {

namespace {

using Clock = std::chrono::steady_clock;

PGconn* connectionOf(soci::session* sql) {
  if (sql == nullptr || sql->get_backend() == nullptr) return nullptr;
  return static_cast<soci::postgresql_session_backend*>(sql->get_backend())->conn_;
}

/// The socket of a leased session, identified by inode so that the maintenance thread cuts
/// exactly that connection: if libpq closed it meanwhile, its descriptor number may already
/// belong to another socket.
struct SocketIdentity {
  int fd = -1;
  dev_t device = 0;
  ino_t inode = 0;

  static SocketIdentity of(PGconn* conn) {
    SocketIdentity id;
    if (conn == nullptr) return id;
    struct stat st {};
    const int fd = PQsocket(conn);
    if (fd < 0 || ::fstat(fd, &st) != 0) return id;
    id.fd = fd;
    id.device = st.st_dev;
    id.inode = st.st_ino;
    return id;
  }
  bool stillOpen() const {
    struct stat st {};
    return fd >= 0 && ::fstat(fd, &st) == 0 && st.st_dev == device && st.st_ino == inode;
  }
};

/// Closes a connection without waiting for its server. SOCI sends a DEALLOCATE, and waits for its
/// answer, for every prepared statement it destroys; on a frozen server that would never return.
/// The server forgets a connection's statements when it ends anyway, so the socket is shut first:
/// each DEALLOCATE then fails at once (SOCI swallows the error) and the session closes.
void closeWithoutWaiting(std::unique_ptr<StatementCache>& statements,
                         std::unique_ptr<soci::session>& sql) {
  if (PGconn* conn = connectionOf(sql.get()); conn != nullptr && PQsocket(conn) >= 0) {
    ::shutdown(PQsocket(conn), SHUT_RDWR);
  }
  statements.reset();
  sql.reset();
}

}  // namespace

struct SessionPool::Slot {
  std::unique_ptr<soci::session> sql;
  std::unique_ptr<StatementCache> statements;  ///< prepared on `sql`; dropped before it
  State state = State::Idle;
  std::uint64_t lease_id = 0;
  Clock::time_point deadline;  ///< while leased: when the maintenance thread cuts it off
  Clock::time_point retry_at;  ///< while broken: when the next reconnect may start
  bool cut = false;            ///< the maintenance thread shut its socket down
  SocketIdentity socket;
};

SessionPool::SessionPool(SessionPoolOptions options) : options_(std::move(options)) {
  for (std::size_t i = 0; i < options_.size; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->sql = connect();
    slot->statements = std::make_unique<StatementCache>(*slot->sql, options_.replan_after);
    slots_.push_back(std::move(slot));
  }
  watchdog_ = std::thread([this] { watch(); });
  reconnector_ = std::thread([this] { reconnectBroken(); });
}

SessionPool::~SessionPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  watchdogWake_.notify_all();
  reconnect_.notify_all();
  if (watchdog_.joinable()) watchdog_.join();
  if (reconnector_.joinable()) reconnector_.join();
  for (auto& slot : slots_) closeWithoutWaiting(slot->statements, slot->sql);
}

std::unique_ptr<soci::session> SessionPool::connect() {
  auto sql = std::make_unique<soci::session>(soci::postgresql, options_.connect_string);
  if (options_.configure) options_.configure(*sql);
  return sql;
}

bool SessionPool::looksDead(Slot& slot) {
  PGconn* conn = connectionOf(slot.sql.get());
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) return true;
  // An idle connection has nothing to read. Input means the server spoke on its own: almost
  // always a termination notice followed by the end of the stream (a restart, a crash, an
  // administrator). libpq would only notice once it reads the end, so do not wait for that:
  // the rare harmless message (a parameter change) costs one reconnect.
  pollfd pfd{PQsocket(conn), POLLIN, 0};
  return ::poll(&pfd, 1, 0) != 0;
}

void SessionPool::breakSlot(Slot& slot, Clock::time_point now) {
  slot.state = State::Broken;
  slot.retry_at = now;
  reconnect_.notify_one();
}

std::optional<SessionPool::Lease> SessionPool::acquire(std::chrono::milliseconds budget) {
  const auto start = Clock::now();
  const auto giveUpAt = start + options_.lease_timeout;
  std::unique_lock lock(mutex_);
  for (;;) {
    bool mayBecomeFree = false;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      Slot& slot = *slots_[i];
      if (slot.state == State::Idle && looksDead(slot)) breakSlot(slot, Clock::now());
      if (slot.state == State::Idle) {
        slot.state = State::Leased;
        slot.lease_id = nextLeaseId_++;
        slot.deadline = start + budget;
        slot.cut = false;
        slot.socket = SocketIdentity::of(connectionOf(slot.sql.get()));
        return Lease{i, slot.lease_id};
      }
      // A broken session comes back soon unless reconnecting has already failed.
      mayBecomeFree = mayBecomeFree || slot.state != State::Broken || consecutiveFailures_ == 0;
    }
    // The database is down or not answering: sessions in use will fail rather than come back,
    // and waiting would only hold the caller (and, on a reactor thread, every request queued
    // behind it) up.
    if (!mayBecomeFree || databaseDown_) return std::nullopt;
    if (freed_.wait_until(lock, giveUpAt) == std::cv_status::timeout) return std::nullopt;
  }
}

soci::session& SessionPool::session(const Lease& lease) { return *slots_[lease.slot]->sql; }

StatementCache& SessionPool::statements(const Lease& lease) {
  return *slots_[lease.slot]->statements;
}

ConnectionState SessionPool::connectionState(const Lease& lease) {
  std::lock_guard lock(mutex_);
  Slot& slot = *slots_[lease.slot];
  PGconn* conn = connectionOf(slot.sql.get());
  const bool lost = slot.cut || conn == nullptr || PQstatus(conn) != CONNECTION_OK;
  return lost ? ConnectionState::Lost : ConnectionState::Intact;
}

void SessionPool::release(const Lease& lease, ConnectionState state) {
  std::lock_guard lock(mutex_);
  Slot& slot = *slots_[lease.slot];
  if (slot.state != State::Leased || slot.lease_id != lease.id) return;
  if (state == ConnectionState::Lost || slot.cut || looksDead(slot)) {
    breakSlot(slot, Clock::now());
    return;
  }
  slot.state = State::Idle;
  freed_.notify_one();
}

std::size_t SessionPool::healthyCount() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(slots_.begin(), slots_.end(), [](const auto& s) {
    return s->state == State::Idle || s->state == State::Leased;
  }));
}

void SessionPool::cutOverdueLeases(Clock::time_point now) {
  bool cutAny = false;
  for (auto& slot : slots_) {
    if (slot->state != State::Leased || slot->cut || now < slot->deadline) continue;
    // The server has not answered within the statement timeout it enforces itself, so it is
    // not running (stopped, or its host is frozen). Shutting the socket down makes libpq's
    // blocked read return at once, on the thread that waits in it.
    if (slot->socket.stillOpen()) ::shutdown(slot->socket.fd, SHUT_RDWR);
    slot->cut = true;
    cutAny = true;
  }
  if (!cutAny) return;
  databaseDown_ = true;
  spdlog::warn("the database did not answer within {} ms: connection cut off, reconnecting",
               options_.work_deadline.count());
  // The idle sessions talk to the same unresponsive server: replace them rather than hand them
  // out to wait for the same deadline.
  for (auto& slot : slots_) {
    if (slot->state == State::Idle) breakSlot(*slot, now);
  }
}

bool SessionPool::reconnectOne(std::unique_lock<std::mutex>& lock) {
  const auto now = Clock::now();
  auto due = std::find_if(slots_.begin(), slots_.end(), [&](const auto& s) {
    return s->state == State::Broken && s->retry_at <= now;
  });
  if (due == slots_.end()) return false;
  Slot& slot = **due;
  slot.state = State::Connecting;
  std::unique_ptr<StatementCache> oldStatements = std::move(slot.statements);
  std::unique_ptr<soci::session> old = std::move(slot.sql);
  lock.unlock();
  // Closing may touch the socket: not under the lock.
  closeWithoutWaiting(oldStatements, old);
  std::unique_ptr<soci::session> fresh;
  try {
    fresh = connect();
  } catch (const std::exception&) {
    // The message may name the host and user; the failure itself is what the log needs.
  }
  lock.lock();
  if (fresh) {
    slot.statements = std::make_unique<StatementCache>(*fresh, options_.replan_after);
    slot.sql = std::move(fresh);
    slot.state = State::Idle;
    if (consecutiveFailures_ > 0) {
      spdlog::info("database connection restored after {} failed attempt(s)", consecutiveFailures_);
    }
    consecutiveFailures_ = 0;
    databaseDown_ = false;
    for (auto& other : slots_) {
      if (other->state == State::Broken) other->retry_at = Clock::now();
    }
    freed_.notify_all();
    return true;
  }
  slot.state = State::Broken;
  ++consecutiveFailures_;
  databaseDown_ = true;
  const auto doublings = std::min<unsigned>(consecutiveFailures_ - 1, 10);
  const std::chrono::milliseconds backoff =
      std::min(options_.backoff_max, options_.backoff_min * (1L << doublings));
  if (consecutiveFailures_ == 1) {
    spdlog::warn("cannot reconnect to the database; retrying every {} ms at most",
                 options_.backoff_max.count());
  }
  for (auto& other : slots_) {
    if (other->state == State::Broken) other->retry_at = Clock::now() + backoff;
  }
  // Waiters cannot get this session now; let them re-check whether any can still come.
  freed_.notify_all();
  return true;
}

void SessionPool::watch() {
  // A short tick bounds how late an overdue lease is cut; it costs nothing else. This thread
  // never blocks on the network, so a connection attempt that hangs cannot delay a cut.
  constexpr auto kTick = std::chrono::milliseconds(50);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    cutOverdueLeases(Clock::now());
    watchdogWake_.wait_for(lock, kTick, [this] { return stopping_; });
  }
}

void SessionPool::reconnectBroken() {
  constexpr auto kTick = std::chrono::milliseconds(50);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (reconnectOne(lock)) continue;
    reconnect_.wait_for(lock, kTick, [this] { return stopping_; });
  }
}

}  // namespace kkr::persistence
