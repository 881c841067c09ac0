#include "kkr/persistence/pg_change_listener.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <utility>

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include "conninfo.hpp"

namespace kkr::persistence {

namespace {

/// How long to wait after a failed connection attempt before the next one.
constexpr std::chrono::seconds kRetryAfter{1};

}  // namespace

PgChangeListener::PgChangeListener(DatabaseConfig config)
    : config_(std::move(config)), wakeFd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (wakeFd_ < 0) throw std::runtime_error("eventfd failed for the change listener");
}

PgChangeListener::~PgChangeListener() {
  disconnect();
  ::close(wakeFd_);
}

void PgChangeListener::wake() {
  const std::uint64_t one = 1;
  // A full counter (never, in practice) still leaves the fd readable, which is all that matters.
  [[maybe_unused]] const auto written = ::write(wakeFd_, &one, sizeof one);
}

void PgChangeListener::disconnect() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

bool PgChangeListener::connect() {
  const auto now = std::chrono::steady_clock::now();
  if (now < nextAttempt_) return false;
  nextAttempt_ = now + kRetryAfter;
  const std::string conninfo = sociConnectString(config_.url, connectionDefaults(config_));
  conn_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    spdlog::debug("change listener cannot connect; following by polling until it can");
    disconnect();
    return false;
  }
  // Notices would go to stderr past the log; the server's messages may quote values.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  PGresult* listened = PQexec(conn_, "LISTEN kkr_changes");
  const bool ok = PQresultStatus(listened) == PGRES_COMMAND_OK;
  PQclear(listened);
  if (!ok || PQsetnonblocking(conn_, 1) != 0) {
    disconnect();
    return false;
  }
  return true;
}

bool PgChangeListener::drain(bool& notified) {
  if (PQconsumeInput(conn_) == 0) return false;
  while (PGnotify* notification = PQnotifies(conn_)) {
    notified = true;
    PQfreemem(notification);
  }
  return true;
}

bool PgChangeListener::wait(std::chrono::milliseconds timeout) {
  if (conn_ == nullptr && connect()) return true;  // anything may have happened meanwhile
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    pollfd fds[2] = {{wakeFd_, POLLIN, 0}, {conn_ ? PQsocket(conn_) : -1, POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const int ready = ::poll(fds, 2, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (ready < 0 && errno != EINTR) return false;
    if (fds[0].revents & POLLIN) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto read = ::read(wakeFd_, &count, sizeof count);
      return true;
    }
    if (conn_ != nullptr && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
      bool notified = false;
      if (!drain(notified)) {
        spdlog::debug("change listener lost its connection; reconnecting");
        disconnect();
        return true;  // notifications may be lost from here on: look at the feed now
      }
      if (notified) return true;
    }
    if (ready == 0) return false;
  }
}

}  // namespace kkr::persistence
