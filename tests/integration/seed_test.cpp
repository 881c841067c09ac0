#include "kkr/persistence/seed.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "register_rows.hpp"
#include "support/pg_fixture.hpp"

namespace {

using kkr::domain::ErrorCode;
using kkr::persistence::SeedCounts;
using kkr::persistence::seedReferenceData;
using kkr::testing::queryInt;
using kkr::testing::testDatabaseUrl;

std::string text(soci::session& sql, const std::string& query) {
  std::string value;
  soci::indicator ind = soci::i_ok;
  sql << query, soci::into(value, ind);
  return ind == soci::i_null ? "<null>" : value;
}

class Seed : public ::testing::Test {
 protected:
  void SetUp() override {
    kkr::testing::resetDatabase();
    sql = kkr::testing::adminSession();
  }
  std::unique_ptr<soci::session> sql;
};

TEST_F(Seed, LoadsTheKkrNordjyllandReferenceData) {
  auto report = seedReferenceData(testDatabaseUrl());
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_EQ(report->kommuner, (SeedCounts{11, 0, 0, 0}));
  EXPECT_EQ(report->periods, (SeedCounts{2, 0, 0, 0}));
  EXPECT_EQ(report->persons, (SeedCounts{2, 0, 0, 0}));
  EXPECT_EQ(report->members, (SeedCounts{2, 0, 0, 0}));
  EXPECT_EQ(report->forums, (SeedCounts{7, 0, 0, 0}));
  EXPECT_EQ(report->summary().rfind("24 inserted, 0 updated, 0 unchanged, 0 skipped", 0), 0u)
      << report->summary();

  EXPECT_EQ(queryInt("SELECT count(*) FROM kommune WHERE region_code = '1081'"), 11);
  EXPECT_EQ(text(*sql, "SELECT name FROM kommune WHERE code = '0851'"), "Aalborg");
  EXPECT_EQ(text(*sql, "SELECT name FROM kommune WHERE code = '0825'"), "Læsø");

  EXPECT_EQ(text(*sql, "SELECT start_date || ' ' || end_date FROM period WHERE id = '2022-2026'"),
            "2022-01-01 2025-12-31");
  EXPECT_EQ(text(*sql,
                 "SELECT start_date || ' ' || coalesce(end_date::text, 'open') FROM period "
                 "WHERE id = '2026-2030'"),
            "2026-01-01 open");

  EXPECT_EQ(text(*sql,
                 "SELECT array_to_json(other_names)::text || party || kommune_code || office "
                 "FROM person WHERE name = 'Thomas Kastrup-Larsen'"),
            "[\"Thomas Kastrup Larsen\"]A0851mayor");
  EXPECT_EQ(text(*sql,
                 "SELECT array_to_json(other_names)::text || party || kommune_code || office "
                 "FROM person WHERE name = 'Mogens Gade'"),
            "[]V0849mayor");

  EXPECT_EQ(text(*sql,
                 "SELECT string_agg(p.name || ':' || m.role || ':' || m.seat_basis || ':' || "
                 "m.period_id || ':' || m.start_date || ':' || m.end_date || ':' || "
                 "m.source, '|' ORDER BY m.role) "
                 "FROM kkr_member m JOIN person p ON p.id = m.person_id"),
            "Thomas Kastrup-Larsen:chair:mayor:2022-2026:2022-01-01:2025-12-31:KKR Nordjylland "
            "page on kl.dk|Mogens Gade:vice_chair:mayor:2022-2026:2022-01-01:2025-12-31:KKR "
            "Nordjylland page on kl.dk");

  EXPECT_EQ(queryInt("SELECT count(*) FROM regional_forum"), 7);
  EXPECT_EQ(queryInt("SELECT count(*) FROM regional_forum WHERE name LIKE '%BRN%'"), 0)
      << "BRN has no confirmed KKR action and is left out";
  EXPECT_EQ(queryInt("SELECT seats FROM regional_forum WHERE name LIKE '%RAR Nordjylland%'"), 5);
  EXPECT_EQ(queryInt("SELECT count(*) FROM regional_forum WHERE seats IS NULL"), 6)
      << "unconfirmed seat counts stay unknown";
  EXPECT_EQ(queryInt("SELECT count(*) FROM regional_forum WHERE source IS NULL"), 0);
  EXPECT_EQ(queryInt("SELECT count(*) FROM regional_forum WHERE dissolved_on IS NOT NULL"), 0);
  EXPECT_EQ(text(*sql, "SELECT note FROM regional_forum WHERE name LIKE 'Sundhedssamarbejds%'"),
            "Dissolution: the 2024 health reform (L 214) abolishes SSUs; 17 health councils "
            "(sundhedsråd) from 2027");
  EXPECT_EQ(text(*sql,
                 "SELECT kind || ' ' || kkr_action FROM regional_forum "
                 "WHERE name = 'Nordjysk Lånefond'"),
            "agreement appoints");

  // Every change is attributed to the seed.
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), 24);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE actor = 'system:seed'"), 24);
}

TEST_F(Seed, ASecondRunChangesNothing) {
  ASSERT_TRUE(seedReferenceData(testDatabaseUrl()));
  const auto changes = queryInt("SELECT count(*) FROM change_log");
  const auto versions = queryInt(
      "SELECT (SELECT sum(version) FROM kommune) + (SELECT sum(version) FROM period) + "
      "(SELECT sum(version) FROM person) + (SELECT sum(version) FROM kkr_member) + "
      "(SELECT sum(version) FROM regional_forum)");

  auto again = seedReferenceData(testDatabaseUrl());
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_EQ(again->total(), (SeedCounts{0, 0, 24, 0})) << again->summary();
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), changes);
  EXPECT_EQ(queryInt("SELECT (SELECT sum(version) FROM kommune) + (SELECT sum(version) FROM "
                     "period) + (SELECT sum(version) FROM person) + (SELECT sum(version) FROM "
                     "kkr_member) + (SELECT sum(version) FROM regional_forum)"),
            versions);
}

TEST_F(Seed, TwoSeedsAtOnceInsertEverythingOnce) {
  kkr::domain::Result<kkr::persistence::SeedReport> first = kkr::domain::Error::internal("unset");
  kkr::domain::Result<kkr::persistence::SeedReport> second = first;
  std::thread a([&] { first = seedReferenceData(testDatabaseUrl()); });
  std::thread b([&] { second = seedReferenceData(testDatabaseUrl()); });
  a.join();
  b.join();
  ASSERT_TRUE(first) << first.error().detail;
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_EQ(first->total().inserted + second->total().inserted, 24);
  EXPECT_EQ(queryInt("SELECT count(*) FROM person"), 2);
  EXPECT_EQ(queryInt("SELECT count(*) FROM kkr_member"), 2);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), 24);
}

TEST_F(Seed, ThroughADatabasePoolToo) {
  auto database = kkr::testing::openTestDatabase(1);
  auto report = seedReferenceData(*database);
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_EQ(report->total().inserted, 24);
}

TEST_F(Seed, NeverOverwritesStoredValuesButFillsInUnknownOnes) {
  ASSERT_TRUE(seedReferenceData(testDatabaseUrl()));
  // An editor corrects a placeholder date and ends a seat early (synthetic dates), and a note
  // got lost.
  *sql << "UPDATE period SET start_date = '2022-01-13' WHERE id = '2022-2026'";
  *sql << "UPDATE kkr_member SET end_date = '2024-06-30' WHERE role = 'vice_chair'";
  *sql << "UPDATE regional_forum SET note = NULL WHERE name LIKE 'Sundhedssamarbejds%'";
  const auto changes = queryInt("SELECT count(*) FROM change_log");

  auto report = seedReferenceData(testDatabaseUrl());
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_EQ(report->periods, (SeedCounts{0, 0, 2, 0}));
  EXPECT_EQ(report->members, (SeedCounts{0, 0, 2, 0}));
  EXPECT_EQ(report->forums, (SeedCounts{0, 1, 6, 0}));
  EXPECT_EQ(text(*sql, "SELECT start_date::text FROM period WHERE id = '2022-2026'"), "2022-01-13");
  EXPECT_EQ(text(*sql, "SELECT end_date::text FROM kkr_member WHERE role = 'vice_chair'"),
            "2024-06-30");
  EXPECT_NE(text(*sql, "SELECT note FROM regional_forum WHERE name LIKE 'Sundhedssamarbejds%'"),
            "<null>");
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), changes + 1);
  EXPECT_EQ(text(*sql, "SELECT actor FROM change_log ORDER BY id DESC LIMIT 1"), "system:seed");
}

TEST_F(Seed, DoesNotRecreateWhatAnEditorDeleted) {
  ASSERT_TRUE(seedReferenceData(testDatabaseUrl()));
  *sql << "DELETE FROM regional_forum WHERE name = 'Nordjysk Lånefond'";
  auto report = seedReferenceData(testDatabaseUrl());
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_EQ(report->forums, (SeedCounts{0, 0, 6, 1}));
  EXPECT_EQ(queryInt("SELECT count(*) FROM regional_forum WHERE name = 'Nordjysk Lånefond'"), 0);
}

TEST_F(Seed, FindsAPersonWhoseNameWasCorrected) {
  ASSERT_TRUE(seedReferenceData(testDatabaseUrl()));
  // An editor switches the main spelling to the one kept in other_names.
  *sql << "UPDATE person SET name = 'Thomas Kastrup Larsen' WHERE name = 'Thomas Kastrup-Larsen'";
  auto report = seedReferenceData(testDatabaseUrl());
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_EQ(report->persons, (SeedCounts{0, 0, 2, 0}));
  EXPECT_EQ(report->members, (SeedCounts{0, 0, 2, 0}));
  EXPECT_EQ(queryInt("SELECT count(*) FROM person"), 2);
}

TEST_F(Seed, AClashWithStoredDataFailsAndWritesNothing) {
  // Another (synthetic) chair of KKR is already recorded for the same dates.
  using namespace kkr::integration;
  insertKommune(*sql, "9901", "Testkommune Nord");
  insertPeriod(*sql, "2022-2026", "2022-01-01", "2025-12-31");
  const long long chair = insertPerson(*sql, "Testperson Formand", "9901");
  *sql << "INSERT INTO kkr_member (person_id, period_id, role, seat_basis, start_date) "
          "VALUES (:p, '2022-2026', 'chair', 'mayor', '2022-01-01')",
      soci::use(chair);
  const auto changes = queryInt("SELECT count(*) FROM change_log");

  auto report = seedReferenceData(testDatabaseUrl());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::Conflict);
  EXPECT_NE(report.error().detail.find("member Thomas Kastrup-Larsen 2022-2026"), std::string::npos)
      << report.error().detail;
  EXPECT_EQ(queryInt("SELECT count(*) FROM kommune"), 1) << "the seed's transaction rolled back";
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), changes);
}

TEST_F(Seed, RejectsMalformedReferenceDataWithAPointer) {
  auto bad = seedReferenceData(testDatabaseUrl(),
                               R"({"region": {"code": "1081"}, "kommuner": [{"code": "851", )"
                               R"("name": "Testkommune"}], "periods": [], "persons": [], )"
                               R"("members": [], "forums": []})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::Validation);
  ASSERT_EQ(bad.error().fields.size(), 1u);
  EXPECT_EQ(bad.error().fields[0].pointer, "/kommuner/0/code");

  auto notJson = seedReferenceData(testDatabaseUrl(), "{");
  ASSERT_FALSE(notJson);
  EXPECT_EQ(notJson.error().code, ErrorCode::Malformed);

  auto unknownKind = seedReferenceData(
      testDatabaseUrl(),
      R"({"region": {"code": "1081"}, "kommuner": [], "periods": [], "persons": [], )"
      R"("members": [], "forums": [{"name": "Testforum", "kind": "other", )"
      R"("kkr_action": "appoints"}]})");
  ASSERT_FALSE(unknownKind);
  ASSERT_EQ(unknownKind.error().fields.size(), 1u);
  EXPECT_EQ(unknownKind.error().fields[0].pointer, "/forums/0/kind");
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), 0);
}

TEST_F(Seed, TheCompiledInDataIsTheRepositoryFile) {
  EXPECT_NE(kkr::persistence::referenceData().find("\"kommuner\""), std::string_view::npos);
  EXPECT_NE(kkr::persistence::referenceData().find("Brønderslev"), std::string_view::npos);
}

}  // namespace
