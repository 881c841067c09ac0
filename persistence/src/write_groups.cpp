#include "kkr/persistence/write_groups.hpp"

#include <algorithm>
#include <exception>
#include <set>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "pg_errors.hpp"

namespace kkr::persistence {

WriteGroups::WriteGroups(std::size_t maxGroup, std::size_t maxRunning)
    : maxGroup_(std::max<std::size_t>(maxGroup, 1)),
      maxRunning_(std::max<std::size_t>(maxRunning, 1)) {}

void WriteGroups::run(const std::string& kind, GroupedWrite& write, const RunGroup& runGroup) {
  if (maxGroup_ == 1) {  // grouping is off: every write runs at once, alone, as it always did
    runCaught({&write}, runGroup);
    groups_.fetch_add(1, std::memory_order_relaxed);
    writes_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  Waiter me{&write, false, false, {}};
  std::unique_lock lock(mutex_);
  Kind& k = kinds_[kind];  // map nodes stay put, and no kind is ever removed
  k.waiting.push_back(&me);
  if (k.waiting.size() == 1 && k.running < maxRunning_) {
    me.lead = true;  // nothing in line and room to run: no wait at all
  } else {
    me.wake.wait(lock, [&] { return me.done || me.lead; });
  }
  if (me.done) return;  // a leader ran it in its group

  const std::vector<Waiter*> group = takeGroup(k);
  ++k.running;
  promoteNext(k);  // what did not fit may lead a statement of its own, if another may run
  lock.unlock();

  std::vector<GroupedWrite*> writes;
  writes.reserve(group.size());
  for (Waiter* waiter : group) writes.push_back(waiter->write);
  runCaught(writes, runGroup);
  groups_.fetch_add(1, std::memory_order_relaxed);
  writes_.fetch_add(writes.size(), std::memory_order_relaxed);

  lock.lock();
  --k.running;
  for (Waiter* waiter : group) {
    if (waiter == &me) continue;
    waiter->done = true;
    waiter->wake.notify_one();  // under the lock: the waiter cannot return before it is released
  }
  promoteNext(k);
}

/// Tells the first write in line to lead, if a statement of its kind may start.
void WriteGroups::promoteNext(Kind& kind) const {
  if (kind.waiting.empty() || kind.running >= maxRunning_) return;
  Waiter* next = kind.waiting.front();
  if (next->lead) return;
  next->lead = true;
  next->wake.notify_one();
}

std::size_t WriteGroups::waiting() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [name, kind] : kinds_) count += kind.waiting.size();
  return count;
}

/// The front waiter and those behind it, in order, up to maxGroup_; a key already in the group
/// stays waiting, so that no statement updates one row twice.
std::vector<WriteGroups::Waiter*> WriteGroups::takeGroup(Kind& kind) const {
  std::vector<Waiter*> group;
  std::set<std::string, std::less<>> keys;
  std::deque<Waiter*> left;
  for (Waiter* waiter : kind.waiting) {
    const auto& key = waiter->write->key;
    if (group.size() < maxGroup_ && (!key || keys.insert(*key).second)) {
      group.push_back(waiter);
    } else {
      left.push_back(waiter);
    }
  }
  kind.waiting.swap(left);
  return group;
}

void WriteGroups::runCaught(const std::vector<GroupedWrite*>& writes, const RunGroup& runGroup) {
  try {
    runGroup(writes);
  } catch (const std::exception& e) {
    spdlog::error("a group of {} writes failed: {}", writes.size(), describeForLog(e));
  } catch (...) {
    spdlog::error("a group of {} writes failed", writes.size());
  }
  for (GroupedWrite* write : writes) {
    if (!write->outcome) {
      write->outcome = domain::fail(domain::Error::internal("the write was not run"));
    }
  }
}

}  // namespace kkr::persistence
