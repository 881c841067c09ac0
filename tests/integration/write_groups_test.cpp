// WriteGroups (kkr/persistence/write_groups.hpp) without a database: who leads, who waits, what
// a group holds, and what becomes of writes whose group fails. Leaders are held on a latch so
// that the order of events is the test's, not the scheduler's.

#include "kkr/persistence/write_groups.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <latch>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace kkr::persistence {
namespace {

using namespace std::chrono_literals;

/// Waits (up to 10 s) until `groups` has `count` writes waiting.
void awaitWaiting(const WriteGroups& groups, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (groups.waiting() != count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_EQ(groups.waiting(), count);
}

/// Records each group's docs; the first `held` groups wait for `release` before they end.
struct Recorder {
  explicit Recorder(std::ptrdiff_t held) : release(1), heldGroups(held) {}

  void run(const std::vector<GroupedWrite*>& group) {
    std::size_t index = 0;
    {
      std::lock_guard lock(mutex);
      index = groups.size();
      groups.emplace_back();
      for (const auto* w : group) groups.back().push_back(w->doc);
    }
    if (static_cast<std::ptrdiff_t>(index) < heldGroups) release.wait();
    for (auto* w : group) w->outcome = "row of " + w->doc;
  }

  std::latch release;
  std::ptrdiff_t heldGroups;
  std::mutex mutex;
  std::vector<std::vector<std::string>> groups;
};

/// Waits (up to 10 s) until `recorder` has seen `count` groups start.
void awaitGroups(Recorder& recorder, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(recorder.mutex);
      if (recorder.groups.size() == count) return;
    }
    std::this_thread::sleep_for(1ms);
  }
  FAIL() << "no group " << count << " started";
}

GroupedWrite writeOf(std::string doc, std::optional<std::string> key = std::nullopt) {
  return GroupedWrite{std::move(doc), std::move(key), std::nullopt, std::nullopt};
}

TEST(WriteGroups, ALoneWriteRunsAtOnceAndByItself) {
  WriteGroups groups(16, 2);
  Recorder recorder(0);
  auto write = writeOf("a");
  groups.run("person insert", write, [&](const auto& g) { recorder.run(g); });
  ASSERT_TRUE(write.outcome.has_value());
  EXPECT_EQ(write.outcome->value(), "row of a");
  EXPECT_EQ(recorder.groups, (std::vector<std::vector<std::string>>{{"a"}}));
  EXPECT_EQ(groups.groupsRun(), 1u);
  EXPECT_EQ(groups.writesRun(), 1u);
}

TEST(WriteGroups, WritesThatWaitForRunningStatementsRunTogetherInArrivalOrder) {
  WriteGroups groups(4, 2);
  Recorder recorder(2);  // the two leaders hold their statements open
  const auto run = [&](const std::vector<GroupedWrite*>& g) { recorder.run(g); };
  std::vector<GroupedWrite> writes;
  for (const char* doc : {"lead1", "lead2", "w1", "w2", "w3", "w4", "w5"}) {
    writes.push_back(writeOf(doc));
  }
  std::vector<std::thread> threads;
  // One at a time, so that arrival order is known: two lead, five wait.
  for (std::size_t i = 0; i < writes.size(); ++i) {
    threads.emplace_back([&, i] { groups.run("person insert", writes[i], run); });
    if (i < 2) {
      awaitGroups(recorder, i + 1);
    } else {
      awaitWaiting(groups, i - 1);
    }
  }
  // Another kind never waits for this one.
  auto other = writeOf("meeting");
  groups.run("meeting insert", other, run);
  EXPECT_EQ(other.outcome->value(), "row of meeting");

  recorder.release.count_down();
  for (auto& t : threads) t.join();
  // At most four to a group: the first four that waited, then the fifth alone (the last two
  // groups may start in either order).
  std::sort(recorder.groups.begin() + 3, recorder.groups.end());
  EXPECT_EQ(recorder.groups,
            (std::vector<std::vector<std::string>>{
                {"lead1"}, {"lead2"}, {"meeting"}, {"w1", "w2", "w3", "w4"}, {"w5"}}));
  for (const auto& w : writes) EXPECT_EQ(w.outcome->value(), "row of " + w.doc);
  EXPECT_EQ(groups.groupsRun(), 5u);
  EXPECT_EQ(groups.writesRun(), 8u);
}

TEST(WriteGroups, AGroupNeverHoldsOneKeyTwice) {
  WriteGroups groups(16, 1);
  Recorder recorder(1);
  const auto run = [&](const std::vector<GroupedWrite*>& g) { recorder.run(g); };
  std::vector<GroupedWrite> writes;
  writes.push_back(writeOf("lead", "9"));
  writes.push_back(writeOf("k1 first", "1"));
  writes.push_back(writeOf("k1 second", "1"));
  writes.push_back(writeOf("k2", "2"));
  std::vector<std::thread> threads;
  threads.emplace_back([&] { groups.run("person update", writes[0], run); });
  awaitGroups(recorder, 1);
  for (std::size_t i = 1; i < writes.size(); ++i) {
    threads.emplace_back([&, i] { groups.run("person update", writes[i], run); });
    awaitWaiting(groups, i);
  }
  recorder.release.count_down();
  for (auto& t : threads) t.join();
  EXPECT_EQ(recorder.groups,
            (std::vector<std::vector<std::string>>{{"lead"}, {"k1 first", "k2"}, {"k1 second"}}));
}

TEST(WriteGroups, WritesOfAGroupThatFailsGetAnErrorAndTheNextGroupRuns) {
  WriteGroups groups(16, 2);
  auto answered = writeOf("answered");
  auto forgotten = writeOf("forgotten");
  std::latch both(2);
  std::vector<std::thread> threads;
  // Two writes that lead at once, each its own group: one run leaves its write without an
  // outcome, the other throws.
  threads.emplace_back([&] {
    groups.run("k", answered, [&](const std::vector<GroupedWrite*>& g) {
      both.arrive_and_wait();
      for (auto* w : g) {
        if (w->doc == "answered") w->outcome = std::string("row");
      }
    });
  });
  threads.emplace_back([&] {
    groups.run("k", forgotten, [&](const std::vector<GroupedWrite*>&) {
      both.arrive_and_wait();
      throw std::runtime_error("lost");
    });
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(answered.outcome->value(), "row");
  ASSERT_FALSE(forgotten.outcome->has_value());
  EXPECT_EQ(forgotten.outcome->error().code, domain::ErrorCode::Internal);

  auto after = writeOf("after");
  groups.run("k", after,
             [](const std::vector<GroupedWrite*>& g) { g.front()->outcome = std::string("ok"); });
  EXPECT_EQ(after.outcome->value(), "ok");
}

}  // namespace
}  // namespace kkr::persistence
