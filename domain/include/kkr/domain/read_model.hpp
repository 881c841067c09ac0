#pragma once
// The in-memory read model: every read is answered from an immutable snapshot of the register,
// replaced whenever the database's change sequence moves on. Reads never wait for I/O.

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "kkr/domain/result.hpp"
#include "kkr/domain/snapshot.hpp"

namespace kkr::domain {

/// Where snapshots come from (implemented by persistence/).
class SnapshotSource {
 public:
  virtual ~SnapshotSource() = default;
  /// A transactionally consistent copy of every table, stamped with the published change seq.
  virtual Result<RegisterSnapshot> loadSnapshot() = 0;
  /// The highest published change sequence number (publishing any that became safe first).
  virtual Result<std::int64_t> publishedSeq() = 0;
};

class ReadModel {
 public:
  explicit ReadModel(SnapshotSource& source);

  /// The current snapshot; cheap, never blocks on I/O. Empty (seq 0) until the first refresh.
  SnapshotPtr current() const;

  /// Returns once a snapshot that was loaded *after* this call began is current, so a writer that
  /// calls it after its commit reads its own write. Concurrent callers share one load.
  Status refresh();

  /// Reloads only when the published change sequence is ahead of the current snapshot.
  Status refreshIfBehind();

  /// Applies a row the caller has just committed, so that it reads its own write without a
  /// reload. Only for a write whose whole effect is that row (no other row changed in its
  /// transaction). Other instances' writes, and the change seq, still arrive by refresh.
  void apply(const RowWrite& write);

 private:
  /// A write applied since the last load, and how many loads had started when it was applied:
  /// a load that started later includes it, an earlier one may not.
  struct Applied {
    RowWrite write;
    std::uint64_t loads_started;
  };
  static std::pair<std::size_t, Id> keyOf(const RowWrite& write);
  /// Applies `write` to `snapshot` unless a delete of its row was applied before; true if it did.
  bool applyTo(SnapshotPtr& snapshot, const RowWrite& write) const;

  SnapshotSource& source_;
  mutable std::mutex mutex_;
  std::condition_variable loaded_;
  SnapshotPtr current_;
  std::uint64_t startedLoads_ = 0;
  std::uint64_t finishedLoads_ = 0;
  bool loading_ = false;
  std::vector<Applied> applied_;
  /// Deleted rows by (entity, id). Ids are never reused, so a write of one arriving late is stale.
  std::set<std::pair<std::size_t, Id>> deleted_;
};

}  // namespace kkr::domain
