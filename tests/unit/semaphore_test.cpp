// Semaphore: a release is never lost, whether it comes before the acquire or while a thread
// sleeps in it, and each release lets exactly one acquire through.
#include "kkr/domain/semaphore.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace {

using kkr::domain::Semaphore;
using namespace std::chrono_literals;

TEST(Semaphore, AReleaseBeforeTheAcquireIsKept) {
  Semaphore semaphore;
  semaphore.release();
  semaphore.release();
  auto both = std::async(std::launch::async, [&] {
    semaphore.acquire();
    semaphore.acquire();
  });
  EXPECT_EQ(both.wait_for(10s), std::future_status::ready)
      << "a release before the acquire was lost";
  semaphore.release();  // lets a blocked acquire end, so that the test can finish if it failed
  semaphore.release();
}

TEST(Semaphore, ASleepingAcquireWakesOnAReleaseFromAnotherThread) {
  Semaphore semaphore;
  std::atomic<bool> through{false};
  std::thread waiter([&] {
    semaphore.acquire();
    through = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(through.load()) << "an acquire went through without a release";
  semaphore.release();
  waiter.join();
  EXPECT_TRUE(through.load());
}

TEST(Semaphore, EachReleaseLetsExactlyOneAcquireThrough) {
  constexpr int kThreads = 8;
  Semaphore semaphore;
  std::atomic<int> through{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < kThreads; ++i) {
    waiters.emplace_back([&] {
      semaphore.acquire();
      ++through;
    });
  }
  std::vector<int> seen;  // how many went through after each release
  for (int released = 1; released <= kThreads; ++released) {
    semaphore.release();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (through.load() < released && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    std::this_thread::sleep_for(20ms);  // room for a second acquire to slip through wrongly
    seen.push_back(through.load());
  }
  // Checked once every waiter is joined: a waiter left asleep would end the process, not the test.
  for (int i = 0; i < kThreads; ++i) semaphore.release();
  for (auto& waiter : waiters) waiter.join();
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(Semaphore, ManyProducersAndConsumersLoseNoRelease) {
  constexpr int kPerThread = 20000;
  constexpr int kThreads = 4;
  Semaphore semaphore;
  std::atomic<int> consumed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) semaphore.release();
    });
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        semaphore.acquire();
        ++consumed;
      }
    });
  }
  for (auto& thread : threads) thread.join();  // a lost release would hang a consumer here
  EXPECT_EQ(consumed.load(), kThreads * kPerThread);
}

}  // namespace
