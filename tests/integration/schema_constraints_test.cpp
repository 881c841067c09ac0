// The schema's own rules, checked directly in SQL: they hold whatever path writes to the tables.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "register_rows.hpp"
#include "support/pg_fixture.hpp"

namespace {

using namespace kkr::integration;

constexpr const char* kExclusion = "23P01";
constexpr const char* kCheck = "23514";
constexpr const char* kForeignKey = "23503";

class SchemaConstraints : public ::testing::Test {
 protected:
  void SetUp() override {
    kkr::testing::resetDatabase();
    sql = kkr::testing::adminSession();
    insertKommune(*sql, "9901", "Testkommune Nord");
    insertPeriod(*sql, "2022-2026", "2022-01-01", "2025-12-31");
    alice = insertPerson(*sql, "Testperson Alfa", "9901");
    bob = insertPerson(*sql, "Testperson Beta", "9901");
    forum = insertForum(*sql, "Testforum Alfa");
  }

  std::unique_ptr<soci::session> sql;
  long long alice = 0;
  long long bob = 0;
  long long forum = 0;
};

TEST_F(SchemaConstraints, RejectsOverlappingAppointmentsOfOnePersonInOneForum) {
  insertAppointment(*sql, forum, alice, "member", "appointed", "2022-01-01", "2023-12-31");
  EXPECT_EQ(sqlstateOf([&] {
              insertAppointment(*sql, forum, alice, "alternate", "appointed", "2023-12-31");
            }),
            kExclusion)
      << "sharing the last day is an overlap (dates are inclusive)";
  EXPECT_EQ(sqlstateOf([&] {
              insertAppointment(*sql, forum, alice, "member", "nominated", "2022-06-01",
                                "2022-07-01");
            }),
            kExclusion);
  // The next day, another person, or another forum are all fine.
  EXPECT_EQ(sqlstateOf([&] {
              insertAppointment(*sql, forum, alice, "member", "appointed", "2024-01-01");
            }),
            "");
  EXPECT_EQ(
      sqlstateOf([&] { insertAppointment(*sql, forum, bob, "member", "appointed", "2022-01-01"); }),
      "");
  const long long other = insertForum(*sql, "Testforum Beta");
  EXPECT_EQ(sqlstateOf([&] {
              insertAppointment(*sql, other, alice, "member", "appointed", "2022-01-01");
            }),
            "");
}

TEST_F(SchemaConstraints, RejectsTwoChairsOfAForumAtOnce) {
  insertAppointment(*sql, forum, alice, "chair", "appointed", "2022-01-01", "2023-12-31");
  EXPECT_EQ(
      sqlstateOf([&] { insertAppointment(*sql, forum, bob, "chair", "appointed", "2023-06-01"); }),
      kExclusion);
  // A nominee is not yet seated, and a chair after the first one's term is fine.
  EXPECT_EQ(sqlstateOf([&] {
              insertAppointment(*sql, forum, bob, "chair", "nominated", "2023-06-01", "2023-12-31");
            }),
            "");
  const long long carol = insertPerson(*sql, "Testperson Gamma", "9901");
  EXPECT_EQ(sqlstateOf(
                [&] { insertAppointment(*sql, forum, carol, "chair", "appointed", "2024-01-01"); }),
            "");
  // Vice chairs are limited separately.
  insertAppointment(*sql, forum, alice, "vice_chair", "appointed", "2024-01-01");
  const long long dan = insertPerson(*sql, "Testperson Delta", "9901");
  EXPECT_EQ(sqlstateOf([&] {
              insertAppointment(*sql, forum, dan, "vice_chair", "appointed", "2025-01-01");
            }),
            kExclusion);
}

TEST_F(SchemaConstraints, RejectsTwoKkrChairsAtOnce) {
  *sql << "INSERT INTO kkr_member (person_id, period_id, role, seat_basis, start_date) "
          "VALUES (:p, '2022-2026', 'chair', 'mayor', '2022-01-01')",
      soci::use(alice);
  EXPECT_EQ(sqlstateOf([&] {
              *sql << "INSERT INTO kkr_member (person_id, period_id, role, seat_basis, "
                      "start_date) VALUES (:p, '2022-2026', 'chair', 'party', '2023-01-01')",
                  soci::use(bob);
            }),
            kExclusion);
}

TEST_F(SchemaConstraints, RejectsAnEndBeforeTheStart) {
  EXPECT_EQ(sqlstateOf([&] {
              insertAppointment(*sql, forum, alice, "member", "appointed", "2023-01-02",
                                "2023-01-01");
            }),
            kCheck);
  EXPECT_EQ(sqlstateOf([&] { insertPeriod(*sql, "2030-2034", "2030-01-01", "2029-12-31"); }),
            kCheck);
  EXPECT_EQ(sqlstateOf([&] {
              *sql << "INSERT INTO kkr_member (person_id, period_id, role, seat_basis, "
                      "start_date, end_date) VALUES (:p, '2022-2026', 'member', 'mayor', "
                      "'2023-01-02', '2023-01-01')",
                  soci::use(alice);
            }),
            kCheck);
  // The same day is a valid one-day span.
  EXPECT_EQ(sqlstateOf([&] {
              insertAppointment(*sql, forum, alice, "member", "appointed", "2023-01-01",
                                "2023-01-01");
            }),
            "");
}

TEST_F(SchemaConstraints, RejectsAnUnknownKommune) {
  EXPECT_EQ(sqlstateOf([&] { insertPerson(*sql, "Testperson Uden Kommune", "9999"); }),
            kForeignKey);
}

// Since V009 the guards run only when the guarded column changes, although every writer sets
// every column: a change to an unknown kommune or a forbidden status is still refused, and an
// update that keeps them (with the column in its SET list) still passes.
TEST_F(SchemaConstraints, RejectsMovingAPersonToAnUnknownKommune) {
  EXPECT_EQ(sqlstateOf([&] {
              *sql << "UPDATE person SET kommune_code = '9999' WHERE id = :id", soci::use(alice);
            }),
            kForeignKey);
  EXPECT_EQ(sqlstateOf([&] {
              *sql << "UPDATE person SET (name, kommune_code) = ('Testperson Alfa II', '9901') "
                      "WHERE id = :id",
                  soci::use(alice);
            }),
            "");
}

TEST_F(SchemaConstraints, RejectsAForbiddenStatusChangeButNotAnUnchangedStatus) {
  insertAppointment(*sql, forum, alice, "member", "ended", "2023-01-01", "2023-06-30");
  EXPECT_EQ(sqlstateOf([&] { *sql << "UPDATE appointment SET status = 'appointed'"; }), kCheck);
  EXPECT_EQ(sqlstateOf([&] { *sql << "UPDATE appointment SET (status, note) = ('ended', 'x')"; }),
            "");
}

TEST_F(SchemaConstraints, RejectsAnEndedAppointmentWithoutEndDate) {
  EXPECT_EQ(
      sqlstateOf([&] { insertAppointment(*sql, forum, alice, "member", "ended", "2023-01-01"); }),
      kCheck);
}

}  // namespace

// Timestamps leave the database as RFC 3339 UTC with six fraction digits, whatever the session's
// time zone; since V010 kkr_ts() is inlined where it is called (no SQL function call per
// timestamp), and a row's JSON takes its timestamps from the row itself.
TEST_F(SchemaConstraints, FormatsTimestampsAsUtcWithMicrosecondsInline) {
  *sql << "SET TIME ZONE 'Europe/Copenhagen'";
  std::string formatted;
  *sql << "SELECT kkr_ts('2026-03-29 03:04:05.000007+02')", soci::into(formatted);
  EXPECT_EQ(formatted, "2026-03-29T01:04:05.000007Z");
  *sql << "SELECT kkr_ts('2026-01-02 00:00:00+01')", soci::into(formatted);
  EXPECT_EQ(formatted, "2026-01-01T23:00:00.000000Z");

  const std::string plan = kkr::testing::planText(
      *sql, "EXPLAIN (VERBOSE, COSTS OFF) SELECT kkr_ts(created_at) FROM person");
  EXPECT_NE(plan.find("to_char"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("kkr_ts"), std::string::npos) << "not inlined: " << plan;

  std::string jsonStamps;
  std::string columnStamps;
  *sql << "SELECT (kkr_row_json(p) ->> 'created_at') || ' ' || (kkr_row_json(p) ->> 'updated_at'), "
          "kkr_ts(created_at) || ' ' || kkr_ts(updated_at) FROM person p WHERE id = :id",
      soci::use(alice), soci::into(jsonStamps), soci::into(columnStamps);
  EXPECT_EQ(jsonStamps, columnStamps);
  EXPECT_EQ(jsonStamps.size(), 2 * std::string("2026-01-01T23:00:00.000000Z").size() + 1);
}
