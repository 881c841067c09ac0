#include "kkr/persistence/snapshot_source.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "feed_page_sql.hpp"
#include "kkr/domain/date.hpp"
#include "register_rows.hpp"
#include "support/pg_fixture.hpp"

namespace {

using namespace kkr::domain;
using namespace kkr::integration;
using kkr::persistence::PgSnapshotSource;

Date d(const char* text) { return *parseDate(text); }

std::string ts(soci::session& sql, const std::string& table, const std::string& key,
               const char* column) {
  std::string value;
  sql << "SELECT kkr_ts(" + std::string(column) + ") FROM " + table + " WHERE " + key,
      soci::into(value);
  return value;
}

class SnapshotSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kkr::testing::resetDatabase();
    sql = kkr::testing::adminSession();
    database = kkr::testing::openTestDatabase();
    source = std::make_unique<PgSnapshotSource>(*database);
  }
  std::unique_ptr<soci::session> sql;
  std::unique_ptr<kkr::persistence::Database> database;
  std::unique_ptr<PgSnapshotSource> source;
};

TEST_F(SnapshotSourceTest, AnEmptyRegisterLoadsEmptyAtSeqZero) {
  auto snapshot = source->loadSnapshot();
  ASSERT_TRUE(snapshot) << snapshot.error().detail;
  EXPECT_EQ(snapshot->seq(), 0);
  EXPECT_TRUE(snapshot->kommuner().empty());
  EXPECT_TRUE(snapshot->appointments().empty());
  auto page = source->changesAfter(0, 10, {});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->published, 0);
  EXPECT_TRUE(page->rows.empty());
}

TEST_F(SnapshotSourceTest, LoadsEveryFieldExactlyAsStored) {
  // Every nullable column once with a value and once NULL; names with commas, quotes, æøå.
  *sql << "INSERT INTO kommune (code, name, region_code) VALUES "
          "('9901', 'Testkommune Æbeltoft', '1081'), ('9902', 'Testkommune Ørsted', '1081')";
  *sql << "INSERT INTO period (id, start_date, end_date) VALUES "
          "('2022-2026', '2022-01-01', '2025-12-31'), ('2026-2030', '2026-01-01', NULL)";
  *sql << "INSERT INTO person (id, name, other_names, party, kommune_code, office, email, phone) "
          "VALUES (1, 'Testperson Åse Ærø', ARRAY['Ærø, Åse', 'Åse \"Test\" Ærø', 'x''y'], 'Ø', "
          "'9901', 'deputy_mayor', 'test@example.invalid', '+45 00 00 00 00'), "
          "(2, 'Testperson Bo', '{}', NULL, '9902', NULL, NULL, NULL)";
  *sql << "INSERT INTO kkr_member (id, person_id, period_id, role, seat_basis, substitute_id, "
          "start_date, end_date, source) VALUES "
          "(1, 1, '2022-2026', 'vice_chair', 'party', 2, '2022-01-01', '2024-06-30', "
          "'Testkilde'), (2, 2, '2026-2030', 'member', 'mayor', NULL, '2026-01-01', NULL, NULL)";
  *sql << "INSERT INTO regional_forum (id, name, kind, legal_basis, kkr_action, seats, "
          "founded_on, dissolved_on, successor_id, description, website, source, note) VALUES "
          "(2, 'Testforum Efterfølger', 'agreement', NULL, 'nominates', NULL, NULL, NULL, NULL, "
          "NULL, NULL, NULL, NULL), "
          "(1, 'Testforum Alfa', 'statutory', 'Testlov § 1', 'appoints', 3, '2020-01-01', "
          "'2026-12-31', 2, 'Beskrivelse', 'https://example.invalid/forum', 'Testkilde', "
          "'Testnote')";
  *sql << "INSERT INTO appointment (id, forum_id, person_id, period_id, role, status, "
          "substitute_for_id, start_date, end_date, decision_ref, source, note) VALUES "
          "(1, 1, 2, '2022-2026', 'member', 'ended', NULL, '2022-02-01', '2023-01-31', "
          "'KKR-møde 1. februar 2022', 'Testkilde', 'Testnote'), "
          "(2, 1, 1, '2022-2026', 'alternate', 'nominated', 1, '2022-02-01', NULL, NULL, NULL, "
          "NULL)";
  *sql << "UPDATE regional_forum SET seats = 4 WHERE id = 1";  // version 2

  // 2 + 2 + 2 + 2 + 2 + 2 creates and one update.
  ASSERT_EQ(publishUntil(*sql, 13), 13);
  auto loaded = source->loadSnapshot();
  ASSERT_TRUE(loaded) << loaded.error().detail;
  const auto& s = *loaded;
  EXPECT_EQ(s.seq(), 13);

  ASSERT_EQ(s.kommuner().size(), 2u);
  const auto* k = s.kommune("9901");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->name, "Testkommune Æbeltoft");
  EXPECT_EQ(k->region_code, "1081");
  EXPECT_EQ(k->meta.version, 1);
  EXPECT_EQ(k->meta.created_at, ts(*sql, "kommune", "code = '9901'", "created_at"));
  EXPECT_EQ(k->meta.updated_at, ts(*sql, "kommune", "code = '9901'", "updated_at"));

  ASSERT_EQ(s.periods().size(), 2u);
  EXPECT_EQ(s.period("2022-2026")->start_date, d("2022-01-01"));
  EXPECT_EQ(s.period("2022-2026")->end_date, d("2025-12-31"));
  EXPECT_EQ(s.period("2026-2030")->end_date, std::nullopt);

  const auto* p1 = s.person(1);
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->name, "Testperson Åse Ærø");
  EXPECT_EQ(p1->other_names, (std::vector<std::string>{"Ærø, Åse", "Åse \"Test\" Ærø", "x'y"}));
  EXPECT_EQ(p1->party, "Ø");
  EXPECT_EQ(p1->kommune_code, "9901");
  EXPECT_EQ(p1->office, Office::DeputyMayor);
  EXPECT_EQ(p1->contact.email, "test@example.invalid");
  EXPECT_EQ(p1->contact.phone, "+45 00 00 00 00");
  const auto* p2 = s.person(2);
  ASSERT_NE(p2, nullptr);
  EXPECT_TRUE(p2->other_names.empty());
  EXPECT_EQ(p2->party, std::nullopt);
  EXPECT_EQ(p2->office, std::nullopt);
  EXPECT_EQ(p2->contact.email, std::nullopt);
  EXPECT_EQ(p2->contact.phone, std::nullopt);

  const auto* m1 = s.member(1);
  ASSERT_NE(m1, nullptr);
  EXPECT_EQ(m1->person_id, 1);
  EXPECT_EQ(m1->period_id, "2022-2026");
  EXPECT_EQ(m1->role, MemberRole::ViceChair);
  EXPECT_EQ(m1->seat_basis, SeatBasis::Party);
  EXPECT_EQ(m1->substitute_id, 2);
  EXPECT_EQ(m1->start_date, d("2022-01-01"));
  EXPECT_EQ(m1->end_date, d("2024-06-30"));
  EXPECT_EQ(m1->source, "Testkilde");
  const auto* m2 = s.member(2);
  ASSERT_NE(m2, nullptr);
  EXPECT_EQ(m2->role, MemberRole::Member);
  EXPECT_EQ(m2->seat_basis, SeatBasis::Mayor);
  EXPECT_EQ(m2->substitute_id, std::nullopt);
  EXPECT_EQ(m2->end_date, std::nullopt);
  EXPECT_EQ(m2->source, std::nullopt);

  const auto* f1 = s.forum(1);
  ASSERT_NE(f1, nullptr);
  EXPECT_EQ(f1->name, "Testforum Alfa");
  EXPECT_EQ(f1->kind, ForumKind::Statutory);
  EXPECT_EQ(f1->legal_basis, "Testlov § 1");
  EXPECT_EQ(f1->kkr_action, KkrAction::Appoints);
  EXPECT_EQ(f1->seats, 4);
  EXPECT_EQ(f1->founded_on, d("2020-01-01"));
  EXPECT_EQ(f1->dissolved_on, d("2026-12-31"));
  EXPECT_EQ(f1->successor_id, 2);
  EXPECT_EQ(f1->description, "Beskrivelse");
  EXPECT_EQ(f1->website, "https://example.invalid/forum");
  EXPECT_EQ(f1->source, "Testkilde");
  EXPECT_EQ(f1->note, "Testnote");
  EXPECT_EQ(f1->meta.version, 2);
  EXPECT_EQ(f1->meta.updated_at, ts(*sql, "regional_forum", "id = 1", "updated_at"));
  EXPECT_NE(f1->meta.updated_at, f1->meta.created_at);
  const auto* f2 = s.forum(2);
  ASSERT_NE(f2, nullptr);
  EXPECT_EQ(f2->kind, ForumKind::Agreement);
  EXPECT_EQ(f2->kkr_action, KkrAction::Nominates);
  EXPECT_EQ(f2->seats, std::nullopt);
  EXPECT_EQ(f2->legal_basis, std::nullopt);
  EXPECT_EQ(f2->founded_on, std::nullopt);
  EXPECT_EQ(f2->dissolved_on, std::nullopt);
  EXPECT_EQ(f2->successor_id, std::nullopt);
  EXPECT_EQ(f2->description, std::nullopt);
  EXPECT_EQ(f2->website, std::nullopt);
  EXPECT_EQ(f2->source, std::nullopt);
  EXPECT_EQ(f2->note, std::nullopt);

  const auto* a1 = s.appointment(1);
  ASSERT_NE(a1, nullptr);
  EXPECT_EQ(a1->forum_id, 1);
  EXPECT_EQ(a1->person_id, 2);
  EXPECT_EQ(a1->period_id, "2022-2026");
  EXPECT_EQ(a1->role, AppointmentRole::Member);
  EXPECT_EQ(a1->status, AppointmentStatus::Ended);
  EXPECT_EQ(a1->substitute_for_id, std::nullopt);
  EXPECT_EQ(a1->start_date, d("2022-02-01"));
  EXPECT_EQ(a1->end_date, d("2023-01-31"));
  EXPECT_EQ(a1->decision_ref, "KKR-møde 1. februar 2022");
  EXPECT_EQ(a1->source, "Testkilde");
  EXPECT_EQ(a1->note, "Testnote");
  const auto* a2 = s.appointment(2);
  ASSERT_NE(a2, nullptr);
  EXPECT_EQ(a2->role, AppointmentRole::Alternate);
  EXPECT_EQ(a2->status, AppointmentStatus::Nominated);
  EXPECT_EQ(a2->substitute_for_id, 1);
  EXPECT_EQ(a2->end_date, std::nullopt);
  EXPECT_EQ(a2->decision_ref, std::nullopt);
  EXPECT_EQ(a2->source, std::nullopt);
  EXPECT_EQ(a2->note, std::nullopt);
}

TEST_F(SnapshotSourceTest, TheFeedFollowsWrites) {
  insertKommune(*sql, "9901", "Testkommune Nord");
  ASSERT_EQ(publishUntil(*sql, 1), 1);
  insertKommune(*sql, "9902", "Testkommune Syd");
  auto page = source->changesAfter(0, 10, {});
  ASSERT_TRUE(page) << page.error().detail;
  EXPECT_LE(page->published, 2);
  ASSERT_EQ(publishUntil(*sql, 2), 2);
  page = source->changesAfter(1, 10, {});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->published, 2);
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].seq, 2);
  EXPECT_EQ(std::get<Kommune>(page->rows[0].write->row).code, "9902");
  auto snapshot = source->loadSnapshot();
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->seq(), 2);
  EXPECT_EQ(snapshot->kommuner().size(), 2u);
}

// However the planner would rather join (here: nested loops made all but forbidden, a generic
// plan), a page reads only its own change rows, each by its primary key; a plain join planned
// under stale statistics hash-joined all of change_row for every page.
TEST_F(SnapshotSourceTest, AFeedPageReadsEachOfItsChangeRowsByKeyWhateverThePlannerPrefers) {
  insertKommune(*sql, "9901", "Testkommune Nord");
  insertKommune(*sql, "9902", "Testkommune Syd");
  ASSERT_EQ(publishUntil(*sql, 2), 2);
  const std::string text =
      kkr::testing::numberedParameters(kkr::persistence::kFeedPageSql, {":after", ":limit"});
  *sql << "SET plan_cache_mode = force_generic_plan";
  *sql << "SET enable_nestloop = off";
  *sql << "SET jit = off";
  *sql << "PREPARE feed_page(text, text) AS " + text;
  const std::string plan = kkr::testing::planText(*sql, "EXPLAIN EXECUTE feed_page('0', '1000')");
  EXPECT_NE(plan.find("Index Scan using change_log_pkey on change_row"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Seq Scan on change_row"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Hash Join"), std::string::npos) << plan;

  // What each row is and its change row's id, never the row's JSON (kFeedRowsSql reads that).
  std::string page;
  *sql << "EXECUTE feed_page('1', '10')", soci::into(page);
  const long long changeId =
      kkr::testing::queryInt("SELECT change_id FROM change_seq WHERE seq = 2");
  EXPECT_EQ(page,
            "2\x1fkommune\x1f"
            "create\x1f"
            "9902\x1f"
            "1\x1f" +
                std::to_string(changeId));

  const std::string rowsText =
      kkr::testing::numberedParameters(kkr::persistence::kFeedRowsSql, {":ids"});
  *sql << "PREPARE feed_rows(text) AS " + rowsText;
  const std::string rowsPlan = kkr::testing::planText(*sql, "EXPLAIN EXECUTE feed_rows('{1,2}')");
  EXPECT_NE(rowsPlan.find("Index Scan using change_log_pkey on change_row"), std::string::npos)
      << rowsPlan;
  EXPECT_EQ(rowsPlan.find("Seq Scan on change_row"), std::string::npos) << rowsPlan;
}

TEST_F(SnapshotSourceTest, RowsTheInstanceHoldsComeWithoutTheirRowExceptRemovals) {
  insertKommune(*sql, "9901", "Testkommune Nord");
  insertKommune(*sql, "9902", "Testkommune Syd");
  *sql << "DELETE FROM kommune WHERE code = '9901'";
  ASSERT_EQ(publishUntil(*sql, 3), 3);
  std::vector<std::string> asked;
  const KnownRow known = [&](std::string_view entity, std::string_view key, std::int64_t version) {
    asked.push_back(std::string(entity) + " " + std::string(key) + " v" + std::to_string(version));
    return key == "9901";  // as if this instance held 9901 (at any version) and not 9902
  };
  auto page = source->changesAfter(0, 10, known);
  ASSERT_TRUE(page) << page.error().detail;
  ASSERT_EQ(page->rows.size(), 3u);
  EXPECT_EQ(page->rows[0].seq, 1);
  EXPECT_FALSE(page->rows[0].write) << "a held row is not read again";
  ASSERT_TRUE(page->rows[1].write);
  EXPECT_EQ(std::get<Kommune>(page->rows[1].write->row).code, "9902");
  ASSERT_TRUE(page->rows[2].write) << "a removal is always read";
  EXPECT_EQ(page->rows[2].write->effect, RowEffect::Removed);
  EXPECT_EQ(asked, (std::vector<std::string>{"kommune 9901 v1", "kommune 9902 v1"}));
}

// Change rows are never deleted by the service; an operator emptying the tables can still
// delete one between the follower's page and the statement that reads its rows. That page fails
// (and only that page): the next catch-up finds the feed without the row and reloads.
TEST_F(SnapshotSourceTest, AChangeRowDeletedBetweenThePageAndItsRowsFailsThatPageOnly) {
  ReadModel model(*source);
  ASSERT_TRUE(model.reload());
  insertKommune(*sql, "9901", "Testkommune Nord");
  ASSERT_EQ(publishUntil(*sql, 1), 1);
  long long changeId = 0;
  *sql << "SELECT change_id FROM change_seq WHERE seq = 1", soci::into(changeId);
  // The source asks what the snapshot holds after the page and before the rows: the deletion
  // goes in there, from another session.
  const KnownRow deleting = [&](std::string_view, std::string_view, std::int64_t) {
    *sql << "DELETE FROM change_row WHERE id = :id", soci::use(changeId);
    return false;
  };
  auto page = source->changesAfter(0, 10, deleting);
  ASSERT_FALSE(page) << "a page whose row is gone was answered";
  EXPECT_EQ(page.error().code, ErrorCode::Internal);

  EXPECT_EQ(model.current()->seq(), 0) << "the model moved on a failed page";
  ASSERT_TRUE(model.catchUp()) << "the catch-up after it did not recover";
  EXPECT_EQ(model.current()->seq(), 1);
  ASSERT_NE(model.current()->kommune("9901"), nullptr) << "the reload missed the stored row";
}

TEST_F(SnapshotSourceTest, WorksWithTheReadModel) {
  ReadModel model(*source);
  ASSERT_TRUE(model.reload());
  EXPECT_EQ(model.current()->seq(), 0);
  insertKommune(*sql, "9901", "Testkommune Nord");
  ASSERT_EQ(publishUntil(*sql, 1), 1);
  ASSERT_TRUE(model.catchUp());
  EXPECT_EQ(model.current()->seq(), 1);
  ASSERT_NE(model.current()->kommune("9901"), nullptr);
}

}  // namespace
