#pragma once
// The snapshots that list cursors page through. A list's `next` names the change seq of the
// snapshot its first page came from; the read model moves on with every write, so the snapshot a
// walk started on is kept here while walks use it: a few of them, each for a while after its last
// use. Snapshots share every chunk a later write did not touch (row_table.hpp), so a kept one costs
// only what changed since.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "kkr/domain/snapshot.hpp"

namespace kkr::api {

class SnapshotPins {
 public:
  using Clock = std::chrono::steady_clock;

  /// Bounds: how many snapshots are kept at most, and how long after its last use each is kept.
  explicit SnapshotPins(std::size_t max_pinned = 64,
                        Clock::duration idle = std::chrono::minutes(10))
      : maxPinned_(max_pinned), idle_(idle) {}

  /// Keeps `snapshot` for later pages of a walk that started on it. A newer snapshot with the
  /// same seq (a write committed here but not yet published) replaces the kept one, so a walk
  /// never goes back in time; it may see such a write on a later page (docs/api.md).
  void pin(const domain::SnapshotPtr& snapshot, Clock::time_point now = Clock::now());

  /// The kept snapshot with this seq, or null when none is kept (never pinned, or let go).
  domain::SnapshotPtr find(std::int64_t seq, Clock::time_point now = Clock::now());

  /// Sets the bounds; before the first pin (the server does it at construction).
  void setBounds(std::size_t max_pinned, Clock::duration idle);

  std::size_t size() const;

 private:
  struct Entry {
    domain::SnapshotPtr snapshot;
    Clock::time_point last_used;
  };
  /// Moves the snapshots idle too long into `released` (freed by the caller, after the lock).
  void expire(Clock::time_point now, std::vector<domain::SnapshotPtr>& released);  // mutex_ held

  mutable std::mutex mutex_;
  std::map<std::int64_t, Entry> pinned_;  ///< by seq
  std::size_t maxPinned_;
  Clock::duration idle_;
};

}  // namespace kkr::api
