// Grouped statements on a real PostgreSQL (persistence/src/pg_grouped_writes.cpp): writes that
// queue behind running statements share one statement, and each still gets exactly the answer it
// would have had alone. A session holding a SHARE lock on the table keeps the two leading
// statements waiting, so that the writes behind them are known to form one group.

#include <soci/soci.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "pg_grouped_writes.hpp"
#include "pg_writer_support.hpp"
#include "writer_fixture.hpp"

namespace kkr::writertest {
namespace {

using namespace std::chrono_literals;
using kkr::testing::lockWaitsQuery;
using kkr::testing::queryInt;

class GroupedWrites : public WriterTest {
 protected:
  std::size_t poolSize() const override { return 4; }

  /// Runs `leaders` writes (each leads a statement of its own, held by the table lock), then the
  /// `queued` ones, which wait behind them, and releases the lock once all of them are queued
  /// (after `meanwhile`, if given).
  void runBehindALock(const std::vector<std::function<void()>>& leaders,
                      const std::vector<std::function<void()>>& queued,
                      const std::function<void()>& meanwhile = {}) {
    auto locker = kkr::testing::adminSession();
    *locker << "BEGIN";
    *locker << "LOCK TABLE person IN SHARE MODE";
    std::vector<std::thread> threads;
    for (const auto& write : leaders) {
      threads.emplace_back(write);
    }
    awaitLockWaits(leaders.size());
    for (std::size_t i = 0; i < queued.size(); ++i) {
      threads.emplace_back(queued[i]);
      awaitQueued(i + 1);
    }
    if (meanwhile) meanwhile();
    *locker << "COMMIT";
    for (auto& t : threads) t.join();
  }

  void awaitLockWaits(std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (queryInt(lockWaitsQuery("person")) != static_cast<std::int64_t>(count)) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the leaders never waited";
      std::this_thread::sleep_for(2ms);
    }
  }

  void awaitQueued(std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (writer().groups().waiting() != count) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the writes never queued";
      std::this_thread::sleep_for(1ms);
    }
  }

  Person draft(std::string name, std::string kommune = "0851") {
    Person p;
    p.name = std::move(name);
    p.kommune_code = std::move(kommune);
    return p;
  }
};

TEST_F(GroupedWrites, CreatesThatQueueShareOneStatementAndEachGetsItsOwnRow) {
  std::vector<Result<Person>> results(8, fail(Error::internal("not run")));
  const auto create = [&](std::size_t i) {
    return
        [&, i] { results[i] = writer().create(ctx(), draft("Testperson " + std::to_string(i))); };
  };
  runBehindALock({create(0), create(1)},
                 {create(2), create(3), create(4), create(5), create(6), create(7)});

  // Two leaders alone, then the six that queued as one statement.
  EXPECT_EQ(writer().groups().groupsRun(), 3u);
  EXPECT_EQ(writer().groups().writesRun(), 8u);
  std::set<Id> ids;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& person = must(results[i]);
    EXPECT_EQ(person.name, "Testperson " + std::to_string(i));
    EXPECT_EQ(person.meta.version, 1);
    ids.insert(person.id);
    // What the write answered is what is stored, and its change row names the actor.
    EXPECT_EQ(queryInt("SELECT count(*) FROM person WHERE id = " + std::to_string(person.id) +
                       " AND name = 'Testperson " + std::to_string(i) + "'"),
              1);
    EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE entity = 'person' AND op = "
                       "'create' AND actor = 'key:writer-test' AND entity_id = '" +
                       std::to_string(person.id) + "' AND data->>'name' = 'Testperson " +
                       std::to_string(i) + "'"),
              1);
  }
  EXPECT_EQ(ids.size(), 8u);
  EXPECT_EQ(queryInt("SELECT count(*) FROM person"), 8);
}

TEST_F(GroupedWrites, AGroupWithARowThatBreaksAConstraintRunsEachWriteAlone) {
  std::vector<Result<Person>> results(6, fail(Error::internal("not run")));
  const auto create = [&](std::size_t i, std::string kommune) {
    return [&, i, kommune] {
      results[i] = writer().create(ctx(), draft("Testperson " + std::to_string(i), kommune));
    };
  };
  // 0999 is a well-formed code of no kommune: the grouped INSERT fails on it as a whole.
  runBehindALock({create(0, "0851"), create(1, "0851")},
                 {create(2, "0851"), create(3, "0999"), create(4, "0860"), create(5, "0999")});

  EXPECT_EQ(writer().groups().groupsRun(), 3u);
  for (std::size_t i : {0u, 1u, 2u, 4u}) EXPECT_TRUE(results[i].has_value()) << i;
  for (std::size_t i : {3u, 5u}) {
    ASSERT_FALSE(results[i].has_value()) << i;
    EXPECT_EQ(results[i].error().code, ErrorCode::Validation);
    EXPECT_EQ(firstPointer(results[i]), "/kommune_code");
  }
  EXPECT_EQ(queryInt("SELECT count(*) FROM person"), 4);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE entity = 'person'"), 4);
}

TEST_F(GroupedWrites, AWriteMarkedToRunAloneNeverGoesThroughTheGroups) {
  WriteContext alone = ctx();
  alone.run_alone = true;  // RegisterCommands: its kommune is not in the snapshot
  const auto before = writer().groups().groupsRun();
  const auto refused = writer().create(alone, draft("Testperson X", "0999"));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::Validation);
  EXPECT_EQ(firstPointer(refused), "/kommune_code");
  Person moved = must(writer().create(alone, draft("Testperson Y")));
  EXPECT_EQ(writer().groups().groupsRun(), before);  // neither queued nor led a statement

  moved.kommune_code = "0999";
  const auto stale = writer().update(alone, moved, 1);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(firstPointer(stale), "/kommune_code");
  EXPECT_EQ(writer().groups().groupsRun(), before);

  must(writer().create(ctx(), draft("Testperson Z")));  // an ordinary write leads a group
  EXPECT_EQ(writer().groups().groupsRun(), before + 1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM person"), 2);
}

TEST_F(GroupedWrites, UpdatesThatQueueShareOneStatementAndEachGetsItsOwnAnswer) {
  std::vector<Person> people;
  for (int i = 0; i < 6; ++i) people.push_back(personIn("Testperson " + std::to_string(i)));
  must(writer().removePerson(ctx(), people[4].id, std::nullopt), "remove");
  const auto groupsBefore = writer().groups().groupsRun();

  std::vector<Result<Person>> results(7, fail(Error::internal("not run")));
  const auto update = [&](std::size_t slot, Person person, std::string name,
                          ExpectedVersion expected) {
    return [&, slot, person, name, expected]() mutable {
      person.name = name;
      results[slot] = writer().update(ctx(), person, expected);
    };
  };
  runBehindALock(
      {update(0, people[0], "Testperson A", 1), update(1, people[1], "Testperson B", 1)},
      {update(2, people[2], "Testperson C", 1), update(3, people[3], "Testperson D", 7),  // stale
       update(4, people[4], "Testperson E", 1),                                           // deleted
       update(5, people[5], "Testperson F", std::nullopt),
       update(6, people[2], "Testperson C2", 1)});  // people[2] again: waits for the next group

  // Two leaders, the four distinct rows in one statement, then the second write of people[2].
  EXPECT_EQ(writer().groups().groupsRun() - groupsBefore, 4u);
  EXPECT_EQ(must(results[0]).name, "Testperson A");
  EXPECT_EQ(results[3].error().code, ErrorCode::PreconditionFailed);
  EXPECT_EQ(results[4].error().code, ErrorCode::NotFound);
  EXPECT_EQ(must(results[5]).name, "Testperson F");
  // Both writes of people[2] expected version 1. The second never shares the first one's
  // statement, but it may lead one of its own while the first runs: exactly one of them wins,
  // and the other is told that the row moved on.
  ASSERT_NE(results[2].has_value(), results[6].has_value());
  const auto& won = results[2].has_value() ? results[2] : results[6];
  const auto& lost = results[2].has_value() ? results[6] : results[2];
  EXPECT_EQ(won->meta.version, 2);
  EXPECT_EQ(lost.error().code, ErrorCode::PreconditionFailed);
  EXPECT_EQ(queryInt("SELECT count(*) FROM person WHERE id = " + std::to_string(people[2].id) +
                     " AND name = '" + won->name + "' AND version = 2"),
            1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM person WHERE name = 'Testperson 3' AND version = 1"), 1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE op = 'update'"), 4);
}

TEST_F(GroupedWrites, ConnectionsCutWhileWritesWaitEndEveryWriteWithARowOrUnavailable) {
  // PostgreSQL ends every pooled connection (as a restart would) while the two leaders wait on
  // the lock and six writes wait in line behind them: no write may hang or be lost, each one is
  // stored or told Unavailable, and what was answered as stored is in the table.
  std::vector<Result<Person>> results(8, fail(Error::internal("not run")));
  const auto create = [&](std::size_t i) {
    return
        [&, i] { results[i] = writer().create(ctx(), draft("Testperson " + std::to_string(i))); };
  };
  runBehindALock({create(0), create(1)},
                 {create(2), create(3), create(4), create(5), create(6), create(7)},
                 [] { kkr::testing::terminatePooledConnections(); });

  std::int64_t stored = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i]) {
      ++stored;
      EXPECT_EQ(
          queryInt("SELECT count(*) FROM person WHERE id = " + std::to_string(results[i]->id) +
                   " AND name = 'Testperson " + std::to_string(i) + "'"),
          1);
    } else {
      EXPECT_EQ(results[i].error().code, ErrorCode::Unavailable) << results[i].error().detail;
    }
  }
  // The leaders' connections were cut under them; the six in line ran on new ones.
  EXPECT_FALSE(results[0].has_value());
  EXPECT_FALSE(results[1].has_value());
  EXPECT_EQ(queryInt("SELECT count(*) FROM person"), stored);
  // And the writer works on afterwards.
  EXPECT_TRUE(writer().create(ctx(), draft("Testperson danach")).has_value());
}

TEST_F(GroupedWrites, AWriteThatFailsAloneAfterItsGroupFailedLeavesTheOthersTheirOwnAnswers) {
  // Below the writer's field checks: a document PostgreSQL cannot read (SQLSTATE 22P02, a text
  // where an array belongs) fails the grouped INSERT, and then itself alone.
  std::vector<persistence::GroupedWrite> writes;
  for (const char* doc :
       {R"({"name": "Testperson 1", "kommune_code": "0851", "other_names": []})",
        R"({"name": "Testperson 2", "kommune_code": "0851", "other_names": "x"})",
        R"({"name": "Testperson 3", "kommune_code": "0851", "other_names": []})"}) {
    writes.push_back({doc, std::nullopt, std::nullopt, std::nullopt});
  }
  std::vector<persistence::GroupedWrite*> group;
  for (auto& w : writes) group.push_back(&w);
  persistence::writer::insertGroup(database(), persistence::writer::tableOf<Person>(),
                                   "key:writer-test", group);

  ASSERT_TRUE(writes[0].outcome && writes[0].outcome->has_value());
  ASSERT_TRUE(writes[1].outcome && !writes[1].outcome->has_value());
  EXPECT_EQ(writes[1].outcome->error().code, ErrorCode::Validation);
  ASSERT_TRUE(writes[2].outcome && writes[2].outcome->has_value());
  EXPECT_NE(writes[2].outcome->value().find("Testperson 3"), std::string::npos);
  EXPECT_EQ(queryInt("SELECT count(*) FROM person"), 2);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE entity = 'person'"), 2);
}

/// Runs `docs` as one grouped INSERT into the table of Entity; returns the writes' outcomes.
template <typename Entity>
std::vector<persistence::GroupedWrite> insertedTogether(persistence::Database& database,
                                                        const std::vector<Entity>& drafts) {
  std::vector<persistence::GroupedWrite> writes;
  for (const auto& draft : drafts) {
    writes.push_back(
        {persistence::rowjson::toJson(draft).dump(), std::nullopt, std::nullopt, std::nullopt});
  }
  std::vector<persistence::GroupedWrite*> group;
  for (auto& w : writes) group.push_back(&w);
  persistence::writer::insertGroup(database, persistence::writer::tableOf<Entity>(),
                                   "key:writer-test", group);
  return writes;
}

/// Change rows of `entity` that are exactly what kkr_record_change() would have written for
/// the row as `table` holds it now: its JSON, its key, the operation and the actor.
std::int64_t changeRowsLikeTheTriggers(const std::string& table, const std::string& entity,
                                       const std::string& op) {
  return queryInt("SELECT count(*) FROM change_log c JOIN " + table +
                  " t ON c.entity_id = t.id::text WHERE c.entity = '" + entity + "' AND c.op = '" +
                  op + "' AND c.data = kkr_row_json(t) AND c.actor = 'key:writer-test'");
}

TEST_F(GroupedWrites, GroupedStatementsWriteTheChangeRowsTheTriggersWould) {
  // V011: a grouped statement writes its rows' change rows itself and the triggers skip them.
  // For each table written in groups: one change row per row, no more, as the trigger made it.
  RegionalForum forum;
  forum.seats = 3;
  forum.name = "Testforum 1";
  std::vector<RegionalForum> forums{forum};
  forum.name = "Testforum 2";
  forums.push_back(forum);
  Meeting meeting;
  meeting.date = day("2031-01-09");
  meeting.place = "Testsal";
  std::vector<Meeting> meetings{meeting, meeting};
  for (const auto& w : insertedTogether(database(), forums)) ASSERT_TRUE(w.outcome->has_value());
  for (const auto& w : insertedTogether(database(), meetings)) ASSERT_TRUE(w.outcome->has_value());
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE entity = 'forum'"), 2);
  EXPECT_EQ(changeRowsLikeTheTriggers("regional_forum", "forum", "create"), 2);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE entity = 'meeting'"), 2);
  EXPECT_EQ(changeRowsLikeTheTriggers("meeting", "meeting", "create"), 2);

  // Updates record the row before (previous) too; an update that changes nothing records none.
  const Person first = personIn("Testperson 1");
  const Person second = personIn("Testperson 2");
  Person renamed = first;
  renamed.name = "Testperson 1b";
  std::vector<persistence::GroupedWrite> writes{
      {persistence::rowjson::toJson(renamed).dump(), std::to_string(first.id), "1", std::nullopt},
      {persistence::rowjson::toJson(second).dump(), std::to_string(second.id), "1", std::nullopt}};
  persistence::writer::updateGroup(database(), persistence::writer::tableOf<Person>(),
                                   "key:writer-test", {&writes[0], &writes[1]});
  ASSERT_TRUE(writes[0].outcome->has_value());
  ASSERT_TRUE(writes[1].outcome->has_value());
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE entity = 'person' AND op = 'update'"),
            1);
  EXPECT_EQ(changeRowsLikeTheTriggers("person", "person", "update"), 1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE op = 'update' AND entity_id = '" +
                     std::to_string(first.id) +
                     "' AND previous->>'name' = 'Testperson 1' AND previous->>'version' = '1' "
                     "AND data->>'name' = 'Testperson 1b' AND data->>'version' = '2'"),
            1);
  // The touch trigger (V001) gives a row that changed its next version and a new updated_at, and
  // one that did not neither.
  EXPECT_EQ(queryInt("SELECT count(*) FROM person WHERE id = " + std::to_string(first.id) +
                     " AND version = 2 AND updated_at > created_at"),
            1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM person WHERE id = " + std::to_string(second.id) +
                     " AND version = 1 AND updated_at = created_at"),
            1);
}

TEST_F(GroupedWrites, OnlyTheGroupedStatementItselfGoesWithoutTheTrigger) {
  // kkr.change_rows_by lasts for the transaction; the statement's start time in it keeps a later
  // statement of the same transaction (here plain SQL, as psql or a migration would run it) from
  // being taken for the grouped one: its rows still get their change rows from the trigger.
  std::string sql = persistence::writer::groupedInsertSql(persistence::writer::tableOf<Person>());
  auto session = kkr::testing::adminSession();
  const std::string docs =
      R"([{"name": "Testperson 1", "kommune_code": "0851", "other_names": []},)"
      R"( {"name": "Testperson 2", "kommune_code": "0851", "other_names": []}])";
  const std::string actor = "key:writer-test";
  std::string rows;
  const auto before = queryInt("SELECT count(*) FROM change_log");
  *session << "BEGIN";
  *session << sql, soci::use(docs, "docs"), soci::use(actor, "actor"), soci::into(rows);
  *session << "INSERT INTO person (name, kommune_code) VALUES ('Testperson 3', '0851')";
  *session << "UPDATE person SET name = 'Testperson 3b' WHERE name = 'Testperson 3'";
  *session << "COMMIT";

  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE data->>'name' IN ('Testperson 1', "
                     "'Testperson 2') AND op = 'create' AND actor = 'key:writer-test'"),
            2);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE data->>'name' = 'Testperson 3' AND "
                     "op = 'create'"),
            1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE data->>'name' = 'Testperson 3b' AND "
                     "op = 'update'"),
            1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log") - before, 4);
  // ...and the touch trigger gives the later UPDATE its next version.
  EXPECT_EQ(queryInt("SELECT version FROM person WHERE name = 'Testperson 3b'"), 2);
}

TEST_F(GroupedWrites, AGroupedUpdateRecordsTheRowAsItsLockFoundIt) {
  // Another transaction changes a row and holds it while a grouped UPDATE of that row (without an
  // expected version) waits. The statement began before that commit, yet its change row must
  // name the committed row as the one it replaced, as the trigger's OLD would: a change row's
  // previous is the row before it, never an older one.
  const Person first = personIn("Testperson 1");
  const Person second = personIn("Testperson 2");
  auto other = kkr::testing::adminSession();
  *other << "BEGIN";
  *other << "UPDATE person SET name = 'Testperson 1 meanwhile' WHERE id = " +
                std::to_string(first.id);

  Person renamedFirst = first;
  renamedFirst.name = "Testperson 1 grouped";
  Person renamedSecond = second;
  renamedSecond.name = "Testperson 2 grouped";
  std::vector<persistence::GroupedWrite> writes{
      {persistence::rowjson::toJson(renamedFirst).dump(), std::to_string(first.id), std::nullopt,
       std::nullopt},
      {persistence::rowjson::toJson(renamedSecond).dump(), std::to_string(second.id), std::nullopt,
       std::nullopt}};
  std::thread grouped([&] {
    persistence::writer::updateGroup(database(), persistence::writer::tableOf<Person>(),
                                     "key:writer-test", {&writes[0], &writes[1]});
  });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (queryInt(lockWaitsQuery()) == 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the grouped UPDATE never waited";
    std::this_thread::sleep_for(2ms);
  }
  *other << "COMMIT";
  grouped.join();

  ASSERT_TRUE(writes[0].outcome->has_value());
  EXPECT_NE(writes[0].outcome->value().find("\"version\": 3"), std::string::npos)
      << writes[0].outcome->value();
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE op = 'update' AND entity_id = '" +
                     std::to_string(first.id) +
                     "' AND previous->>'name' = 'Testperson 1 meanwhile' AND "
                     "previous->>'version' = '2' AND data->>'name' = 'Testperson 1 grouped' AND "
                     "data->>'version' = '3' AND actor = 'key:writer-test'"),
            1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE op = 'update'"), 3);
}

TEST_F(GroupedWrites, AGroupedUpdateFindsItsRowsByPrimaryKeyHoweverLargeTheTable) {
  // Planned once for every group (a generic plan), the statement must not scan the table: that
  // would make every grouped PATCH cost as much as the register is large.
  kkr::testing::execSql(
      "INSERT INTO person (name, kommune_code) SELECT 'Testperson ' || g, '0851' "
      "FROM generate_series(1, 5000) AS g; ANALYZE person");
  const std::string sql = kkr::testing::numberedParameters(
      persistence::writer::groupedUpdateSql(persistence::writer::tableOf<Person>()),
      {":writes", ":actor", ":keys"});
  auto session = kkr::testing::adminSession();
  *session << "SET plan_cache_mode = force_generic_plan";
  *session << "PREPARE grouped_update(text, text, text) AS " + sql;
  const std::string plan = kkr::testing::planText(
      *session,
      "EXPLAIN EXECUTE grouped_update('[{\"doc\": {}, \"key\": \"1\", \"expected\": null}]', "
      "'test', '{1}')");
  EXPECT_NE(plan.find("Index Scan using person_pkey on person"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("Seq Scan on person"), std::string::npos) << plan;
}

}  // namespace
}  // namespace kkr::writertest
