// The rules hold under concurrency: requests racing for the last seat queue on the forum (or
// period) row lock, so exactly one wins; conditional updates with the same expected version
// succeed exactly once.

#include <barrier>
#include <thread>
#include <vector>

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

}  // namespace
}  // namespace kkr::writertest
