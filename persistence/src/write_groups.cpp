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
  auto me = std::make_shared<Waiter>(&write);
  std::unique_lock lock(mutex_);
  Kind& k = kinds_[kind];  // map nodes stay put, and no kind is ever removed
  k.waiting.push_back(me);
  if (k.waiting.size() == 1 && k.running < maxRunning_) {
    me->lead = true;  // nothing in line and room to run: no wait at all
  } else {
    lock.unlock();
    me->sleep();           // once: done or lead, both set before the wake-up
    if (me->done) return;  // a leader ran it in its group
    lock.lock();
  }

  const std::vector<WaiterPtr> group = takeGroup(k);
  ++k.running;
  // What did not fit may lead a statement of its own, if another may run.
  const WaiterPtr next = promoteNext(k);
  lock.unlock();
  if (next) next->wake();

  std::vector<GroupedWrite*> writes;
  writes.reserve(group.size());
  for (const WaiterPtr& waiter : group) writes.push_back(waiter->write);
  runCaught(writes, runGroup);
  groups_.fetch_add(1, std::memory_order_relaxed);
  writes_.fetch_add(writes.size(), std::memory_order_relaxed);

  lock.lock();
  --k.running;
  for (const WaiterPtr& waiter : group) waiter->done = true;
  const WaiterPtr after = promoteNext(k);
  lock.unlock();
  for (const WaiterPtr& waiter : group) {
    if (waiter != me) waiter->wake();
  }
  if (after) after->wake();
}

void WriteGroups::Waiter::wake() { woken.release(); }

void WriteGroups::Waiter::sleep() { woken.acquire(); }

WriteGroups::WaiterPtr WriteGroups::promoteNext(Kind& kind) const {
  if (kind.waiting.empty() || kind.running >= maxRunning_) return nullptr;
  WaiterPtr next = kind.waiting.front();
  if (next->lead) return nullptr;  // told already, and not yet awake
  next->lead = true;
  return next;
}

std::size_t WriteGroups::waiting() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [name, kind] : kinds_) count += kind.waiting.size();
  return count;
}

/// The front waiter and those behind it, in order, up to maxGroup_; a key already in the group
/// stays waiting, so that no statement updates one row twice.
std::vector<WriteGroups::WaiterPtr> WriteGroups::takeGroup(Kind& kind) const {
  std::vector<WaiterPtr> group;
  std::set<std::string, std::less<>> keys;
  std::deque<WaiterPtr> left;
  for (WaiterPtr& waiter : kind.waiting) {
    const auto& key = waiter->write->key;
    if (group.size() < maxGroup_ && (!key || keys.insert(*key).second)) {
      group.push_back(std::move(waiter));
    } else {
      left.push_back(std::move(waiter));
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
