// The prepared statements of a pooled connection, on a real PostgreSQL: prepared once, reused,
// still usable after a failed execution, gone with a connection that is replaced, and planned
// again once old enough to have been planned for smaller tables.

#include "kkr/persistence/statement_cache.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

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

/// The plan the server would run for prepared statement `name` with `argument`, one line each.
std::string planOf(soci::session& sql, const std::string& name, const std::string& argument) {
  // The name is SOCI's own and the argument the test's: neither is input.
  return kkr::testing::planText(sql, "EXPLAIN EXECUTE " + name + "('" + argument + "')");
}

TEST(StatementCache, AStatementOlderThanItsAgeIsPreparedAgainAndTheOldOneDeallocated) {
  using namespace std::chrono_literals;
  auto database = kkr::testing::openTestDatabase(1);
  auto run = database->withConnection<int>([](Connection& c) -> Result<int> {
    kkr::persistence::StatementCache cache(c.sql, 50ms);
    const auto before = preparedOnServer(c.sql);
    EXPECT_EQ(cache.queryText(kEcho, {"1", "2"}), "3");
    const std::string first = kkr::testing::preparedStatementName(c.sql, kEcho, {":a", ":b"});
    EXPECT_EQ(cache.queryText(kEcho, {"2", "2"}), "4");  // young: the same statement
    EXPECT_EQ(kkr::testing::preparedStatementName(c.sql, kEcho, {":a", ":b"}), first);
    std::this_thread::sleep_for(80ms);
    EXPECT_EQ(cache.queryText(kEcho, {"3", "2"}), "5");
    EXPECT_NE(kkr::testing::preparedStatementName(c.sql, kEcho, {":a", ":b"}), first);
    EXPECT_EQ(preparedOnServer(c.sql), before + 1);
    EXPECT_EQ(cache.size(), 1u);
    return 0;
  });
  ASSERT_TRUE(run) << run.error().detail;
}

// What the age is for: a generic plan made while a table was small scans the whole table for a
// few keys, and PostgreSQL keeps it however much the table grows, until an ANALYZE. A statement
// prepared again is planned for the table as it is.
TEST(StatementCache, APlanMadeWhileATableWasSmallIsMadeAgainForTheGrownTable) {
  using namespace std::chrono_literals;
  auto database = kkr::testing::openTestDatabase(1);
  auto run = database->withConnection<int>([](Connection& c) -> Result<int> {
    // A temporary table: no autovacuum analyses it behind the test's back.
    c.sql << "CREATE TEMP TABLE grown (id bigint PRIMARY KEY, v text)";
    c.sql << "INSERT INTO grown SELECT i, 'v' || i FROM generate_series(1, 100) AS i";
    c.sql << "ANALYZE grown";
    c.sql << "SET plan_cache_mode = force_generic_plan";  // what five executions lead to
    const std::string byKeys =
        "SELECT string_agg(v, ',' ORDER BY id) FROM grown WHERE id = ANY (CAST(:ids AS bigint[]))";
    kkr::persistence::StatementCache kept(c.sql, 1h);
    kkr::persistence::StatementCache renewed(c.sql, 100ms);  // its text ends in a space: the
                                                             // two are told apart on the server
    EXPECT_EQ(kept.queryText(byKeys, {"{3,7}"}), "v3,v7");
    EXPECT_EQ(renewed.queryText(byKeys + " ", {"{3,7}"}), "v3,v7");
    const std::string small =
        planOf(c.sql, kkr::testing::preparedStatementName(c.sql, byKeys, {":ids"}), "{3,7}");
    EXPECT_NE(small.find("Seq Scan on grown"), std::string::npos) << small;

    c.sql << "INSERT INTO grown SELECT i, 'v' || i FROM generate_series(101, 100000) AS i";
    std::this_thread::sleep_for(150ms);
    EXPECT_EQ(kept.queryText(byKeys, {"{3,70000}"}), "v3,v70000");
    EXPECT_EQ(renewed.queryText(byKeys + " ", {"{3,70000}"}), "v3,v70000");
    const std::string stale =
        planOf(c.sql, kkr::testing::preparedStatementName(c.sql, byKeys, {":ids"}), "{3,7}");
    const std::string fresh =
        planOf(c.sql, kkr::testing::preparedStatementName(c.sql, byKeys + " ", {":ids"}), "{3,7}");
    EXPECT_NE(stale.find("Seq Scan on grown"), std::string::npos) << stale;
    EXPECT_EQ(fresh.find("Seq Scan"), std::string::npos) << fresh;
    EXPECT_NE(fresh.find("grown_pkey"), std::string::npos) << fresh;
    c.sql << "RESET plan_cache_mode";
    c.sql << "DROP TABLE grown";
    return 0;
  });
  ASSERT_TRUE(run) << run.error().detail;
}

}  // namespace
