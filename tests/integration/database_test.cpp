#include "kkr/persistence/database.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <soci/postgresql/soci-postgresql.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "kkr/persistence/health.hpp"
#include "kkr/persistence/statement_cache.hpp"
#include "support/pg_fixture.hpp"

namespace {

using kkr::domain::ErrorCode;
using kkr::persistence::Database;
using kkr::persistence::DatabaseConfig;

TEST(Database, PingAnswersThroughTheHealthCheck) {
  auto database = kkr::testing::openTestDatabase(1);
  kkr::persistence::PgHealthCheck health(*database);
  auto status = health.check();
  EXPECT_TRUE(status) << status.error().detail;
}

TEST(Database, AcceptsKeyValueConninfoAsWellAsUris) {
  // The fixture's URL is a URI without query parameters (which SOCI 4.0.3 alone would mangle);
  // the same target as key=value pairs must work too.
  PQconninfoOption* options = PQconninfoParse(kkr::testing::testDatabaseUrl().c_str(), nullptr);
  ASSERT_NE(options, nullptr);
  std::string conninfo;
  for (auto* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) conninfo += std::string(o->keyword) + "=" + o->val + " ";
  }
  PQconninfoFree(options);
  DatabaseConfig config;
  config.url = conninfo;
  config.pool_size = 1;
  auto database = Database::open(config);
  ASSERT_TRUE(database) << database.error().detail;
  EXPECT_TRUE((*database)->ping());
  auto session = kkr::persistence::openSession(conninfo);
  std::string name;
  *session << "SELECT current_database()", soci::into(name);
  EXPECT_EQ(name.rfind("kkr_test_", 0), 0u) << name;
}

TEST(Database, OpeningAClosedPortIsUnavailable) {
  DatabaseConfig config;
  config.url = "postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2";
  config.pool_size = 1;
  auto database = Database::open(config);
  ASSERT_FALSE(database);
  EXPECT_EQ(database.error().code, ErrorCode::Unavailable);
}

TEST(Database, RecoversAConnectionTheServerClosed) {
  auto database = kkr::testing::openTestDatabase(1);
  ASSERT_TRUE(database->ping());
  // Terminate the pool's only connection from outside, as a server restart would. The pool
  // notices before handing the session out (the server said goodbye on the socket) and
  // replaces it, so not even the next call fails.
  kkr::testing::terminatePooledConnections();
  auto afterRestart = database->ping();
  EXPECT_TRUE(afterRestart) << afterRestart.error().detail;
  EXPECT_EQ(database->healthySessions(), 1u);
}

TEST(Database, AConnectionLostInTheMiddleOfWorkIsUnavailableAndReplaced) {
  auto database = kkr::testing::openTestDatabase(1);
  auto lost = database->withSession<int>([](soci::session& sql) -> kkr::domain::Result<int> {
    sql << "SELECT pg_terminate_backend(pg_backend_pid())";
    return 1;
  });
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code, ErrorCode::Unavailable) << lost.error().detail;
  // Replaced in the background: the next call gets a working session within the pool timeout.
  auto next = database->ping();
  EXPECT_TRUE(next) << next.error().detail;
}

TEST(Database, AServerThatStopsAnsweringIsCutOffAfterTheDeadline) {
  DatabaseConfig config;
  config.url = kkr::testing::testDatabaseUrl();
  config.pool_size = 1;
  config.statement_timeout = std::chrono::milliseconds(300);
  config.deadline_grace = std::chrono::milliseconds(200);
  auto database = Database::open(config);
  ASSERT_TRUE(database) << database.error().detail;
  // A server that does not enforce its statement timeout looks, to the client, like a frozen
  // one: nothing comes back on an open socket.
  const auto start = std::chrono::steady_clock::now();
  auto hung = (*database)->withSession<int>([](soci::session& sql) -> kkr::domain::Result<int> {
    sql << "SET statement_timeout = 0";
    sql << "SELECT pg_sleep(5)";
    return 1;
  });
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(hung);
  EXPECT_EQ(hung.error().code, ErrorCode::Unavailable) << hung.error().detail;
  EXPECT_LT(waited, std::chrono::milliseconds(1500));
  // Until a new connection has been made, callers fail fast instead of queueing behind a server
  // that may still be frozen; the replacement comes by itself.
  auto next = (*database)->ping();
  for (int i = 0; i < 100 && !next; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    next = (*database)->ping();
  }
  EXPECT_TRUE(next) << next.error().detail;
}

/// The server's name of a statement the one pooled session's cache has just run.
std::string preparedProbeName(Database& database) {
  auto name = database.withConnection<std::string>(
      [](kkr::persistence::Connection& c) -> kkr::domain::Result<std::string> {
        const std::string probe = "SELECT 'kkr_replan_probe'";
        (void)c.statements.queryText(probe, {});
        return kkr::testing::preparedStatementName(c.sql, probe);
      });
  return name ? *name : "failed: " + name.error().detail;
}

TEST(Database, SessionsNeverCompileTheirStatementsWithJit) {
  auto database = kkr::testing::openTestDatabase(1);
  auto jit = database->withConnection<std::string>(
      [](kkr::persistence::Connection& c) -> kkr::domain::Result<std::string> {
        std::string value;
        c.sql << "SELECT current_setting('jit')", soci::into(value);
        return value;
      });
  ASSERT_TRUE(jit) << jit.error().detail;
  EXPECT_EQ(*jit, "off");
}

TEST(Database, PooledStatementsArePreparedAgainOnceOlderThanTheConfiguredAge) {
  for (const auto age : {std::chrono::milliseconds(60'000), std::chrono::milliseconds(0)}) {
    DatabaseConfig config;
    config.url = kkr::testing::testDatabaseUrl();
    config.pool_size = 1;
    config.replan_after = age;
    auto database = Database::open(config);
    ASSERT_TRUE(database) << database.error().detail;
    const std::string first = preparedProbeName(**database);
    const std::string second = preparedProbeName(**database);
    ASSERT_FALSE(first.empty());
    ASSERT_FALSE(second.empty());
    if (age.count() > 0) {
      EXPECT_EQ(first, second) << "a statement younger than its age was prepared again";
    } else {
      EXPECT_NE(first, second) << "with an age of 0 a statement is prepared again on every use";
    }
  }
}

TEST(Database, ABusyPoolAnswersUnavailableAfterThePoolTimeout) {
  DatabaseConfig config;
  config.url = kkr::testing::testDatabaseUrl();
  config.pool_size = 1;
  config.pool_timeout = std::chrono::milliseconds(200);
  auto database = Database::open(config);
  ASSERT_TRUE(database) << database.error().detail;
  std::atomic<bool> holding{false};
  std::thread holder([&] {
    (void)(*database)->withSession<int>([&](soci::session& sql) -> kkr::domain::Result<int> {
      holding = true;
      sql << "SELECT pg_sleep(1)";
      return 1;
    });
  });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto start = std::chrono::steady_clock::now();
  auto waiting = (*database)->ping();
  const auto waited = std::chrono::steady_clock::now() - start;
  holder.join();
  ASSERT_FALSE(waiting);
  EXPECT_EQ(waiting.error().code, ErrorCode::Unavailable);
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::milliseconds(900));
}

TEST(Database, PooledTcpConnectionsNoticeADeadPeer) {
  DatabaseConfig config;
  config.url = kkr::testing::testDatabaseUrl();  // 127.0.0.1: TCP
  config.pool_size = 1;
  config.tcp_user_timeout = std::chrono::milliseconds(7000);
  config.keepalives_idle = std::chrono::seconds(11);
  auto database = Database::open(config);
  ASSERT_TRUE(database) << database.error().detail;
  int keepalive = 0, idle = 0;
  unsigned userTimeout = 0;
  auto read = (*database)->withSession<int>([&](soci::session& sql) -> kkr::domain::Result<int> {
    auto* backend = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
    const int fd = PQsocket(backend->conn_);
    socklen_t size = sizeof keepalive;
    getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &keepalive, &size);
    size = sizeof idle;
    getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, &size);
    size = sizeof userTimeout;
    getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &userTimeout, &size);
    return 0;
  });
  ASSERT_TRUE(read);
  EXPECT_EQ(keepalive, 1);
  EXPECT_EQ(idle, 11);
  EXPECT_EQ(userTimeout, 7000u);
}

TEST(Database, PingReportsDurabilitySettingsThatAreOff) {
  std::string name;
  *kkr::testing::adminSession() << "SELECT current_database()", soci::into(name);
  // synchronous_commit can be changed per database; new connections pick it up.
  kkr::testing::execSql("ALTER DATABASE \"" + name + "\" SET synchronous_commit = off");
  auto database = kkr::testing::openTestDatabase(1);
  auto report = database->ping();
  kkr::testing::execSql("ALTER DATABASE \"" + name + "\" RESET synchronous_commit");
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_NE(std::find(report->weakened.begin(), report->weakened.end(), "synchronous_commit=off"),
            report->weakened.end());
}

}  // namespace
