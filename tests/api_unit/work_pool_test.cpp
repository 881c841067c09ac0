// The worker threads' pool: every queued job runs, a full queue refuses at once, stop() runs what
// is queued, and a job's captures are let go outside the pool's lock.

#include "work_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace kkr::api {
namespace {

using namespace std::chrono_literals;

TEST(WorkPool, RunsEveryJobAndStopRunsWhatIsStillQueued) {
  std::atomic<int> ran{0};
  WorkPool pool(2, 100);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(pool.submit([&ran] { ++ran; }));
  pool.stop();
  EXPECT_EQ(ran.load(), 50);
  EXPECT_FALSE(pool.submit([&ran] { ++ran; })) << "a stopped pool takes nothing";
  EXPECT_EQ(ran.load(), 50);
}

TEST(WorkPool, AFullQueueRefusesAtOnce) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  WorkPool pool(1, 1);
  ASSERT_TRUE(pool.submit([released, &started] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();  // the only thread is busy; the queue is empty
  std::atomic<int> ran{0};
  EXPECT_TRUE(pool.submit([&ran] { ++ran; }));
  EXPECT_FALSE(pool.submit([&ran] { ++ran; })) << "the queue holds one";
  release.set_value();
  pool.stop();
  EXPECT_EQ(ran.load(), 1);
}

// Freed under the pool's lock, a job's request would hold up every reactor's submit, and a
// destructor that submits work (a turn handed on, say) would deadlock. The capture below checks,
// as it is destroyed, whether another thread can submit meanwhile.
class ChecksThePoolWhenReleased {
 public:
  ChecksThePoolWhenReleased(WorkPool& pool, std::promise<bool>& couldSubmit,
                            std::promise<void>& helperDone)
      : pool_(&pool), couldSubmit_(&couldSubmit), helperDone_(&helperDone) {}
  ChecksThePoolWhenReleased(const ChecksThePoolWhenReleased&) = delete;
  ChecksThePoolWhenReleased& operator=(const ChecksThePoolWhenReleased&) = delete;
  ~ChecksThePoolWhenReleased() {
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread helper([pool = pool_, done, helperDone = helperDone_] {
      pool->submit([] {});
      *done = true;
      helperDone->set_value();
    });
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!*done && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    couldSubmit_->set_value(done->load());
    helper.detach();  // if the lock is held here, the helper finishes once it is let go
  }

 private:
  WorkPool* pool_;
  std::promise<bool>* couldSubmit_;
  std::promise<void>* helperDone_;
};

TEST(WorkPool, AJobsCapturesAreReleasedOutsideThePoolsLock) {
  WorkPool pool(1, 8);
  std::promise<bool> couldSubmit;
  std::promise<void> helperDone;
  auto capture = std::make_shared<ChecksThePoolWhenReleased>(pool, couldSubmit, helperDone);
  ASSERT_TRUE(pool.submit([capture = std::move(capture)] {}));
  EXPECT_TRUE(couldSubmit.get_future().get())
      << "another thread could not submit while the job's captures were freed";
  helperDone.get_future().wait();
  pool.stop();
}

}  // namespace
}  // namespace kkr::api
