// The versions kept for list walks: found by seq, replaced by a newer snapshot of the same seq,
// let go when idle too long or when more are kept than the bound (least recently used first).

#include "snapshot_pins.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace kkr::api {
namespace {

using namespace std::chrono_literals;

domain::SnapshotPtr snapshotAt(std::int64_t seq) {
  return std::make_shared<const domain::RegisterSnapshot>(
      seq, std::vector<domain::Kommune>{}, std::vector<domain::Period>{},
      std::vector<domain::Person>{}, std::vector<domain::KkrMember>{},
      std::vector<domain::RegionalForum>{}, std::vector<domain::Appointment>{});
}

TEST(SnapshotPins, FindsBySeqAndANewerSnapshotOfTheSameSeqReplacesTheKeptOne) {
  SnapshotPins pins(4, 60s);
  const auto t0 = SnapshotPins::Clock::now();
  const auto first = snapshotAt(7);
  pins.pin(first, t0);
  EXPECT_EQ(pins.find(7, t0), first);
  EXPECT_EQ(pins.find(8, t0), nullptr);
  const auto newer = snapshotAt(7);  // same seq: a local write not yet in the feed
  pins.pin(newer, t0 + 1s);
  EXPECT_EQ(pins.find(7, t0 + 1s), newer);
  EXPECT_EQ(pins.size(), 1u);
}

TEST(SnapshotPins, LetsGoOfIdleOnesAndOfTheLeastRecentlyUsedBeyondTheBound) {
  SnapshotPins pins(2, 60s);
  const auto t0 = SnapshotPins::Clock::now();
  pins.pin(snapshotAt(1), t0);
  pins.pin(snapshotAt(2), t0 + 1s);
  ASSERT_NE(pins.find(1, t0 + 2s), nullptr);  // 1 is now the most recently used
  pins.pin(snapshotAt(3), t0 + 3s);
  EXPECT_NE(pins.find(1, t0 + 3s), nullptr);
  EXPECT_EQ(pins.find(2, t0 + 3s), nullptr);
  EXPECT_NE(pins.find(3, t0 + 3s), nullptr);
  // Used within the idle time, kept; then a minute without use, gone.
  EXPECT_NE(pins.find(3, t0 + 62s), nullptr);
  EXPECT_EQ(pins.find(1, t0 + 64s), nullptr);
  EXPECT_EQ(pins.size(), 1u);
}

TEST(SnapshotPins, KeepsNothingWithABoundOfZero) {
  SnapshotPins pins(0, 60s);
  pins.pin(snapshotAt(1));
  EXPECT_EQ(pins.find(1), nullptr);
}

}  // namespace
}  // namespace kkr::api
