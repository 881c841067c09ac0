// The rules hold under concurrency: requests racing for the last seat queue on the forum (or
// period) row lock, so exactly one wins; conditional updates with the same expected version
// succeed exactly once.

#include <barrier>
#include <iostream>
#include <thread>
#include <vector>

#include "kkr/domain/read_model.hpp"
#include "kkr/domain/register_commands.hpp"
#include "kkr/persistence/snapshot_source.hpp"
#include "writer_fixture.hpp"

namespace kkr::writertest {
namespace {

using kkr::testing::queryInt;

constexpr std::size_t kMaxThreads = 20;

class WriterConcurrency : public WriterTest {
 protected:
  // One connection per thread, so every request really runs at the same time.
  std::size_t poolSize() const override { return kMaxThreads; }

  struct Outcome {
    int ok = 0;
    int conflict = 0;
    int preconditionFailed = 0;
    int validation = 0;
    int other = 0;
    std::string otherDetail;
  };

  /// Runs `attempt(i)` on `threads` threads released together by a barrier.
  template <typename Attempt>
  Outcome race(std::size_t threads, Attempt attempt) {
    std::vector<std::optional<Error>> results(threads);
    std::barrier start(static_cast<std::ptrdiff_t>(threads));
    std::vector<std::thread> workers;
    for (std::size_t i = 0; i < threads; ++i) {
      workers.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = attempt(i);
      });
    }
    for (auto& w : workers) w.join();
    Outcome outcome;
    for (const auto& r : results) {
      if (!r) {
        ++outcome.ok;
      } else if (r->code == ErrorCode::Conflict) {
        ++outcome.conflict;
      } else if (r->code == ErrorCode::PreconditionFailed) {
        ++outcome.preconditionFailed;
      } else if (r->code == ErrorCode::Validation) {
        ++outcome.validation;
      } else {
        ++outcome.other;
        outcome.otherDetail = r->detail;
      }
    }
    return outcome;
  }

  template <typename T>
  static std::optional<Error> errorOf(const Result<T>& result) {
    if (result) return std::nullopt;
    return result.error();
  }
};

TEST_F(WriterConcurrency, RacersForTheLastForumSeatCannotBothWin) {
  int round = 0;
  for (std::size_t threads : {2u, 4u, 8u}) {
    for (int repeat = 0; repeat < 5; ++repeat, ++round) {
      // Three seats, two taken: one is left for `threads` simultaneous requests.
      const auto forum = forumWith("Testforum " + std::to_string(round), 3);
      for (int i = 0; i < 2; ++i) {
        const auto seated = personIn("Testperson siddende " + std::to_string(round * 10 + i));
        must(writer().create(
            ctx(), appointment(forum.id, seated.id, AppointmentRole::Member, "2022-02-01")));
      }
      std::vector<Person> racers;
      for (std::size_t i = 0; i < threads; ++i) {
        racers.push_back(personIn("Testperson " + std::to_string(round * 10 + i)));
      }
      const auto outcome = race(threads, [&](std::size_t i) {
        return errorOf(writer().create(
            ctx(), appointment(forum.id, racers[i].id, AppointmentRole::Member, "2022-03-01")));
      });
      EXPECT_EQ(outcome.ok, 1) << threads << " threads, round " << round;
      EXPECT_EQ(outcome.conflict, static_cast<int>(threads) - 1) << outcome.otherDetail;
      EXPECT_EQ(
          queryInt("SELECT count(*) FROM appointment WHERE forum_id = " + std::to_string(forum.id)),
          3);
    }
  }
}

TEST_F(WriterConcurrency, RacersForTheChairCannotBothWin) {
  const auto forum = forumWith("Testforum", std::nullopt);
  std::vector<Person> racers;
  for (int i = 0; i < 8; ++i) racers.push_back(personIn("Testperson " + std::to_string(i)));
  const auto outcome = race(8, [&](std::size_t i) {
    return errorOf(writer().create(
        ctx(), appointment(forum.id, racers[i].id, AppointmentRole::Chair, "2022-03-01")));
  });
  EXPECT_EQ(outcome.ok, 1);
  EXPECT_EQ(outcome.conflict, 7) << outcome.otherDetail;
}

TEST_F(WriterConcurrency, RacersForTheLastKkrSeatCannotBothWin) {
  for (int i = 0; i < 21; ++i) {
    const auto p = personIn("Testmedlem " + std::to_string(i));
    must(writer().create(ctx(), member(p.id, MemberRole::Member, "2022-01-01")));
  }
  std::vector<Person> racers;
  for (int i = 0; i < 8; ++i) racers.push_back(personIn("Testperson " + std::to_string(i)));
  const auto outcome = race(8, [&](std::size_t i) {
    return errorOf(writer().create(ctx(), member(racers[i].id, MemberRole::Member, "2022-06-01")));
  });
  EXPECT_EQ(outcome.ok, 1);
  EXPECT_EQ(outcome.conflict, 7) << outcome.otherDetail;
  EXPECT_EQ(queryInt("SELECT count(*) FROM kkr_member"), 22);
}

TEST_F(WriterConcurrency, TwentyUpdatesWithTheSameExpectedVersionSucceedOnce) {
  const auto person = personIn("Testperson");
  const auto outcome = race(20, [&](std::size_t i) {
    auto changed = person;
    changed.name = "Testperson " + std::to_string(i);
    return errorOf(writer().update(ctx(), changed, person.meta.version));
  });
  EXPECT_EQ(outcome.ok, 1);
  EXPECT_EQ(outcome.preconditionFailed, 19) << outcome.otherDetail;
  EXPECT_EQ(queryInt("SELECT version FROM person"), 2);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE op = 'update'"), 1);
}

TEST_F(WriterConcurrency, PatchesOfOneRowInOneInstanceTakeTurnsSoEachWritesOnce) {
  // The use cases over a writer that tells the read model, as the server runs them.
  persistence::PgSnapshotSource source(database());
  ReadModel model(source);
  persistence::PgRegisterWriter told(database(), &model);
  RegisterCommands commands(told, model);
  const auto person = personIn("Testperson Tur");
  ASSERT_TRUE(model.reload());
  const Principal editor{1, "testredaktør", Role::Editor};
  const auto writesBefore = told.groups().writesRun();
  const auto outcome = race(kMaxThreads, [&](std::size_t i) {
    return errorOf(commands.update<Person>(
        editor, person.id,
        [i](const Person& current) -> Result<Person> {
          Person next = current;
          next.other_names.push_back("Navn " + std::to_string(i));
          return next;
        },
        std::nullopt));
  });
  EXPECT_EQ(outcome.ok, static_cast<int>(kMaxThreads)) << outcome.otherDetail;
  // Each patch read the row its predecessor committed: no write lost a version race and ran
  // again, and every patch is in the row.
  EXPECT_EQ(told.groups().writesRun() - writesBefore, kMaxThreads);
  EXPECT_EQ(queryInt("SELECT version FROM person"), static_cast<std::int64_t>(kMaxThreads) + 1);
  EXPECT_EQ(queryInt("SELECT cardinality(other_names) FROM person"),
            static_cast<std::int64_t>(kMaxThreads));
}

TEST_F(WriterConcurrency, TwentyRuleCheckedUpdatesWithTheSameExpectedVersionSucceedOnce) {
  const auto forum = forumWith("Testforum", 5);
  const auto person = personIn("Testperson");
  const auto appt = must(writer().create(
      ctx(), appointment(forum.id, person.id, AppointmentRole::Member, "2022-02-01")));
  const auto outcome = race(20, [&](std::size_t i) {
    auto changed = appt;
    changed.note = "note " + std::to_string(i);
    return errorOf(writer().update(ctx(), changed, appt.meta.version));
  });
  EXPECT_EQ(outcome.ok, 1);
  EXPECT_EQ(outcome.preconditionFailed, 19) << outcome.otherDetail;
  EXPECT_EQ(queryInt("SELECT version FROM appointment"), 2);
}

// A person's kommune is checked without a row lock (migration V004); a kommune's delete locks
// persons out instead. Racing creates of persons against the delete of their kommune must never
// leave a person whose kommune is gone, whichever side wins.
TEST_F(WriterConcurrency, DeletingAKommuneWhilePersonsAreCreatedInItLeavesNoneWithoutIt) {
  constexpr std::size_t kCreators = 7;
  int deleted = 0;
  for (int round = 0; round < 12; ++round) {
    const std::string code = "09" + std::to_string(10 + round);
    must(writer().create(ctx(), Kommune{code, "Testkommune " + code, "1081", {}}));
    // One side starts a few milliseconds late, the creators in odd rounds and the delete in even
    // ones, so that both orders happen: creates that the delete must wait for and then find, and
    // creates that must wait for the delete and then see the kommune gone.
    const auto late = std::chrono::milliseconds(1 + round / 2);
    const bool creatorsLate = round % 2 == 1;
    const auto outcome = race(kCreators + 1, [&](std::size_t i) -> std::optional<Error> {
      const bool deleter = i == kCreators;
      if (deleter != creatorsLate) std::this_thread::sleep_for(late * static_cast<int>(1 + i % 3));
      if (deleter) return errorOf(writer().removeKommune(ctx(), code, std::nullopt));
      Person p;
      p.name = "Testperson " + code + "-" + std::to_string(i);
      p.kommune_code = code;
      return errorOf(writer().create(ctx(), p));
    });
    // A refused create is told its kommune does not exist (validation), a refused delete that
    // persons still refer to it (conflict): the two answers the foreign key gave.
    EXPECT_EQ(outcome.other, 0) << outcome.otherDetail;
    EXPECT_EQ(outcome.preconditionFailed, 0);
    const auto persons =
        queryInt("SELECT count(*) FROM person WHERE kommune_code = '" + code + "'");
    const auto kommuner = queryInt("SELECT count(*) FROM kommune WHERE code = '" + code + "'");
    // Either the delete won (no person was stored) or it was refused for the stored persons.
    if (kommuner == 0) {
      ++deleted;
      EXPECT_EQ(persons, 0) << code;
    } else {
      EXPECT_GT(persons, 0) << code;
    }
    EXPECT_EQ(outcome.ok, static_cast<int>(persons) + (kommuner == 0 ? 1 : 0)) << code;
  }
  EXPECT_EQ(queryInt("SELECT count(*) FROM person p "
                     "WHERE NOT EXISTS (SELECT 1 FROM kommune k WHERE k.code = p.kommune_code)"),
            0);
  // That both sides won in some round is likely but not certain on a loaded machine, so it is
  // reported rather than required.
  std::cout << "the delete won " << deleted << " of 12 rounds\n";
}

}  // namespace
}  // namespace kkr::writertest
