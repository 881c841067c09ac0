#include "kkr/domain/read_model.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using namespace kkr::domain;
using namespace std::chrono_literals;

/// A SnapshotSource whose loads can be held at a gate, slowed down or made to fail. Each load is
/// numbered in the order it starts; its snapshot carries that number as seq (or, when
/// `seqFromPublished`, the published seq), so a caller can tell which load it sees.
class FakeSource : public SnapshotSource {
 public:
  Result<RegisterSnapshot> loadSnapshot() override {
    const int number = ++loads_;
    {
      std::unique_lock lock(mutex_);
      started_.notify_all();
      if (number == 1) gate_.wait(lock, [&] { return !holdFirstLoad_; });
    }
    if (delay_ > 0ms) std::this_thread::sleep_for(delay_);
    if (failAll.load() || failLoadNumber.load() == number) {
      return Error::unavailable("synthetic load failure");
    }
    const std::int64_t seq = seqFromPublished.load() ? published.load() : number;
    return RegisterSnapshot(seq, {}, {}, {}, {}, {}, {});
  }

  Result<std::int64_t> publishedSeq() override {
    ++seqLookups;
    if (failPublished.load()) return Error::unavailable("synthetic seq failure");
    return published.load();
  }

  int loads() const { return loads_.load(); }

  /// Makes load number 1 wait until release(); call before any load starts.
  void holdFirstLoad() {
    std::lock_guard lock(mutex_);
    holdFirstLoad_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    holdFirstLoad_ = false;
    gate_.notify_all();
  }
  void waitForLoads(int count) {
    std::unique_lock lock(mutex_);
    started_.wait(lock, [&] { return loads_.load() >= count; });
  }
  void slowLoads(std::chrono::milliseconds delay) { delay_ = delay; }

  std::atomic<bool> failAll{false};
  std::atomic<int> failLoadNumber{0};
  std::atomic<bool> failPublished{false};
  std::atomic<bool> seqFromPublished{false};
  std::atomic<std::int64_t> published{0};
  std::atomic<int> seqLookups{0};

 private:
  std::atomic<int> loads_{0};
  std::mutex mutex_;
  std::condition_variable started_;
  std::condition_variable gate_;
  bool holdFirstLoad_ = false;
  std::chrono::milliseconds delay_{0};
};

TEST(ReadModel, StartsEmptyWithoutLoading) {
  FakeSource source;
  ReadModel model(source);
  ASSERT_NE(model.current(), nullptr);
  EXPECT_EQ(model.current()->seq(), 0);
  EXPECT_EQ(source.loads(), 0);
}

TEST(ReadModel, EveryRefreshLoadsAnew) {
  FakeSource source;
  ReadModel model(source);
  ASSERT_TRUE(model.refresh().has_value());
  EXPECT_EQ(model.current()->seq(), 1);
  ASSERT_TRUE(model.refresh().has_value());
  EXPECT_EQ(model.current()->seq(), 2);
  EXPECT_EQ(source.loads(), 2);
}

TEST(ReadModel, RefreshDoesNotSettleForALoadThatBeganBeforeIt) {
  FakeSource source;
  source.holdFirstLoad();
  ReadModel model(source);
  std::thread first([&] { EXPECT_TRUE(model.refresh().has_value()); });
  source.waitForLoads(1);
  // Load 1 may have read the tables before this caller's commit: it must wait for load 2.
  std::int64_t seen = 0;
  std::thread second([&] {
    EXPECT_TRUE(model.refresh().has_value());
    seen = model.current()->seq();
  });
  std::this_thread::sleep_for(50ms);  // let the second caller start waiting (either way works)
  source.release();
  first.join();
  second.join();
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(source.loads(), 2);
}

TEST(ReadModel, ConcurrentRefreshesShareLoads) {
  constexpr int kCallers = 8;
  FakeSource source;
  source.holdFirstLoad();
  source.slowLoads(20ms);
  ReadModel model(source);
  std::vector<std::int64_t> before(kCallers), after(kCallers);
  std::vector<int> succeeded(kCallers);
  auto caller = [&](int i) {
    before[i] = source.loads();  // every load numbered above this began after the call
    succeeded[i] = model.refresh().has_value();
    after[i] = model.current()->seq();
  };
  std::vector<std::thread> threads;
  threads.emplace_back(caller, 0);
  source.waitForLoads(1);
  for (int i = 1; i < kCallers; ++i) threads.emplace_back(caller, i);
  std::this_thread::sleep_for(100ms);
  source.release();
  for (auto& t : threads) t.join();

  for (int i = 0; i < kCallers; ++i) {
    EXPECT_TRUE(succeeded[i]) << i;
    EXPECT_GT(after[i], before[i]) << "caller " << i << " saw a snapshot loaded before its call";
  }
  // Callers 1..7 wait on load 1 and then share load 2; a straggler could need a third.
  EXPECT_GE(source.loads(), 2);
  EXPECT_LE(source.loads(), 3);
}

TEST(ReadModel, ManyConcurrentRefreshesEachSeeAFreshSnapshot) {
  // No gate here: callers arrive while loads run, at whatever moment the scheduler picks.
  constexpr int kCallers = 6, kRounds = 20;
  FakeSource source;
  source.slowLoads(1ms);
  ReadModel model(source);
  std::atomic<int> stale{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        const int before = source.loads();
        if (!model.refresh().has_value()) ++failed;
        if (model.current()->seq() <= before) ++stale;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(stale.load(), 0);
  EXPECT_LT(source.loads(), kCallers * kRounds);  // some loads were shared
}

TEST(ReadModel, RefreshIfBehindReloadsOnlyWhenTheSeqMoved) {
  FakeSource source;
  source.seqFromPublished = true;
  ReadModel model(source);

  ASSERT_TRUE(model.refreshIfBehind().has_value());  // published 0 = the empty snapshot's seq
  EXPECT_EQ(source.loads(), 0);

  source.published = 5;
  ASSERT_TRUE(model.refreshIfBehind().has_value());
  EXPECT_EQ(source.loads(), 1);
  EXPECT_EQ(model.current()->seq(), 5);

  ASSERT_TRUE(model.refreshIfBehind().has_value());
  EXPECT_EQ(source.loads(), 1);

  source.published = 6;
  ASSERT_TRUE(model.refreshIfBehind().has_value());
  EXPECT_EQ(source.loads(), 2);
  EXPECT_EQ(model.current()->seq(), 6);
}

TEST(ReadModel, AnOlderSnapshotNeverReplacesANewerOne) {
  // A load from a lagging replica may return less than the model already has.
  FakeSource source;
  source.seqFromPublished = true;
  source.published = 9;
  ReadModel model(source);
  ASSERT_TRUE(model.refresh().has_value());
  const SnapshotPtr newer = model.current();
  source.published = 4;
  ASSERT_TRUE(model.refresh().has_value());
  EXPECT_EQ(model.current(), newer);
  EXPECT_EQ(model.current()->seq(), 9);
}

TEST(ReadModel, FailingLoadReturnsTheErrorAndKeepsTheOldSnapshot) {
  FakeSource source;
  ReadModel model(source);
  ASSERT_TRUE(model.refresh().has_value());
  const SnapshotPtr before = model.current();

  source.failAll = true;
  const Status status = model.refresh();
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::Unavailable);
  EXPECT_EQ(status.error().detail, "synthetic load failure");
  EXPECT_EQ(model.current(), before);

  source.failAll = false;
  ASSERT_TRUE(model.refresh().has_value());
  EXPECT_EQ(model.current()->seq(), 3);  // load 2 failed, load 3 succeeded
}

TEST(ReadModel, FailingLoadDoesNotStrandWaitingCallers) {
  FakeSource source;
  source.holdFirstLoad();
  source.failLoadNumber = 1;
  ReadModel model(source);
  bool firstOk = true, secondOk = false;
  std::thread first([&] { firstOk = model.refresh().has_value(); });
  source.waitForLoads(1);
  std::thread second([&] { secondOk = model.refresh().has_value(); });
  std::this_thread::sleep_for(50ms);
  source.release();
  first.join();
  second.join();
  EXPECT_FALSE(firstOk);
  EXPECT_TRUE(secondOk);  // it ran a load of its own instead of inheriting the failure
  EXPECT_EQ(model.current()->seq(), 2);
}

TEST(ReadModel, FailingSeqLookupReturnsTheErrorWithoutLoading) {
  FakeSource source;
  source.failPublished = true;
  ReadModel model(source);
  const Status status = model.refreshIfBehind();
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::Unavailable);
  EXPECT_EQ(source.loads(), 0);
  EXPECT_EQ(model.current()->seq(), 0);
}

}  // namespace
