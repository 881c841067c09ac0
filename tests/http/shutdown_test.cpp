// Shutdown drains: a write in flight when the server is told to stop is answered, not cut off.
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "write_support.hpp"

namespace kkr::testing {
namespace {

using namespace std::chrono_literals;

int waitingForLocks(soci::session& sql) {
  int waiting = 0;
  sql << "SELECT count(*) FROM pg_locks WHERE NOT granted", soci::into(waiting);
  return waiting;
}

TEST(Shutdown, AnswersTheWriteInFlightBeforeStopping) {
  const std::string editor = tokens().editor;
  TestServer draining;
  auto locker = draining.sql();
  // Hold the person table, so the POST below is inside its handler when stop() is called.
  soci::transaction hold(*locker);
  *locker << "LOCK TABLE person IN ACCESS EXCLUSIVE MODE";

  auto write = std::async(std::launch::async, [&] {
    return draining.client().request(
        "POST", "/v1/persons", jsonAuth(editor),
        R"({"name":"Testperson Under Nedlukning","kommune_code":"0851"})");
  });
  auto observer = draining.sql();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (waitingForLocks(*observer) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(waitingForLocks(*observer), 0) << "the write never reached the database";

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    draining.application().stop();
    stopped = true;
  });
  std::this_thread::sleep_for(300ms);
  // (No probe of /readyz here: Pistache may hand a new connection to the blocked reactor thread.)
  EXPECT_FALSE(stopped.load()) << "stop() returned while a request was still in flight";

  hold.rollback();  // release the table: the write goes through and is answered
  const auto created = write.get();
  stopper.join();
  EXPECT_TRUE(stopped.load());
  ASSERT_EQ(created.status, 201) << created.body;
  int stored = 0;
  *observer << "SELECT count(*) FROM person WHERE name = 'Testperson Under Nedlukning'",
      soci::into(stored);
  EXPECT_EQ(stored, 1);
}

}  // namespace
}  // namespace kkr::testing
