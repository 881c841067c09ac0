#include "kkr/persistence/database.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <string>

#include "kkr/persistence/health.hpp"
#include "support/pg_fixture.hpp"

namespace {

using kkr::domain::ErrorCode;
using kkr::persistence::Database;
using kkr::persistence::DatabaseConfig;

TEST(Database, PingAnswersThroughTheHealthCheck) {
  auto database = kkr::testing::openTestDatabase(1);
  kkr::persistence::PgHealthCheck health(*database);
  auto status = health.ping();
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
  // Terminate the pool's only connection from outside, as a server restart would.
  kkr::testing::execSql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = current_database() AND application_name = 'kkr-register'");
  auto first = database->ping();
  if (!first) {
    EXPECT_EQ(first.error().code, ErrorCode::Unavailable) << first.error().detail;
  }
  auto second = database->ping();
  EXPECT_TRUE(second) << "the broken connection was reconnected";
}

}  // namespace
