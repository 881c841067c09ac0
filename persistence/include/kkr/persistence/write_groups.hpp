#pragma once
// Group commit for the writes that are one statement each (docs/write-path.md, "Grouped
// statements"). PostgreSQL spends most of such a write on the statement and its transaction, not
// on the row: a statement that inserts four persons costs it about what two single INSERTs do
// (bench/sql_writes.sh grouped). So writes of one kind that arrive while others of their kind are
// running wait and then run together, as one statement in one transaction.
//
// Nothing waits when nothing else runs: a write leads at once while fewer than `maxRunning`
// statements of its kind are under way, so a lone write costs what it did before. Only under
// load does a write wait, for the statement ahead of it, and then leads the next group, which
// holds every write of its kind waiting by then (at most `maxGroup`; with a `maxGroup` of 1 no
// write ever waits, and none is grouped). This class knows no SQL:
// the leader's RunGroup runs the group and gives each write its outcome.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kkr/domain/result.hpp"
#include "kkr/domain/semaphore.hpp"

namespace kkr::persistence {

/// One write that may share its statement with others of its kind.
struct GroupedWrite {
  std::string doc;                      ///< the entity's JSON
  std::optional<std::string> key;       ///< an update's row key: one group never holds a key twice
  std::optional<std::string> expected;  ///< an update's expected version (nullopt: any)
  /// Set by the group's leader: the stored row's JSON text, or why there is none.
  std::optional<domain::Result<std::string>> outcome;
};

class WriteGroups {
 public:
  /// Runs a group (in arrival order) and sets every write's outcome. A write it leaves without
  /// one, or a group it throws out of, fails as an internal error.
  using RunGroup = std::function<void(const std::vector<GroupedWrite*>&)>;

  explicit WriteGroups(std::size_t maxGroup = 16, std::size_t maxRunning = 2);

  /// Runs `write` with the writes of the same `kind` (table, statement and actor: everything
  /// its statement shares) that wait beside it. Returns once `write` has its outcome. The
  /// thread that leads runs the group with its own `runGroup`: every write of a kind must be
  /// runnable by any other's.
  void run(const std::string& kind, GroupedWrite& write, const RunGroup& runGroup);

  /// Writes waiting for a statement of their kind to end, of every kind (for tests).
  std::size_t waiting() const;

  /// Statements run so far and the writes they held (for tests and benchmarks).
  std::uint64_t groupsRun() const { return groups_.load(std::memory_order_relaxed); }
  std::uint64_t writesRun() const { return writes_.load(std::memory_order_relaxed); }

 private:
  /// A write in line. Each is woken exactly once: when a leader ran it (done) or when it is to
  /// lead. A leader wakes its writes after it has let go of the groups' mutex, so that a woken
  /// write never blocks again on the mutex its waker still holds; each waiter has a semaphore of
  /// its own for its wake-up (glibc's, not libstdc++'s, which spins with sched_yield before it
  /// sleeps and so cost a fifth of the server's CPU under load: domain/semaphore.hpp), and the
  /// leader's shared ownership keeps it alive until the wake-up is delivered.
  struct Waiter {
    explicit Waiter(GroupedWrite* w) : write(w) {}
    void wake();
    void sleep();
    GroupedWrite* write;
    bool done = false;  ///< a leader ran it (set under the groups' mutex, read after the wake-up)
    bool lead = false;  ///< it is to lead the next statement (likewise)
   private:
    domain::Semaphore woken;
  };
  using WaiterPtr = std::shared_ptr<Waiter>;
  struct Kind {
    std::deque<WaiterPtr> waiting;
    std::size_t running = 0;
  };

  std::vector<WaiterPtr> takeGroup(Kind& kind) const;
  /// The first write in line, told to lead (and to be woken), if a statement may start.
  WaiterPtr promoteNext(Kind& kind) const;
  static void runCaught(const std::vector<GroupedWrite*>& writes, const RunGroup& runGroup);

  const std::size_t maxGroup_;
  const std::size_t maxRunning_;
  mutable std::mutex mutex_;
  std::map<std::string, Kind> kinds_;  // one per table, statement and actor: a handful
  std::atomic<std::uint64_t> groups_{0};
  std::atomic<std::uint64_t> writes_{0};
};

}  // namespace kkr::persistence
