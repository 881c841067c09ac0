// The appointment workflow as the writer enforces it on PostgreSQL: the move is checked against
// the row read under lock in the write's own transaction (never the caller's copy), a refused
// move writes nothing, appointing a nomination checks the seats under the forum's lock, an
// action with an Idempotency-Key is answered once and replayed, and the database's own guard
// (migration V005) refuses what the writer would. Synthetic data only.

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "kkr/domain/workflow.hpp"
#include "writer_fixture.hpp"

namespace kkr::writertest {
namespace {

using kkr::testing::queryInt;

class WriterWorkflow : public WriterTest {
 protected:
  void SetUp() override {
    WriterTest::SetUp();
    for (int i = 0; i < 3; ++i) people_.push_back(personIn("Testperson " + std::to_string(i)));
  }

  Appointment nomination(Id forum, std::size_t who) {
    return must(writer().create(
                    ctx(), appointment(forum, people_.at(who).id, AppointmentRole::Member,
                                       "2022-02-01", std::nullopt, AppointmentStatus::Nominated)),
                "nominate");
  }

  Result<IdempotentCreate<Appointment>> transition(
      const Appointment& next, ExpectedVersion expected,
      const std::optional<IdempotencyKey>& key = std::nullopt) {
    return writer().transition(ctx(), next, expected, key, [](const Appointment& row) {
      return StoredResponse{200, "", "v" + std::to_string(row.meta.version),
                            row.decision_ref.value_or("")};
    });
  }

  static Appointment with(Appointment a, AppointmentStatus status) {
    a.status = status;
    return a;
  }

  static std::string storedStatus(Id id) {
    auto sql = kkr::testing::adminSession();
    long long key = id;
    std::string status;
    *sql << "SELECT status FROM appointment WHERE id = :id", soci::use(key), soci::into(status);
    return status;
  }

  std::vector<Person> people_;
};

TEST_F(WriterWorkflow, AnActionMovesANominationAndAnswersWithTheRenderedRow) {
  const auto forum = forumWith("Testforum", 2);
  const auto nominated = nomination(forum.id, 0);
  const auto next = applyAction(
      nominated, AppointDecision{day("2022-03-01"), std::string("pkt 4"), std::nullopt});
  const auto done = must(transition(next, nominated.meta.version), "appoint");
  ASSERT_TRUE(done.created.has_value());
  EXPECT_EQ(done.created->status, AppointmentStatus::Appointed);
  EXPECT_EQ(done.response.body, "2022-03-01: pkt 4");
  EXPECT_EQ(storedStatus(nominated.id), "appointed");
}

TEST_F(WriterWorkflow, TheMoveIsCheckedAgainstTheStoredRowNotTheCallersCopy) {
  const auto forum = forumWith("Testforum", 2);
  const auto nominated = nomination(forum.id, 0);
  // Another request ended it meanwhile (appointed, then ended).
  const auto appointed = must(writer().update(ctx(), with(nominated, AppointmentStatus::Appointed),
                                              nominated.meta.version));
  auto endedRow = with(appointed, AppointmentStatus::Ended);
  endedRow.end_date = day("2023-01-31");
  const auto ended = must(writer().update(ctx(), endedRow, appointed.meta.version));
  // A caller still holding the nomination, sending no expected version: refused on the stored
  // status (ended is final), and nothing is written.
  auto stale = with(nominated, AppointmentStatus::Appointed);
  const auto refused = writer().update(ctx(), stale, std::nullopt);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Conflict);
  EXPECT_EQ(firstPointer(refused), "/status");
  ASSERT_TRUE(refused.error().allowed_next_states.has_value());
  EXPECT_TRUE(refused.error().allowed_next_states->empty());
  EXPECT_EQ(storedStatus(nominated.id), "ended");
  EXPECT_EQ(queryInt("SELECT version FROM appointment WHERE id = " + std::to_string(ended.id)),
            ended.meta.version);
}

TEST_F(WriterWorkflow, AnActionMustMoveButAnEditMayKeepTheStatus) {
  const auto forum = forumWith("Testforum", 2);
  auto appointed = must(writer().create(
      ctx(), appointment(forum.id, people_.at(0).id, AppointmentRole::Member, "2022-02-01")));
  const auto again = transition(appointed, appointed.meta.version);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().allowed_next_states, (std::vector<std::string>{"ended"}));
  appointed.note = "Testnote";
  EXPECT_TRUE(writer().update(ctx(), appointed, appointed.meta.version));
}

TEST_F(WriterWorkflow, AppointingChecksTheSeatsUnderTheForumsLock) {
  const auto forum = forumWith("Testforum", 1);
  const auto first = nomination(forum.id, 0);
  const auto second = nomination(forum.id, 1);
  // Both race for the one seat: exactly one gets it.
  std::vector<Result<IdempotentCreate<Appointment>>> results(2, fail(Error::internal("unset")));
  std::thread a([&] {
    results[0] = transition(with(first, AppointmentStatus::Appointed), first.meta.version);
  });
  std::thread b([&] {
    results[1] = transition(with(second, AppointmentStatus::Appointed), second.meta.version);
  });
  a.join();
  b.join();
  EXPECT_NE(results[0].has_value(), results[1].has_value());
  const auto& loser = results[0] ? results[1] : results[0];
  ASSERT_FALSE(loser);
  EXPECT_EQ(loser.error().code, ErrorCode::Conflict);
  EXPECT_EQ(firstPointer(loser), "/start_date");
  EXPECT_EQ(queryInt("SELECT count(*) FROM appointment WHERE status = 'appointed'"), 1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM appointment WHERE status = 'nominated'"), 1);
}

TEST_F(WriterWorkflow, AnIdempotentActionIsWrittenOnceAndReplayed) {
  const auto forum = forumWith("Testforum", 2);
  const auto nominated = nomination(forum.id, 0);
  const IdempotencyKey key{"workflow-key", "hash-1"};
  const auto next =
      applyAction(nominated, AppointDecision{day("2022-03-01"), std::nullopt, std::nullopt});
  const auto first = must(transition(next, nominated.meta.version, key), "first");
  EXPECT_FALSE(first.replayed());
  const auto retry = must(transition(next, nominated.meta.version, key), "retry");
  EXPECT_TRUE(retry.replayed());
  EXPECT_EQ(retry.response.etag, first.response.etag);
  EXPECT_EQ(queryInt("SELECT version FROM appointment WHERE id = " + std::to_string(nominated.id)),
            first.created->meta.version);
  // A refused action leaves its key free.
  const IdempotencyKey other{"workflow-key-2", "hash-2"};
  EXPECT_FALSE(transition(with(*first.created, AppointmentStatus::Withdrawn),
                          first.created->meta.version, other));
  EXPECT_EQ(queryInt("SELECT count(*) FROM idempotency_key WHERE key = 'workflow-key-2'"), 0);
}

TEST_F(WriterWorkflow, WithdrawnNominationsLetThePersonBeNominatedAgain) {
  const auto forum = forumWith("Testforum", 2);
  const auto nominated = nomination(forum.id, 0);
  must(writer().update(ctx(), with(nominated, AppointmentStatus::Withdrawn),
                       nominated.meta.version));
  const auto again = nomination(forum.id, 0);
  EXPECT_NE(again.id, nominated.id);
}

TEST_F(WriterWorkflow, TheDatabaseRefusesAnIllegalMoveOnItsOwn) {
  const auto forum = forumWith("Testforum", 2);
  const auto nominated = nomination(forum.id, 0);
  const std::string id = std::to_string(nominated.id);
  kkr::testing::execSql("UPDATE appointment SET status = 'withdrawn' WHERE id = " + id);
  EXPECT_THROW(
      kkr::testing::execSql("UPDATE appointment SET status = 'nominated' WHERE id = " + id),
      std::exception);
  EXPECT_EQ(storedStatus(nominated.id), "withdrawn");
}

}  // namespace
}  // namespace kkr::writertest
