// PgIdempotencyStore: a retried create replays the first response, a different body with the
// same key is a mismatch, a request still running is reported as such, and concurrent claims of
// one key yield exactly one Fresh.

#include <gtest/gtest.h>

#include <barrier>
#include <thread>
#include <vector>

#include "kkr/persistence/pg_idempotency.hpp"
#include "support/pg_fixture.hpp"

namespace {

using namespace kkr::domain;
using Claim = IdempotencyStore::Claim;
using kkr::persistence::PgIdempotencyStore;

class IdempotencyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kkr::testing::resetDatabase();
    database_ = kkr::testing::openTestDatabase(16);
    store_ = std::make_unique<PgIdempotencyStore>(*database_);
  }

  Claim claim(const std::string& caller, const std::string& key, const std::string& hash) {
    auto result = store_->claim(caller, key, hash);
    if (!result) throw std::runtime_error("claim failed: " + result.error().detail);
    return result->claim;
  }

  std::unique_ptr<kkr::persistence::Database> database_;
  std::unique_ptr<PgIdempotencyStore> store_;
};

TEST_F(IdempotencyStoreTest, FirstClaimIsFreshAndARetryWhileRunningIsInProgress) {
  EXPECT_EQ(claim("key:a", "k1", "hash1"), Claim::Fresh);
  EXPECT_EQ(claim("key:a", "k1", "hash1"), Claim::InProgress);
  // Another body under the same key is a mismatch, running or not.
  EXPECT_EQ(claim("key:a", "k1", "hash2"), Claim::Mismatch);
}

TEST_F(IdempotencyStoreTest, ACompletedRequestIsReplayed) {
  ASSERT_EQ(claim("key:a", "k1", "hash1"), Claim::Fresh);
  const StoredResponse response{201, "/v1/persons/7", "\"7-1\"", R"({"id":7,"name":"Æ"})"};
  ASSERT_TRUE(store_->complete("key:a", "k1", response));
  const auto replay = store_->claim("key:a", "k1", "hash1");
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->claim, Claim::Replay);
  ASSERT_TRUE(replay->response);
  EXPECT_EQ(replay->response->status, 201);
  EXPECT_EQ(replay->response->location, "/v1/persons/7");
  EXPECT_EQ(replay->response->etag, "\"7-1\"");
  EXPECT_EQ(replay->response->body, response.body);
  EXPECT_EQ(claim("key:a", "k1", "hash2"), Claim::Mismatch);
  // Completing twice is refused: there is no running claim any more.
  EXPECT_EQ(store_->complete("key:a", "k1", response).error().code, ErrorCode::NotFound);
}

TEST_F(IdempotencyStoreTest, AReleasedClaimRunsAfresh) {
  ASSERT_EQ(claim("key:a", "k1", "hash1"), Claim::Fresh);
  ASSERT_TRUE(store_->release("key:a", "k1"));
  EXPECT_EQ(claim("key:a", "k1", "hash2"), Claim::Fresh);
  // Releasing never forgets a completed response.
  ASSERT_TRUE(store_->complete("key:a", "k1", StoredResponse{201, "/x", "\"1\"", "{}"}));
  ASSERT_TRUE(store_->release("key:a", "k1"));
  EXPECT_EQ(claim("key:a", "k1", "hash2"), Claim::Replay);
}

TEST_F(IdempotencyStoreTest, KeysAreScopedToTheCaller) {
  ASSERT_EQ(claim("key:a", "k1", "hash1"), Claim::Fresh);
  EXPECT_EQ(claim("key:b", "k1", "hash1"), Claim::Fresh);
  EXPECT_EQ(claim("key:b", "k1", "other"), Claim::Mismatch);
}

TEST_F(IdempotencyStoreTest, AnAbandonedRunningClaimIsTakenOver) {
  ASSERT_EQ(claim("key:a", "k1", "hash1"), Claim::Fresh);
  kkr::testing::execSql(
      "UPDATE idempotency_key SET created_at = now() - interval '6 minutes' WHERE key = 'k1'");
  EXPECT_EQ(claim("key:a", "k1", "hash1"), Claim::Fresh);
  EXPECT_EQ(claim("key:a", "k1", "hash1"), Claim::InProgress);
  // A completed response never expires into a fresh claim this way.
  ASSERT_TRUE(store_->complete("key:a", "k1", StoredResponse{201, "/x", "\"1\"", "{}"}));
  kkr::testing::execSql(
      "UPDATE idempotency_key SET created_at = now() - interval '6 minutes' WHERE key = 'k1'");
  EXPECT_EQ(claim("key:a", "k1", "hash1"), Claim::Replay);
}

TEST_F(IdempotencyStoreTest, KeysLongerThan255CharactersAreMalformed) {
  const auto result = store_->claim("key:a", std::string(256, 'k'), "h");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::Malformed);
  EXPECT_EQ(claim("key:a", std::string(255, 'k'), "h"), Claim::Fresh);
}

TEST_F(IdempotencyStoreTest, ConcurrentClaimsOfOneKeyYieldExactlyOneFresh) {
  constexpr int kThreads = 16;
  for (int round = 0; round < 5; ++round) {
    const std::string key = "k" + std::to_string(round);
    std::vector<std::optional<Claim>> claims(kThreads);
    std::barrier start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        auto result = store_->claim("key:a", key, "hash");
        if (result) claims[i] = result->claim;
      });
    }
    for (auto& t : threads) t.join();
    int fresh = 0, inProgress = 0;
    for (const auto& c : claims) {
      fresh += c == Claim::Fresh;
      inProgress += c == Claim::InProgress;
    }
    EXPECT_EQ(fresh, 1) << "round " << round;
    EXPECT_EQ(inProgress, kThreads - 1);
  }
}

}  // namespace
