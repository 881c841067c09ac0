#pragma once
// Turns per key: the patches of one row in this instance run one after another. A patch reads
// the row's current version and writes with it; two patches of one row that overlap in time
// always cost one of them a lost version race, a second write and a re-read. Taking turns, the
// second reads the first one's committed row (the writer tells the read model before it
// returns) and writes once. Writes from other instances are still caught by the version check.
// A turn only saves a retry, so nobody waits for one without a bound: when the holders ahead are
// slow (PostgreSQL frozen, every write waiting out its timeout), a write goes ahead without its
// turn after a while, and the version check keeps it correct, as it did before turns.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace kkr::domain {

class KeyTurns {
 public:
  /// Holds the turn of one key until it goes out of scope.
  class Turn {
   public:
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    Turn(Turn&& other) noexcept : owner_(other.owner_), key_(std::move(other.key_)) {
      other.owner_ = nullptr;
    }
    Turn& operator=(Turn&&) = delete;
    ~Turn();

   private:
    friend class KeyTurns;
    Turn(KeyTurns& owner, std::string key) : owner_(&owner), key_(std::move(key)) {}
    KeyTurns* owner_;  ///< nullptr once moved from
    std::string key_;
  };

  /// Waits until no other Turn of `key` is held, then holds it; nothing when that took longer
  /// than `patience`.
  [[nodiscard]] std::optional<Turn> take(std::string key, std::chrono::milliseconds patience);

  /// Keys held or waited for (for tests).
  std::size_t keysInUse() const;

 private:
  struct Slot {
    std::condition_variable free;
    std::size_t users = 0;  ///< the holder and the waiters; the slot goes when none is left
    bool held = false;
  };
  void release(const std::string& key);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Slot> slots_;  // node-based: a Slot stays put while in use
};

}  // namespace kkr::domain
