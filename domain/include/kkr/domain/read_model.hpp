#pragma once
// The in-memory read model: every read is answered from an immutable snapshot of the register.
// It moves forward row by row: a write made here applies the rows its transaction changed as
// soon as it commits, and the change feed brings every instance's rows in seq order. A full load
// happens at start and when the instance has fallen too far behind. Readers never wait for a
// write: a new version is built aside and swapped in; the current snapshot is one pointer, read
// and replaced under a mutex held only for that copy.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "kkr/domain/result.hpp"
#include "kkr/domain/snapshot.hpp"
#include "kkr/domain/writes.hpp"

namespace kkr::domain {

/// A row of the published change feed: its seq and the row as the change left it, or no row
/// when the source was told that this instance holds that version already (KnownRow).
struct PublishedRow {
  std::int64_t seq = 0;
  std::optional<RowWrite> write;
};

/// Whether this instance holds row `key` of `entity` (entityName<E>()) at `version` or newer.
/// Most of the feed of an instance that writes is its own rows, which its snapshot has from the
/// commit: the source need not read them again, only their seq.
using KnownRow =
    std::function<bool(std::string_view entity, std::string_view key, std::int64_t version)>;

struct FeedPage {
  std::vector<PublishedRow> rows;  ///< seq > the asked one, in seq order
  std::int64_t published = 0;      ///< the highest published seq when the page was read
};

/// Where snapshots and changes come from (implemented by persistence/).
class SnapshotSource {
 public:
  virtual ~SnapshotSource() = default;
  /// A transactionally consistent copy of every table, stamped with the published change seq.
  virtual Result<RegisterSnapshot> loadSnapshot() = 0;
  /// Published changes after `seq`, at most `limit`, publishing any that became safe first. A
  /// stored row for which `known` (if set) is true may come without its row; a removal always
  /// comes with it.
  virtual Result<FeedPage> changesAfter(std::int64_t seq, std::size_t limit,
                                        const KnownRow& known) = 0;
};

struct ReadModelLimits {
  std::size_t feed_page = 1000;            ///< change rows fetched per round trip
  std::int64_t reload_after = 50000;       ///< further behind than this, a full load is cheaper
  std::size_t remembered_deletes = 65536;  ///< bound on the removed keys kept (see below)
};

class ReadModel final : public CommitObserver {
 public:
  explicit ReadModel(SnapshotSource& source, ReadModelLimits limits = {});

  /// The current snapshot: one shared_ptr copy, never waits for a write being built or for I/O.
  /// Empty (seq 0) until the first load.
  SnapshotPtr current() const {
    std::lock_guard lock(currentMutex_);
    return current_;
  }

  /// Loads the whole register and makes it current. Rows committed here while it loads are
  /// applied on top, so a reader never loses its own write to a load that read too early.
  Status reload();

  /// Applies the published changes after the current seq, in pages; falls back to reload() when
  /// the feed is more than `reload_after` rows ahead or has a gap (its rows were pruned).
  Status catchUp();

  /// A write made here committed these rows (the cascades of the same transaction included):
  /// they are applied now, so the writer's caller reads its own write before any feed round trip.
  void committed(const std::vector<RowWrite>& rows) override;

  /// How many deleted keys are remembered (at most ReadModelLimits::remembered_deletes).
  std::size_t rememberedDeletes() const;

 private:
  /// Applies `write` to `next` by the version rule, unless a newer delete of the row was seen.
  void applyTo(RegisterSnapshot& next, const RowWrite& write);
  void remember(const RowWrite& removed);
  Status reloadLocked();
  void publish(RegisterSnapshot next);

  SnapshotSource& source_;
  ReadModelLimits limits_;
  /// Guards only the pointer. Not std::atomic<std::shared_ptr>: libstdc++ 12's releases its
  /// internal lock with relaxed order after a load, which ThreadSanitizer reports as a race with
  /// the next store; a mutex held for one pointer copy costs about the same and is plainly
  /// correct.
  mutable std::mutex currentMutex_;
  SnapshotPtr current_;

  /// Serialises catchUp() and reload() (their I/O included); readers never take it.
  std::mutex followMutex_;
  /// Serialises building and swapping a new snapshot; held for microseconds, never during I/O.
  mutable std::mutex applyMutex_;
  bool loading_ = false;                         ///< with applyMutex_
  std::vector<RowWrite> committedWhileLoading_;  ///< with applyMutex_

  /// Deleted keys with the version they were deleted at. A row whose upsert reaches us after its
  /// delete (the feed orders by transaction id, not by commit; a local commit may be applied
  /// late) must not come back. Keys are never reused below that version, so the oldest entries
  /// can be forgotten once the bound is reached: by then the transactions they guard are long
  /// published and applied.
  std::map<RowKey, std::int64_t> deleted_;  ///< with applyMutex_
  std::deque<RowKey> deletedOrder_;         ///< with applyMutex_, oldest first
};

}  // namespace kkr::domain
