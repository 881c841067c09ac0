#include "snapshot_pins.hpp"

#include <algorithm>
#include <utility>

namespace kkr::api {

void SnapshotPins::expire(Clock::time_point now, std::vector<domain::SnapshotPtr>& released) {
  for (auto it = pinned_.begin(); it != pinned_.end();) {
    if (now - it->second.last_used > idle_) {
      released.push_back(std::move(it->second.snapshot));
      it = pinned_.erase(it);
    } else {
      ++it;
    }
  }
}

void SnapshotPins::pin(const domain::SnapshotPtr& snapshot, Clock::time_point now) {
  if (!snapshot || maxPinned_ == 0) return;
  // Freed after the lock (declared before it): freeing a snapshot's chunks must not hold readers.
  std::vector<domain::SnapshotPtr> released;
  std::lock_guard lock(mutex_);
  expire(now, released);
  auto [it, inserted] = pinned_.try_emplace(snapshot->seq(), Entry{snapshot, now});
  if (!inserted) {
    released.push_back(std::exchange(it->second.snapshot, snapshot));
    it->second.last_used = now;
    return;
  }
  if (pinned_.size() > maxPinned_) {
    // The least recently used goes: an abandoned walk, far more often than a slow one.
    auto oldest = std::min_element(
        pinned_.begin(), pinned_.end(),
        [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
    released.push_back(std::move(oldest->second.snapshot));
    pinned_.erase(oldest);
  }
}

domain::SnapshotPtr SnapshotPins::find(std::int64_t seq, Clock::time_point now) {
  std::vector<domain::SnapshotPtr> released;
  std::lock_guard lock(mutex_);
  expire(now, released);
  auto it = pinned_.find(seq);
  if (it == pinned_.end()) return nullptr;
  it->second.last_used = now;
  return it->second.snapshot;
}

void SnapshotPins::setBounds(std::size_t max_pinned, Clock::duration idle) {
  std::lock_guard lock(mutex_);
  maxPinned_ = max_pinned;
  idle_ = idle;
}

std::size_t SnapshotPins::size() const {
  std::lock_guard lock(mutex_);
  return pinned_.size();
}

}  // namespace kkr::api
