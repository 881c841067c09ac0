// KeyTurns: holders of one key take turns, other keys go on, and a key leaves no trace.
#include "kkr/domain/key_turns.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {

using kkr::domain::KeyTurns;
using namespace std::chrono_literals;

TEST(KeyTurns, ASecondTakerOfAKeyWaitsUntilTheFirstLetsGo) {
  KeyTurns turns;
  std::atomic<bool> secondHolds{false};
  std::thread second;
  {
    const auto first = turns.take("person/1", 10s);
    second = std::thread([&] {
      const auto turn = turns.take("person/1", 10s);
      secondHolds = turn.has_value();
    });
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(secondHolds.load()) << "two holders of one key at once";
  }
  second.join();
  EXPECT_TRUE(secondHolds.load());
}

TEST(KeyTurns, AWaiterGivesUpAfterItsPatienceAndTheHolderKeepsTheTurn) {
  KeyTurns turns;
  {
    const auto first = turns.take("person/1", 10s);
    ASSERT_TRUE(first);
    const auto start = std::chrono::steady_clock::now();
    const auto second = turns.take("person/1", 50ms);
    EXPECT_FALSE(second);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
    EXPECT_EQ(turns.keysInUse(), 1u);  // still held by the first
  }
  EXPECT_EQ(turns.keysInUse(), 0u) << "the waiter that gave up left its key behind";
}

TEST(KeyTurns, OtherKeysDoNotWait) {
  KeyTurns turns;
  const auto one = turns.take("person/1", 10s);
  std::atomic<bool> otherHeld{false};
  std::thread other([&] {
    const auto turn = turns.take("person/2", 10s);
    otherHeld = turn.has_value();
  });
  other.join();  // would never return if person/2 waited for person/1
  EXPECT_TRUE(otherHeld.load());
}

TEST(KeyTurns, ManyHoldersOfOneKeyNeverOverlapAndLeaveNoKeyBehind) {
  KeyTurns turns;
  int inside = 0;  // unsynchronised on purpose: ThreadSanitizer sees any overlap
  int most = 0;
  int total = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        const auto turn = turns.take("meeting/7", 10s);
        if (!turn) continue;  // counted as missing below
        most = std::max(most, ++inside);
        ++total;
        --inside;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(most, 1);
  EXPECT_EQ(total, 1600);
  EXPECT_EQ(turns.keysInUse(), 0u);
}

}  // namespace
