#pragma once
// A persistent (immutable, structurally shared) table of rows sorted by key.
//
// Snapshots of the register are never changed in place: a write makes a new snapshot and readers
// keep using the one they hold. Copying whole collections for each write made its cost grow with
// the register (20 ms of CPU per write at 14 000 persons). Here rows live in sorted chunks of at
// most kMaxChunk, each shared between every table version that did not change it, so a write
// copies one chunk and the list of chunk pointers (a few hundred pointers at 20 000 rows), and
// every other version keeps working untouched. A chunk holds its rows by pointer, so copying it
// copies pointers, not rows: deep copies of 128 rows (their strings, their collation keys) were
// a sixth of the server's CPU per write. Lookups and "rows after a key" are binary searches.
// Rows applied together to one version that nobody reads yet (upsertInPlace) copy the list and
// each chunk they touch once for all of them.

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace kkr::domain {

/// The Derived of a table whose reads need nothing worked out ahead of them.
struct NothingDerived {
  template <typename T>
  explicit NothingDerived(const T& /*row*/) {}
};

/// `KeyTraits::of(row)` returns the row's key (ordered by <); keys are unique in a table.
/// `Derived(row)` is made once, when the row enters the table, and kept beside it: for what reads
/// would otherwise work out again and again from the same row (snapshot.hpp's NameKeys).
template <typename T, typename KeyTraits, typename Derived = NothingDerived>
class RowTable {
  struct Slot {
    T row;
    [[no_unique_address]] Derived derived;
  };
  using SlotPtr = std::shared_ptr<const Slot>;
  using Chunk = std::vector<SlotPtr>;
  using ChunkPtr = std::shared_ptr<const Chunk>;
  using Spine = std::vector<ChunkPtr>;

 public:
  using Key = std::decay_t<decltype(KeyTraits::of(std::declval<const T&>()))>;

  /// Chunks are split above this size; a write copies at most this many rows.
  static constexpr std::size_t kMaxChunk = 128;

  RowTable() : chunks_(std::make_shared<Spine>()) {}

  /// Sorts `rows` by key. Of rows with equal keys (which primary keys rule out) the first stays.
  explicit RowTable(std::vector<T> rows) {
    std::stable_sort(rows.begin(), rows.end(),
                     [](const T& a, const T& b) { return KeyTraits::of(a) < KeyTraits::of(b); });
    rows.erase(
        std::unique(rows.begin(), rows.end(),
                    [](const T& a, const T& b) { return !(KeyTraits::of(a) < KeyTraits::of(b)); }),
        rows.end());
    auto spine = std::make_shared<Spine>();
    constexpr std::size_t fill = kMaxChunk / 2;  // room to grow before the first split
    for (std::size_t i = 0; i < rows.size(); i += fill) {
      Chunk chunk;
      chunk.reserve(fill);
      for (std::size_t j = i; j < std::min(rows.size(), i + fill); ++j) {
        chunk.push_back(slotOf(std::move(rows[j])));
      }
      spine->push_back(std::make_shared<Chunk>(std::move(chunk)));
    }
    size_ = rows.size();
    chunks_ = std::move(spine);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    const_iterator() = default;
    reference operator*() const { return slot().row; }
    const Derived& derived() const { return slot().derived; }
    pointer operator->() const { return &**this; }
    const_iterator& operator++() {
      if (++row_ == (*spine_)[chunk_]->size()) {
        ++chunk_;
        row_ = 0;
      }
      return *this;
    }
    const_iterator operator++(int) {
      auto before = *this;
      ++*this;
      return before;
    }
    bool operator==(const const_iterator& other) const {
      return chunk_ == other.chunk_ && row_ == other.row_;
    }

   private:
    friend class RowTable;
    const_iterator(const Spine* spine, std::size_t chunk, std::size_t row)
        : spine_(spine), chunk_(chunk), row_(row) {}
    const Slot& slot() const { return *(*(*spine_)[chunk_])[row_]; }
    const Spine* spine_ = nullptr;
    std::size_t chunk_ = 0;
    std::size_t row_ = 0;
  };

  const_iterator begin() const { return {chunks_.get(), 0, 0}; }
  const_iterator end() const { return {chunks_.get(), chunks_->size(), 0}; }

  /// The first row whose key is greater than `key` (where a page after a cursor starts).
  const_iterator upperBound(const Key& key) const {
    const auto& spine = *chunks_;
    const auto chunk = std::partition_point(spine.begin(), spine.end(), [&](const ChunkPtr& c) {
      return !(key < KeyTraits::of(c->back()->row));
    });
    if (chunk == spine.end()) return end();
    const auto row =
        std::upper_bound((*chunk)->begin(), (*chunk)->end(), key,
                         [](const Key& k, const SlotPtr& s) { return k < KeyTraits::of(s->row); });
    return {chunks_.get(), static_cast<std::size_t>(chunk - spine.begin()),
            static_cast<std::size_t>(row - (*chunk)->begin())};
  }

  /// The row with `key`, or nullptr. The pointer stays valid as long as this table (or any
  /// version sharing the row) is alive.
  const T* find(const Key& key) const {
    const Slot* found = findSlot(key);
    return found ? &found->row : nullptr;
  }

  /// What was derived from the row with `key`, or nullptr; valid as long as find's pointer.
  const Derived* derivedOf(const Key& key) const {
    const Slot* found = findSlot(key);
    return found ? &found->derived : nullptr;
  }

  /// This table with `row` added, or replacing the row with the same key.
  RowTable upsert(T row) const {
    RowTable next(*this);
    next.upsertInPlace(std::move(row));
    return next;
  }

  /// This table without the row with `key` (itself when there is none).
  RowTable erase(const Key& key) const {
    RowTable next(*this);
    next.eraseInPlace(key);
    return next;
  }

  /// Adds `row`, or replaces the row with the same key, in this table. What another version of
  /// the table still shares is copied first (the list of chunks, the row's chunk); what only
  /// this one holds is changed where it is. So a batch of rows applied to one new version (a
  /// group of writes, a page of the feed) copies the list and each chunk it touches once, not
  /// once per row. Only the holder of the table may call this: a version that no other thread
  /// can reach yet.
  void upsertInPlace(T row) {
    const Key key = KeyTraits::of(row);
    SlotPtr slot = slotOf(std::move(row));
    auto [chunkIndex, rowIndex] = locate(key);
    Spine& spine = ownSpine();
    if (spine.empty()) {
      spine.push_back(std::make_shared<Chunk>(Chunk{std::move(slot)}));
      size_ = 1;
      return;
    }
    if (chunkIndex == npos) {  // after every key: append to the last chunk
      chunkIndex = spine.size() - 1;
      rowIndex = spine[chunkIndex]->size();
    }
    Chunk& chunk = ownChunk(spine, chunkIndex);
    const bool replaces = rowIndex < chunk.size() && !(key < KeyTraits::of(chunk[rowIndex]->row));
    if (replaces) {
      chunk[rowIndex] = std::move(slot);
      return;
    }
    chunk.insert(chunk.begin() + static_cast<std::ptrdiff_t>(rowIndex), std::move(slot));
    ++size_;
    if (chunk.size() > kMaxChunk) {
      const auto middle = chunk.begin() + static_cast<std::ptrdiff_t>(chunk.size() / 2);
      ChunkPtr upper = std::make_shared<Chunk>(std::make_move_iterator(middle),
                                               std::make_move_iterator(chunk.end()));
      chunk.erase(middle, chunk.end());
      spine.insert(spine.begin() + static_cast<std::ptrdiff_t>(chunkIndex) + 1, std::move(upper));
    }
  }

  /// Removes the row with `key` from this table, if there is one (see upsertInPlace).
  void eraseInPlace(const Key& key) {
    if (find(key) == nullptr) return;
    const auto [chunkIndex, rowIndex] = locate(key);
    Spine& spine = ownSpine();
    Chunk& chunk = ownChunk(spine, chunkIndex);
    chunk.erase(chunk.begin() + static_cast<std::ptrdiff_t>(rowIndex));
    if (chunk.empty()) spine.erase(spine.begin() + static_cast<std::ptrdiff_t>(chunkIndex));
    --size_;
  }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  /// The list of chunks, copied first if another version shares it. Every Spine and Chunk is
  /// made non-const (make_shared<Spine>, make_shared<Chunk>) and only held as const, so changing
  /// one that nothing else holds is well-defined. A count of one cannot grow meanwhile: only the
  /// holder of this table could share it.
  Spine& ownSpine() {
    if (chunks_.use_count() != 1) chunks_ = std::make_shared<Spine>(*chunks_);
    return const_cast<Spine&>(*chunks_);
  }

  /// Chunk `index` of `spine` (owned), copied first if another version shares it.
  static Chunk& ownChunk(Spine& spine, std::size_t index) {
    if (spine[index].use_count() != 1) spine[index] = std::make_shared<Chunk>(*spine[index]);
    return const_cast<Chunk&>(*spine[index]);
  }

  static SlotPtr slotOf(T row) {
    Derived derived(row);
    return std::make_shared<const Slot>(Slot{std::move(row), std::move(derived)});
  }

  const Slot* findSlot(const Key& key) const {
    const auto [chunk, row] = locate(key);
    if (chunk == npos || row == (*chunks_)[chunk]->size()) return nullptr;
    const Slot& found = *(*(*chunks_)[chunk])[row];
    return KeyTraits::of(found.row) < key || key < KeyTraits::of(found.row) ? nullptr : &found;
  }

  /// The chunk whose key range holds `key` (npos when it is after every key) and the position of
  /// the first row in it whose key is not less than `key`. Chunks are never empty.
  std::pair<std::size_t, std::size_t> locate(const Key& key) const {
    const auto& spine = *chunks_;
    const auto chunk = std::partition_point(spine.begin(), spine.end(), [&](const ChunkPtr& c) {
      return KeyTraits::of(c->back()->row) < key;
    });
    if (chunk == spine.end()) return {npos, 0};
    const auto row =
        std::lower_bound((*chunk)->begin(), (*chunk)->end(), key,
                         [](const SlotPtr& s, const Key& k) { return KeyTraits::of(s->row) < k; });
    return {static_cast<std::size_t>(chunk - spine.begin()),
            static_cast<std::size_t>(row - (*chunk)->begin())};
  }

  std::shared_ptr<const Spine> chunks_;
  std::size_t size_ = 0;
};

}  // namespace kkr::domain
