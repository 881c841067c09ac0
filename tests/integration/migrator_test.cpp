#include "kkr/persistence/migrator.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "kkr/persistence/database.hpp"
#include "support/pg_fixture.hpp"

namespace {

using kkr::domain::ErrorCode;
using kkr::persistence::migrate;
using kkr::persistence::openSession;
using kkr::testing::ScratchDatabase;

long long count(soci::session& sql, const std::string& query) {
  long long n = 0;
  sql << query, soci::into(n);
  return n;
}

TEST(Migrator, AppliesEveryMigrationOnceAndRecordsIt) {
  ScratchDatabase db;
  auto applied = migrate(db.url());
  ASSERT_TRUE(applied) << applied.error().detail;
  EXPECT_GE(*applied, 1);

  auto sql = openSession(db.url());
  EXPECT_EQ(count(*sql, "SELECT count(*) FROM schema_migrations"), *applied);
  std::string name;
  std::string checksum;
  soci::indicator appliedAt = soci::i_null;
  std::string at;
  *sql << "SELECT name, checksum, kkr_ts(applied_at) FROM schema_migrations WHERE version = 1",
      soci::into(name), soci::into(checksum), soci::into(at, appliedAt);
  EXPECT_EQ(name, "V001__register.sql");
  EXPECT_EQ(checksum.size(), 64u) << "a hex SHA-256";
  EXPECT_EQ(appliedAt, soci::i_ok);
  // The schema is really there.
  EXPECT_EQ(count(*sql,
                  "SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                  "('kommune', 'period', 'person', 'kkr_member', 'regional_forum', "
                  "'appointment', 'change_log', 'api_key', 'idempotency_key')"),
            9);
}

TEST(Migrator, SecondRunAppliesNothing) {
  ScratchDatabase db;
  auto first = migrate(db.url());
  ASSERT_TRUE(first) << first.error().detail;
  auto second = migrate(db.url());
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_EQ(*second, 0);
  auto sql = openSession(db.url());
  EXPECT_EQ(count(*sql, "SELECT count(*) FROM schema_migrations"), *first);
}

TEST(Migrator, ConcurrentRunsOnAFreshDatabaseApplyEachMigrationOnce) {
  ScratchDatabase db;
  constexpr int kRunners = 3;
  std::vector<kkr::domain::Result<int>> results(kRunners, kkr::domain::Result<int>(0));
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRunners; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kRunners) std::this_thread::yield();
      results[i] = migrate(db.url());
    });
  }
  for (auto& t : threads) t.join();

  int total = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().detail;
    total += *r;
  }
  auto sql = openSession(db.url());
  const long long recorded = count(*sql, "SELECT count(*) FROM schema_migrations");
  EXPECT_GE(recorded, 1);
  EXPECT_EQ(total, recorded) << "every migration applied by exactly one runner";
  EXPECT_EQ(count(*sql, "SELECT count(*) FROM pg_trigger WHERE tgname = 'kommune_change'"), 1);
}

TEST(Migrator, AMigrationChangedAfterItWasAppliedIsAnError) {
  ScratchDatabase db;
  ASSERT_TRUE(migrate(db.url()));
  {
    auto sql = openSession(db.url());
    *sql << "UPDATE schema_migrations SET checksum = 'not-the-real-checksum' WHERE version = 1";
  }
  auto again = migrate(db.url());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::Internal);
  EXPECT_NE(again.error().detail.find("V001__register.sql"), std::string::npos)
      << again.error().detail;
  EXPECT_NE(again.error().detail.find("not-the-real-checksum"), std::string::npos)
      << again.error().detail;
}

TEST(Migrator, AFailingMigrationLeavesNothingBehind) {
  // A database where V001's objects partly exist already: applying V001 fails part-way, and the
  // transaction leaves neither its other objects nor a schema_migrations row.
  ScratchDatabase db;
  {
    auto sql = openSession(db.url());
    *sql << "CREATE TABLE appointment (id int)";
  }
  auto applied = migrate(db.url());
  ASSERT_FALSE(applied);
  EXPECT_NE(applied.error().detail.find("V001__register.sql"), std::string::npos)
      << applied.error().detail;
  auto sql = openSession(db.url());
  EXPECT_EQ(count(*sql, "SELECT count(*) FROM schema_migrations"), 0);
  EXPECT_EQ(count(*sql,
                  "SELECT count(*) FROM information_schema.tables "
                  "WHERE table_name IN ('kommune', 'change_log')"),
            0);
}

TEST(Migrator, AnUnreachableServerIsUnavailable) {
  auto applied = migrate("postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2");
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, ErrorCode::Unavailable);
}

}  // namespace
