// Creates with an Idempotency-Key (PgRegisterWriter's idempotent create): the claim of the key, the
// row, its change-log row and the stored answer commit in one transaction. A retry after the
// commit replays the answer; a write, a rendering or a stored answer that fails rolls back all of
// it, so no key is ever left without its answer and a retry runs afresh; concurrent requests with
// one key write one row and all get its answer.

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <stdexcept>
#include <thread>
#include <vector>

#include "writer_fixture.hpp"

namespace {

using namespace kkr::writertest;
using kkr::testing::queryInt;

/// The answer a handler would store: made from the created row, and recognisable in tests.
template <typename E>
RenderResponse<E> renderer(std::atomic<int>* calls = nullptr) {
  return [calls](const E& created) {
    if (calls != nullptr) ++*calls;
    const std::string id = std::to_string(created.id);
    return StoredResponse{201, "/v1/things/" + id, "\"thing-" + id + "\"",
                          R"({"id":)" + id + R"(,"name":"Æblø"})"};
  };
}

class IdempotentCreateTest : public WriterTest {
 protected:
  static constexpr int kThreads = 8;
  std::size_t poolSize() const override { return kThreads; }

  static Person person(std::string name) {
    Person p;
    p.name = std::move(name);
    p.kommune_code = "0851";
    return p;
  }

  static std::int64_t count(const std::string& table) {
    return queryInt("SELECT count(*) FROM " + table);
  }
  static std::int64_t changes(const std::string& entity) {
    return queryInt("SELECT count(*) FROM change_log WHERE entity = '" + entity + "'");
  }
};

TEST_F(IdempotentCreateTest, ARetryReplaysTheStoredAnswerAndWritesNothing) {
  std::atomic<int> renders = 0;
  const IdempotencyKey key{"k1", "hash1"};
  auto first =
      must(writer().create(ctx(), person("Testperson Første"), key, renderer<Person>(&renders)));
  ASSERT_FALSE(first.replayed());
  ASSERT_TRUE(first.created);
  EXPECT_EQ(first.response.status, 201);
  EXPECT_EQ(first.response.location, "/v1/things/" + std::to_string(first.created->id));

  auto retry =
      must(writer().create(ctx(), person("Testperson Første"), key, renderer<Person>(&renders)));
  EXPECT_TRUE(retry.replayed());
  EXPECT_EQ(retry.response.status, first.response.status);
  EXPECT_EQ(retry.response.location, first.response.location);
  EXPECT_EQ(retry.response.etag, first.response.etag);
  EXPECT_EQ(retry.response.body, first.response.body);
  EXPECT_EQ(renders.load(), 1) << "a replay renders nothing";
  EXPECT_EQ(count("person"), 1);
  EXPECT_EQ(changes("person"), 1);
  EXPECT_EQ(count("idempotency_key"), 1);
}

TEST_F(IdempotentCreateTest, TheKeyWithAnotherRequestIsAValidationErrorAndWritesNothing) {
  ASSERT_TRUE(writer().create(ctx(), person("Testperson A"), {"k1", "hash1"}, renderer<Person>()));
  auto other = writer().create(ctx(), person("Testperson B"), {"k1", "hash2"}, renderer<Person>());
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::Validation);
  EXPECT_EQ(firstPointer(other), "Idempotency-Key");
  EXPECT_EQ(count("person"), 1);
}

TEST_F(IdempotentCreateTest, KeysAreScopedToTheCaller) {
  ASSERT_TRUE(writer().create(ctx(), person("Testperson A"), {"k1", "h"}, renderer<Person>()));
  const WriteContext other{"key:someone-else"};
  auto theirs =
      must(writer().create(other, person("Testperson A"), {"k1", "h"}, renderer<Person>()));
  EXPECT_FALSE(theirs.replayed());
  EXPECT_EQ(count("person"), 2);
}

TEST_F(IdempotentCreateTest, KeysLongerThan255CharactersAreMalformed) {
  auto tooLong = writer().create(ctx(), person("Testperson A"), {std::string(256, 'k'), "h"},
                                 renderer<Person>());
  ASSERT_FALSE(tooLong);
  EXPECT_EQ(tooLong.error().code, ErrorCode::Malformed);
  EXPECT_EQ(count("person"), 0);
  EXPECT_TRUE(writer().create(ctx(), person("Testperson A"), {std::string(255, 'k'), "h"},
                              renderer<Person>()));
}

TEST_F(IdempotentCreateTest, AnAnswerStoredBeforeThisVersionIsReplayed) {
  // A row answered under the old scheme (claim, write and answer in three transactions) kept its
  // answer through migration V002.
  kkr::testing::execSql(
      "INSERT INTO idempotency_key (caller, key, request_hash, status, location, etag, body) "
      "VALUES ('key:writer-test', 'old', 'h', 201, '/v1/persons/7', '\"person-7-v1\"', "
      "'{\"id\":7}')");
  auto replay =
      must(writer().create(ctx(), person("Testperson A"), {"old", "h"}, renderer<Person>()));
  EXPECT_TRUE(replay.replayed());
  EXPECT_EQ(replay.response.location, "/v1/persons/7");
  EXPECT_EQ(replay.response.etag, "\"person-7-v1\"");
  EXPECT_EQ(replay.response.body, R"({"id":7})");
  EXPECT_EQ(count("person"), 0);
}

// The step after the insert fails: the rendering of the answer throws.
TEST_F(IdempotentCreateTest, ARenderingThatFailsRollsBackTheRowTheChangeAndTheKey) {
  const IdempotencyKey key{"k1", "hash1"};
  const RenderResponse<Person> failing = [](const Person&) -> StoredResponse {
    throw std::runtime_error("rendering failed");
  };
  auto failed = writer().create(ctx(), person("Testperson A"), key, failing);
  ASSERT_FALSE(failed);
  EXPECT_EQ(count("person"), 0);
  EXPECT_EQ(changes("person"), 0);
  EXPECT_EQ(count("idempotency_key"), 0) << "a key left behind without its answer";

  auto retry = must(writer().create(ctx(), person("Testperson A"), key, renderer<Person>()));
  EXPECT_FALSE(retry.replayed()) << "a rolled-back attempt left something to replay";
  EXPECT_EQ(count("person"), 1);
  EXPECT_EQ(changes("person"), 1);
}

// The step after the insert is delayed past statement_timeout: storing the answer (the UPDATE of
// the claimed row) sleeps in a trigger that only this test installs.
TEST_F(IdempotentCreateTest, AStoredAnswerDelayedPastTheStatementTimeoutRollsBackEverything) {
  kkr::persistence::DatabaseConfig config;
  config.url = kkr::testing::testDatabaseUrl();
  config.pool_size = 1;
  config.statement_timeout = std::chrono::milliseconds(300);
  auto database = kkr::persistence::Database::open(config);
  ASSERT_TRUE(database) << database.error().detail;
  kkr::persistence::PgRegisterWriter slowWriter(**database);
  kkr::testing::execSql(
      "CREATE FUNCTION test_slow_answer() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN PERFORM pg_sleep(2); RETURN NEW; END $$; "
      "CREATE TRIGGER test_slow_answer BEFORE UPDATE ON idempotency_key "
      "FOR EACH ROW EXECUTE FUNCTION test_slow_answer()");

  const IdempotencyKey key{"k1", "hash1"};
  std::atomic<int> renders = 0;
  auto timedOut = slowWriter.create(ctx(), person("Testperson A"), key, renderer<Person>(&renders));
  kkr::testing::execSql(
      "DROP TRIGGER test_slow_answer ON idempotency_key; DROP FUNCTION test_slow_answer()");
  ASSERT_FALSE(timedOut) << "the answer was stored despite the trigger";
  EXPECT_EQ(timedOut.error().code, ErrorCode::Unavailable) << timedOut.error().detail;
  EXPECT_EQ(renders.load(), 1) << "the delay must hit the step after the insert";
  EXPECT_EQ(count("person"), 0);
  EXPECT_EQ(changes("person"), 0);
  EXPECT_EQ(count("idempotency_key"), 0) << "a key left behind without its answer";

  // The retry runs afresh and is then replayed; one row in all.
  auto retry = must(slowWriter.create(ctx(), person("Testperson A"), key, renderer<Person>()));
  EXPECT_FALSE(retry.replayed());
  auto again = must(slowWriter.create(ctx(), person("Testperson A"), key, renderer<Person>()));
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.response.body, retry.response.body);
  EXPECT_EQ(count("person"), 1);
  EXPECT_EQ(changes("person"), 1);
}

// A rule violation leaves no key: the corrected request runs under the same key (it is not a
// reuse of the key with another body, since nothing was committed under it).
TEST_F(IdempotentCreateTest, ARuleViolationLeavesNoKeyAndTheCorrectedRetryRunsUnderTheSameKey) {
  const auto forum = forumWith("Testforum", 1);
  const auto a = personIn("Testperson A");
  const auto b = personIn("Testperson B");
  must(writer().create(ctx(), appointment(forum.id, a.id, AppointmentRole::Member, "2022-03-01")),
       "first seat");
  const auto before = changes("appointment");

  const IdempotencyKey full{"k1", "hash-member"};
  auto refused =
      writer().create(ctx(), appointment(forum.id, b.id, AppointmentRole::Member, "2022-03-01"),
                      full, renderer<Appointment>());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Conflict);
  EXPECT_EQ(count("idempotency_key"), 0);
  EXPECT_EQ(changes("appointment"), before);

  const IdempotencyKey corrected{"k1", "hash-alternate"};
  auto created = must(
      writer().create(ctx(), appointment(forum.id, b.id, AppointmentRole::Alternate, "2022-03-01"),
                      corrected, renderer<Appointment>()));
  EXPECT_FALSE(created.replayed());
  EXPECT_EQ(count("appointment"), 2);
  EXPECT_EQ(changes("appointment"), before + 1);
  // Now the key is taken: the first body is a reuse with another request.
  auto reuse =
      writer().create(ctx(), appointment(forum.id, b.id, AppointmentRole::Member, "2022-03-01"),
                      full, renderer<Appointment>());
  ASSERT_FALSE(reuse);
  EXPECT_EQ(reuse.error().code, ErrorCode::Validation);
}

// Concurrent requests with one key: the first inserts the claim, the others wait on it (ON
// CONFLICT DO NOTHING) until it commits and then replay its answer. Run on the fast path
// (persons) and on the rule-checked one (KKR seats, which lock the period after the claim).
TEST_F(IdempotentCreateTest, ConcurrentCreatesWithOneKeyWriteOneRowAndAllGetItsAnswer) {
  for (int round = 0; round < 4; ++round) {
    const bool member = round % 2 == 1;
    // Each seat its own person: one person cannot hold two overlapping seats.
    const Id seated = member ? personIn("Testperson Siddende " + std::to_string(round)).id : 0;
    const IdempotencyKey key{"k" + std::to_string(round), "hash"};
    std::vector<std::optional<IdempotentCreate<Person>>> persons(kThreads);
    std::vector<std::optional<IdempotentCreate<KkrMember>>> members(kThreads);
    std::vector<std::string> errors(kThreads);
    std::barrier start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        if (member) {
          auto r = writer().create(ctx(), this->member(seated, MemberRole::Member, "2022-02-01"),
                                   key, renderer<KkrMember>());
          if (r)
            members[i] = std::move(r).value();
          else
            errors[i] = r.error().detail;
        } else {
          auto r = writer().create(ctx(), person("Testperson Samtidig"), key, renderer<Person>());
          if (r)
            persons[i] = std::move(r).value();
          else
            errors[i] = r.error().detail;
        }
      });
    }
    for (auto& t : threads) t.join();

    int fresh = 0;
    std::vector<StoredResponse> answers;
    for (int i = 0; i < kThreads; ++i) {
      EXPECT_EQ(errors[i], "") << "round " << round << ", thread " << i;
      if (member && members[i]) {
        fresh += !members[i]->replayed();
        answers.push_back(members[i]->response);
      }
      if (!member && persons[i]) {
        fresh += !persons[i]->replayed();
        answers.push_back(persons[i]->response);
      }
    }
    EXPECT_EQ(fresh, 1) << "round " << round;
    ASSERT_EQ(answers.size(), static_cast<std::size_t>(kThreads)) << "round " << round;
    for (const auto& answer : answers) {
      EXPECT_EQ(answer.location, answers.front().location) << "round " << round;
      EXPECT_EQ(answer.body, answers.front().body) << "round " << round;
    }
  }
  EXPECT_EQ(count("person"), 2 + 2) << "one row per key (and the two seated persons)";
  EXPECT_EQ(count("kkr_member"), 2);
  EXPECT_EQ(changes("member"), 2);
  EXPECT_EQ(queryInt("SELECT count(*) FROM idempotency_key WHERE status IS NULL"), 0);
}

}  // namespace
