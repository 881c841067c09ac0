// The prepared statements of a pooled connection, on a real PostgreSQL: prepared once, reused,
// still usable after a failed execution, and gone with a connection that is replaced.

#include "kkr/persistence/statement_cache.hpp"

#include <gtest/gtest.h>

#include <string>

#include "kkr/persistence/database.hpp"
#include "support/pg_fixture.hpp"

namespace {

using kkr::domain::Result;
using kkr::persistence::Connection;
using kkr::persistence::SqlParam;

/// a + b as text; no row when the sum is zero or less, a NULL column when either is NULL.
const std::string kEcho =
    "SELECT CAST(s AS text) FROM (SELECT CAST(:a AS int) + CAST(:b AS int) AS s) AS sum "
    "WHERE s IS NULL OR s > 0";

/// Statements the server holds prepared for the connection that runs this.
long long preparedOnServer(soci::session& sql) {
  long long count = 0;
  sql << "SELECT count(*) FROM pg_prepared_statements", soci::into(count);
  return count;
}

TEST(StatementCache, PreparesAStatementOnceAndReusesIt) {
  auto database = kkr::testing::openTestDatabase(1);
  auto run = database->withConnection<std::string>([](Connection& c) -> Result<std::string> {
    const auto before = preparedOnServer(c.sql);
    auto first = c.statements.queryText(kEcho, {"2", "3"});
    auto second = c.statements.queryText(kEcho, {"40", "2"});
    EXPECT_EQ(c.statements.size(), 1u);
    EXPECT_EQ(preparedOnServer(c.sql), before + 1);
    return first.value_or("none") + " " + second.value_or("none");
  });
  ASSERT_TRUE(run) << run.error().detail;
  EXPECT_EQ(*run, "5 42");
}

TEST(StatementCache, NoRowAndANullColumnAreBothNothing) {
  auto database = kkr::testing::openTestDatabase(1);
  auto run = database->withConnection<int>([](Connection& c) -> Result<int> {
    EXPECT_FALSE(c.statements.queryText(kEcho, {"-5", "3"}));        // the WHERE leaves no row
    EXPECT_FALSE(c.statements.queryText(kEcho, {"1", SqlParam{}}));  // 1 + NULL is NULL
    EXPECT_EQ(c.statements.queryText(kEcho, {"1", "1"}), "2");
    return 0;
  });
  ASSERT_TRUE(run) << run.error().detail;
}

TEST(StatementCache, AStatementThatFailedIsDroppedAndPreparedAgain) {
  auto database = kkr::testing::openTestDatabase(1);
  const std::string divide = "SELECT CAST(10 / CAST(:d AS int) AS text)";
  auto failed = database->withConnection<int>([&](Connection& c) -> Result<int> {
    (void)c.statements.queryText(divide, {"0"});  // division by zero: 22012
    return 0;
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, kkr::domain::ErrorCode::Validation) << failed.error().detail;
  auto next = database->withConnection<std::string>([&](Connection& c) -> Result<std::string> {
    EXPECT_EQ(c.statements.size(), 0u);     // dropped after its failure, freed (LeakSanitizer)
    EXPECT_EQ(preparedOnServer(c.sql), 0);  // and deallocated on the server
    return c.statements.queryText(divide, {"5"}).value_or("none");
  });
  ASSERT_TRUE(next) << next.error().detail;
  EXPECT_EQ(*next, "2");
}

TEST(StatementCache, AReplacedConnectionPreparesItsStatementsAfresh) {
  auto database = kkr::testing::openTestDatabase(1);
  auto prepare = database->withConnection<int>([](Connection& c) -> Result<int> {
    (void)c.statements.queryText(kEcho, {"1", "2"});
    return static_cast<int>(c.statements.size());
  });
  ASSERT_TRUE(prepare);
  ASSERT_EQ(*prepare, 1);
  // The server ends the pool's only connection, as a restart would; the pool replaces it.
  kkr::testing::terminatePooledConnections();
  auto after = database->withConnection<std::string>([](Connection& c) -> Result<std::string> {
    EXPECT_EQ(c.statements.size(), 0u);  // the old connection's statements went with it
    auto sum = c.statements.queryText(kEcho, {"2", "2"});
    EXPECT_EQ(preparedOnServer(c.sql), 1);
    return sum.value_or("none");
  });
  ASSERT_TRUE(after) << after.error().detail;
  EXPECT_EQ(*after, "4");
}

}  // namespace
