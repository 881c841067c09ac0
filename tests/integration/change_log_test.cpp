// The change trigger and kkr_publish_changes(): one change row per real change, attributed, and
// published with gap-free seqs in an order that never skips a transaction that commits late.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "embedded_resources.hpp"
#include "kkr/persistence/database.hpp"
#include "pg_script.hpp"
#include "register_rows.hpp"
#include "support/pg_fixture.hpp"

namespace {

using namespace kkr::integration;
using kkr::testing::adminSession;
using kkr::testing::queryInt;

std::string queryText(soci::session& sql, const std::string& query) {
  std::string out;
  sql << query, soci::into(out);
  return out;
}

struct Change {
  std::string entity;
  std::string entity_id;
  std::string op;
  std::string actor;
  bool hasData = false;
  bool hasPrevious = false;
};

std::vector<Change> changes(soci::session& sql) {
  std::vector<Change> out;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT entity, entity_id, op, actor, data IS NOT NULL, "
                      "previous IS NOT NULL FROM change_log ORDER BY id");
  for (const auto& r : rows) {
    out.push_back({r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2),
                   r.get<std::string>(3), r.get<int>(4) != 0, r.get<int>(5) != 0});
  }
  return out;
}

/// Runs the embedded migrations `from` to `to` (their versions) on `sql`, as the migrator would.
void applyMigrations(soci::session& sql, int from, int to) {
  for (const auto& m : kkr::persistence::embeddedMigrations()) {
    if (m.version >= from && m.version <= to) kkr::persistence::executeScript(sql, m.sql);
  }
}

class ChangeLog : public ::testing::Test {
 protected:
  void SetUp() override {
    kkr::testing::resetDatabase();
    sql = adminSession();
  }
  std::unique_ptr<soci::session> sql;
};

TEST_F(ChangeLog, EveryInsertUpdateAndDeleteWritesOneRowNamingTheEntity) {
  insertKommune(*sql, "9901", "Testkommune Nord");
  insertPeriod(*sql, "2022-2026", "2022-01-01", "2025-12-31");
  const long long person = insertPerson(*sql, "Testperson Alfa", "9901");
  long long member = 0;
  *sql << "INSERT INTO kkr_member (person_id, period_id, role, seat_basis, start_date) "
          "VALUES (:p, '2022-2026', 'member', 'mayor', '2022-01-01') RETURNING id",
      soci::use(person), soci::into(member);
  const long long forum = insertForum(*sql, "Testforum Alfa");
  const long long appointment =
      insertAppointment(*sql, forum, person, "member", "appointed", "2022-02-01");

  *sql << "UPDATE kommune SET name = 'Testkommune Nord-Øst'";
  *sql << "UPDATE period SET end_date = '2025-12-30'";
  *sql << "UPDATE person SET party = 'Ø'";
  *sql << "UPDATE kkr_member SET role = 'vice_chair'";
  *sql << "UPDATE regional_forum SET seats = 4";
  *sql << "UPDATE appointment SET note = 'Testnote'";

  *sql << "DELETE FROM appointment";
  *sql << "DELETE FROM regional_forum";
  *sql << "DELETE FROM kkr_member";
  *sql << "DELETE FROM person";
  *sql << "DELETE FROM period";
  *sql << "DELETE FROM kommune";

  const std::vector<std::string> entities{"kommune", "period", "person",
                                          "member",  "forum",  "appointment"};
  const std::vector<std::string> ids{"9901",
                                     "2022-2026",
                                     std::to_string(person),
                                     std::to_string(member),
                                     std::to_string(forum),
                                     std::to_string(appointment)};
  const auto log = changes(*sql);
  ASSERT_EQ(log.size(), 18u);
  for (std::size_t i = 0; i < 6; ++i) {
    const auto& created = log[i];
    EXPECT_EQ(created.entity, entities[i]);
    EXPECT_EQ(created.entity_id, ids[i]);
    EXPECT_EQ(created.op, "create");
    EXPECT_TRUE(created.hasData);
    EXPECT_FALSE(created.hasPrevious);

    const auto& updated = log[6 + i];
    EXPECT_EQ(updated.entity, entities[i]);
    EXPECT_EQ(updated.entity_id, ids[i]);
    EXPECT_EQ(updated.op, "update");
    EXPECT_TRUE(updated.hasData);
    EXPECT_TRUE(updated.hasPrevious);

    const auto& deleted = log[17 - i];
    EXPECT_EQ(deleted.entity, entities[i]);
    EXPECT_EQ(deleted.entity_id, ids[i]);
    EXPECT_EQ(deleted.op, "delete");
    EXPECT_FALSE(deleted.hasData);
    EXPECT_TRUE(deleted.hasPrevious);
  }
  for (const auto& c : log) EXPECT_EQ(c.actor, "database") << "no kkr.actor was set";
}

TEST_F(ChangeLog, TheRowJsonUsesApiNamesAndRfc3339Timestamps) {
  insertKommune(*sql, "9901", "Testkommune Nord");
  std::string code;
  std::string name;
  std::string created;
  *sql << "SELECT data->>'code', data->>'name', data->>'created_at' FROM change_log",
      soci::into(code), soci::into(name), soci::into(created);
  EXPECT_EQ(code, "9901");
  EXPECT_EQ(name, "Testkommune Nord");
  EXPECT_EQ(created.size(), 27u) << created;  // 2024-01-02T03:04:05.123456Z
  EXPECT_EQ(created.back(), 'Z') << created;
}

TEST_F(ChangeLog, AnUpdateThatChangesNothingWritesNoRowAndKeepsTheVersion) {
  insertKommune(*sql, "9901", "Testkommune Nord");
  *sql << "UPDATE kommune SET name = name, region_code = '1081'";
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), 1);
  EXPECT_EQ(queryInt("SELECT version FROM kommune"), 1);

  *sql << "UPDATE kommune SET name = 'Testkommune Syd'";
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), 2);
  EXPECT_EQ(queryInt("SELECT version FROM kommune"), 2);
  EXPECT_EQ(queryInt("SELECT count(*) FROM kommune WHERE updated_at >= created_at"), 1);
}

/// entity_id, op, data's name and previous's name of the change rows after `after`, by entity_id.
std::vector<std::string> namesLoggedAfter(soci::session& sql, long long after) {
  std::vector<std::string> out;
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT entity_id || ' ' || op || ' ' || coalesce(data ->> 'name', '-') || "
                      "' ' || coalesce(previous ->> 'name', '-') FROM change_log WHERE id > :a "
                      "ORDER BY entity_id::bigint, id",
       soci::use(after));
  for (const auto& r : rows) out.push_back(r.get<std::string>(0));
  return out;
}

// A statement of several rows (a grouped write, a cascade): each changed row gets its own change
// row with its own images, and a row the statement leaves as it was gets none.
TEST_F(ChangeLog, AStatementOfSeveralRowsLogsEachChangedRowWithItsOwnImages) {
  insertKommune(*sql, "9901", "Testkommune Nord");
  const long long a = insertPerson(*sql, "Testperson A", "9901");
  const long long b = insertPerson(*sql, "Testperson B", "9901");
  const long long c = insertPerson(*sql, "Testperson C", "9901");
  const long long before = queryInt("SELECT max(id) FROM change_log");
  // a and c change; b is set to what it is, which is no change.
  *sql << "UPDATE person SET name = CASE WHEN id = :a THEN 'Testperson A2' WHEN id = :c THEN "
          "'Testperson C2' ELSE name END WHERE id IN (:a2, :b, :c2)",
      soci::use(a), soci::use(c), soci::use(a), soci::use(b), soci::use(c);
  const std::string sa = std::to_string(a), sc = std::to_string(c);
  EXPECT_EQ(namesLoggedAfter(*sql, before),
            (std::vector<std::string>{sa + " update Testperson A2 Testperson A",
                                      sc + " update Testperson C2 Testperson C"}));
  EXPECT_EQ(queryInt("SELECT version FROM person WHERE id = " + std::to_string(b)), 1);

  const long long beforeInsert = queryInt("SELECT max(id) FROM change_log");
  *sql << "INSERT INTO person (name, kommune_code) VALUES ('Testperson X', '9901'), "
          "('Testperson Y', '9901')";
  const auto inserted = namesLoggedAfter(*sql, beforeInsert);
  ASSERT_EQ(inserted.size(), 2u);
  EXPECT_NE(inserted[0].find(" create Testperson X -"), std::string::npos) << inserted[0];
  EXPECT_NE(inserted[1].find(" create Testperson Y -"), std::string::npos) << inserted[1];

  const long long beforeDelete = queryInt("SELECT max(id) FROM change_log");
  *sql << "DELETE FROM person WHERE id IN (:a, :c)", soci::use(a), soci::use(c);
  EXPECT_EQ(
      namesLoggedAfter(*sql, beforeDelete),
      (std::vector<std::string>{sa + " delete - Testperson A2", sc + " delete - Testperson C2"}));
}

TEST_F(ChangeLog, RecordsTheTransactionsActor) {
  {
    soci::transaction tx(*sql);
    std::string actor = "key:test-editor";
    *sql << "SELECT set_config('kkr.actor', :a, true)", soci::use(actor);
    insertKommune(*sql, "9901", "Testkommune Nord");
    tx.commit();
  }
  insertKommune(*sql, "9902", "Testkommune Syd");  // SET LOCAL ended with the transaction
  const auto log = changes(*sql);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].actor, "key:test-editor");
  EXPECT_EQ(log[1].actor, "database");
}

TEST_F(ChangeLog, PublishingAssignsGapFreeSeqsInCommitSafeOrder) {
  EXPECT_EQ(publishUntil(*sql, 0), 0);
  insertKommune(*sql, "9901", "Testkommune A");
  insertKommune(*sql, "9902", "Testkommune B");
  insertKommune(*sql, "9903", "Testkommune C");
  EXPECT_EQ(publishUntil(*sql, 3), 3);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE seq IS NULL"), 0);
  // seq follows the order of the writes: 9901 → 1, 9902 → 2, 9903 → 3.
  EXPECT_EQ(queryInt("SELECT seq FROM change_log WHERE entity_id = '9903'"), 3);
  EXPECT_EQ(queryInt("SELECT seq FROM change_log WHERE entity_id = '9901'"), 1);

  // A rolled-back write leaves no gap.
  {
    soci::transaction tx(*sql);
    insertKommune(*sql, "9904", "Testkommune Tilbagerullet");
    tx.rollback();
  }
  insertKommune(*sql, "9905", "Testkommune E");
  EXPECT_EQ(publishUntil(*sql, 4), 4);
  EXPECT_EQ(queryInt("SELECT seq FROM change_log WHERE entity_id = '9905'"), 4);
  // Publishing again with nothing new changes nothing.
  EXPECT_EQ(publishUntil(*sql, 4), 4);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), 4);
}

TEST_F(ChangeLog, NeverPublishesARowOfAStillOpenTransaction) {
  insertKommune(*sql, "9901", "Testkommune Før");
  ASSERT_EQ(publishUntil(*sql, 1), 1);

  // A second session writes inside an open transaction (so it holds an xid)...
  auto writer = adminSession();
  soci::transaction open(*writer);
  insertKommune(*writer, "9902", "Testkommune Åben");
  // ...and a write that commits meanwhile sorts after it, so it must wait for it too.
  insertKommune(*sql, "9903", "Testkommune Efter");

  long long top = 0;
  *sql << "SELECT kkr_publish_changes()", soci::into(top);
  EXPECT_EQ(top, 1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE seq IS NULL"), 1)
      << "the open transaction's row is not even visible yet; the committed one waits";

  open.commit();
  EXPECT_EQ(publishUntil(*sql, 3), 3);
  const long long openSeq = queryInt("SELECT seq FROM change_log WHERE entity_id = '9902'");
  const long long laterSeq = queryInt("SELECT seq FROM change_log WHERE entity_id = '9903'");
  EXPECT_EQ(openSeq, 2) << "above every seq published before";
  EXPECT_EQ(laterSeq, 3);
  EXPECT_EQ(queryInt("SELECT max(seq) - count(*) FROM change_log"), 0) << "no gaps";
}

TEST_F(ChangeLog, PublishingNumbersRowsBesideThemWithoutRewritingThem) {
  insertKommune(*sql, "9901", "Testkommune A");
  *sql << "BEGIN";
  *sql << "SELECT set_config('kkr.actor', 'key:nummer', true)";
  insertKommune(*sql, "9902", "Testkommune B");
  *sql << "UPDATE change_row SET action = 'batch:test' WHERE xid = pg_current_xact_id()";
  *sql << "COMMIT";
  // Each row's physical version (ctid, xmin) before and after: the numbering leaves it alone
  // (V012); an UPDATE of the row would have made a new version.
  const std::string versions =
      "SELECT string_agg(ctid::text || '/' || xmin::text, ' ' ORDER BY id) FROM change_row";
  const std::string before = queryText(*sql, versions);
  ASSERT_EQ(publishUntil(*sql, 2), 2);
  EXPECT_EQ(queryText(*sql, versions), before);
  // The number and the audit columns are beside the row, and the view shows them together.
  EXPECT_EQ(queryText(*sql,
                      "SELECT string_agg(seq || ' ' || actor || ' ' || coalesce(action, '-'), "
                      "', ' ORDER BY seq) FROM change_seq"),
            "1 database -, 2 key:nummer batch:test");
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_seq s JOIN change_row c ON c.id = s.change_id "
                     "WHERE s.at = c.at AND s.actor = c.actor"),
            2);
  EXPECT_EQ(queryInt("SELECT seq FROM change_log WHERE entity_id = '9902'"), 2);
}

TEST_F(ChangeLog, AnIdlePublishWritesNothing) {
  insertKommune(*sql, "9901", "Testkommune A");
  ASSERT_EQ(publishUntil(*sql, 1), 1);
  EXPECT_EQ(queryInt("SELECT CAST(kkr_unpublished_changes() AS int)"), 0);
  // Nothing to number: the publish takes no transaction id, so it wrote nothing at all.
  *sql << "BEGIN";
  long long top = 0;
  *sql << "SELECT kkr_publish_changes()", soci::into(top);
  EXPECT_EQ(top, 1);
  EXPECT_EQ(queryText(*sql, "SELECT coalesce(pg_current_xact_id_if_assigned()::text, 'none')"),
            "none");
  *sql << "COMMIT";
  insertKommune(*sql, "9902", "Testkommune B");
  EXPECT_EQ(queryInt("SELECT CAST(kkr_unpublished_changes() AS int)"), 1);
}

// Both publishing functions ask change_seq, for each change row in their range, whether it is
// numbered already. PL/pgSQL keeps their plans for the session; planned while the table was
// small and just analysed (a new register after autovacuum's first ANALYZE), each of those
// questions read all of change_seq, so a burst cost time in the square of its size until the
// next ANALYZE. In bench/run.sh's full run that made PostgreSQL spend 101-131 µs per write
// instead of 71-87 (V014). Counted here with PostgreSQL's own count of sequential scans.
TEST_F(ChangeLog, PublishingFindsWhatIsNumberedThroughTheIndexWhateverTheStatisticsSaid) {
  const auto addRows = [&](int from, int to) {
    *sql << "INSERT INTO change_row (entity, entity_id, op, data, actor) SELECT 'kommune', "
            "g::text, 'create', '{}'::jsonb, 'test' FROM generate_series(" +
                std::to_string(from) + ", " + std::to_string(to) + ") AS g";
  };
  const auto seqScans = [&] {
    *sql << "SELECT pg_stat_force_next_flush()";  // this session's counts, once it is idle
    long long scans = 0;
    *sql << "SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'change_seq'",
        soci::into(scans);
    return scans;
  };
  addRows(1, 20);
  ASSERT_EQ(publishUntil(*sql, 20), 20);
  *sql << "ANALYZE change_row, change_seq";
  // Beyond five runs PL/pgSQL keeps one generic plan, made with the statistics of 20 rows.
  for (int i = 21; i <= 28; ++i) {
    addRows(i, i);
    ASSERT_EQ(queryText(*sql, "SELECT kkr_unpublished_changes()::text"), "true");
    ASSERT_EQ(publishUntil(*sql, i), i);
  }
  addRows(29, 2028);
  const long long before = seqScans();
  ASSERT_EQ(queryText(*sql, "SELECT kkr_unpublished_changes()::text"), "true");
  ASSERT_EQ(publishUntil(*sql, 2028), 2028);
  ASSERT_EQ(queryText(*sql, "SELECT kkr_unpublished_changes()::text"), "false");
  EXPECT_EQ(seqScans() - before, 0) << "change_seq read whole to publish 2 000 rows";
  EXPECT_EQ(queryInt("SELECT max(seq) - count(*) FROM change_seq"), 0) << "no gaps";
}

// V015: change_publisher holds where the last numbering looked. Emptied by hand after everything
// was numbered, both functions used to read the whole change log on every call, and neither wrote
// the row back, since nothing needed a number: every follower's poll read the whole log.
TEST_F(ChangeLog, AnEmptiedPublisherRowIsReadPastOnceAndWrittenBack) {
  insertKommune(*sql, "9901", "Testkommune A");
  insertKommune(*sql, "9902", "Testkommune B");
  ASSERT_EQ(publishUntil(*sql, 2), 2);
  *sql << "DELETE FROM change_publisher";

  EXPECT_EQ(queryInt("SELECT CAST(kkr_unpublished_changes() AS int)"), 1)
      << "followers are not told to publish, so nobody writes the row back";
  long long top = 0;
  *sql << "SELECT kkr_publish_changes()", soci::into(top);
  EXPECT_EQ(top, 2);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_seq"), 2) << "a row was numbered twice";
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_publisher"), 1) << "the row was not written back";
  EXPECT_EQ(queryInt("SELECT CAST(kkr_unpublished_changes() AS int)"), 0);

  // Then an idle publish writes nothing again, and new rows are numbered after the old ones.
  *sql << "BEGIN";
  *sql << "SELECT kkr_publish_changes()", soci::into(top);
  EXPECT_EQ(queryText(*sql, "SELECT coalesce(pg_current_xact_id_if_assigned()::text, 'none')"),
            "none");
  *sql << "COMMIT";
  insertKommune(*sql, "9903", "Testkommune C");
  ASSERT_EQ(publishUntil(*sql, 3), 3);
  EXPECT_EQ(queryText(*sql, "SELECT entity_id FROM change_log WHERE seq = 3"), "9903");
}

// CREATE OR REPLACE drops a function's SET clauses. Without enable_seqscan = off a stale plan
// reads change_seq whole for every row (V014, the test above); without jit = off a session with
// JIT on compiled each call, 30-96 ms for kkr_unpublished_changes() against 0.1 ms (V015).
TEST_F(ChangeLog, BothPublishingFunctionsKeepTheirSettings) {
  EXPECT_EQ(queryText(*sql,
                      "SELECT string_agg(proname || ' ' || array_to_string(proconfig, ','), '; ' "
                      "ORDER BY proname) FROM pg_proc WHERE proname IN ('kkr_publish_changes', "
                      "'kkr_unpublished_changes')"),
            "kkr_publish_changes enable_seqscan=off,jit=off; "
            "kkr_unpublished_changes enable_seqscan=off,jit=off");
}

// V013: an update's change row stores no image of the row before it; whoever reads `previous`
// gets the entity's change row before it, never another entity's, and a delete keeps its own.
TEST_F(ChangeLog, AnUpdatesRowBeforeIsTheEntitysChangeRowBeforeIt) {
  insertKommune(*sql, "9901", "Testkommune Nord");
  const long long alfa = insertPerson(*sql, "Testperson Alfa", "9901");
  const long long beta = insertPerson(*sql, "Testperson Beta", "9901");
  const std::string a = std::to_string(alfa);
  *sql << "UPDATE person SET party = 'A' WHERE id = " + a;
  *sql << "UPDATE person SET party = 'X' WHERE id = " + std::to_string(beta);
  *sql << "UPDATE person SET party = 'B' WHERE id = " + a;
  *sql << "DELETE FROM person WHERE id = " + a;

  EXPECT_EQ(queryInt("SELECT count(*) FROM change_row WHERE op = 'update' AND previous IS NOT "
                     "NULL"),
            0);
  // Each of alfa's rows with the row before it, as the view (and so psql) shows them.
  EXPECT_EQ(queryText(*sql,
                      "SELECT string_agg(op || ':' || coalesce(previous->>'party', '-') || '@' || "
                      "coalesce(previous->>'version', '-') || '>' || coalesce(data->>'party', "
                      "'-'), ' ' ORDER BY id) FROM change_log WHERE entity = 'person' AND "
                      "entity_id = '" +
                          a + "'"),
            "create:-@->- update:-@1>A update:A@2>B delete:B@3>-");
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_row WHERE op = 'delete' AND previous->>'party' "
                     "= 'B' AND entity_id = '" +
                     a + "'"),
            1);
}

// V012 moves the numbers out of the change rows: a database that had published and unpublished
// rows before it keeps every published seq, and its unpublished rows follow them.
TEST(ChangeLogMigration, V012KeepsEveryPublishedSeqAndNumbersTheRestAfterThem) {
  kkr::testing::ScratchDatabase db;
  auto scratch = kkr::persistence::openSession(db.url());
  applyMigrations(*scratch, 1, 11);
  insertKommune(*scratch, "9901", "Testkommune A");
  insertKommune(*scratch, "9902", "Testkommune B");
  // publishUntil: another test's transaction anywhere on the cluster holds publishing back.
  ASSERT_EQ(publishUntil(*scratch, 2), 2);
  *scratch << "UPDATE kommune SET name = 'Testkommune A2' WHERE code = '9901'";
  applyMigrations(*scratch, 12, 12);
  EXPECT_EQ(queryText(*scratch,
                      "SELECT string_agg(entity_id || ':' || coalesce(seq::text, '-'), "
                      "' ' ORDER BY id) FROM change_log"),
            "9901:1 9902:2 9901:-");
  EXPECT_EQ(publishUntil(*scratch, 3), 3);
  EXPECT_EQ(queryText(*scratch,
                      "SELECT string_agg(entity_id || ':' || op || ':' || seq, ' ' "
                      "ORDER BY seq) FROM change_log"),
            "9901:create:1 9902:create:2 9901:update:3");
}

// V013 stops storing an update's row before it: the updates stored before keep their images,
// and the view gives every update its row before, stored or not.
TEST(ChangeLogMigration, V013KeepsTheImagesStoredBeforeIt) {
  kkr::testing::ScratchDatabase db;
  auto scratch = kkr::persistence::openSession(db.url());
  applyMigrations(*scratch, 1, 12);
  insertKommune(*scratch, "9901", "Testkommune A");
  *scratch << "UPDATE kommune SET name = 'Testkommune B' WHERE code = '9901'";
  applyMigrations(*scratch, 13, 13);
  *scratch << "UPDATE kommune SET name = 'Testkommune C' WHERE code = '9901'";
  EXPECT_EQ(queryText(*scratch,
                      "SELECT string_agg(op || ':' || (previous IS NOT NULL)::text, ' ' ORDER BY "
                      "id) FROM change_row"),
            "create:false update:true update:false");
  EXPECT_EQ(queryText(*scratch,
                      "SELECT string_agg(coalesce(previous->>'name', '-') || '>' || "
                      "(data->>'name'), ' ' ORDER BY id) FROM change_log"),
            "->Testkommune A Testkommune A>Testkommune B Testkommune B>Testkommune C");
}

}  // namespace
