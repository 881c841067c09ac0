#include "kkr/domain/read_model.hpp"

#include <memory>
#include <utility>

namespace kkr::domain {

ReadModel::ReadModel(SnapshotSource& source)
    : source_(source), current_(std::make_shared<const RegisterSnapshot>()) {}

SnapshotPtr ReadModel::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

Status ReadModel::refresh() {
  std::unique_lock lock(mutex_);
  // A load already running may have read the tables before our caller's commit: only a load
  // that starts from now on is guaranteed to include it.
  const std::uint64_t needed = startedLoads_ + 1;
  while (finishedLoads_ < needed) {
    if (loading_) {
      loaded_.wait(lock);
      continue;
    }
    loading_ = true;
    const std::uint64_t mine = ++startedLoads_;
    lock.unlock();
    auto loaded = source_.loadSnapshot();
    lock.lock();
    loading_ = false;
    if (!loaded) {
      loaded_.notify_all();
      return fail(std::move(loaded).error());
    }
    if (loaded->seq() >= current_->seq()) {
      SnapshotPtr next = std::make_shared<const RegisterSnapshot>(std::move(loaded).value());
      // Writes applied after this load began may be missing from what it read: apply them again
      // (a row the load already has at that version is left alone). Earlier ones it has read.
      std::erase_if(applied_, [&](const Applied& a) { return a.loads_started < mine; });
      for (const Applied& a : applied_) applyTo(next, a.write);
      current_ = std::move(next);
    }
    finishedLoads_ = mine;
    loaded_.notify_all();
  }
  return ok();
}

Status ReadModel::refreshIfBehind() {
  auto seq = source_.publishedSeq();
  if (!seq) return fail(std::move(seq).error());
  if (*seq <= current()->seq()) return ok();
  return refresh();
}

std::pair<std::size_t, Id> ReadModel::keyOf(const RowWrite& write) {
  return {write.row.index(), std::visit([](const auto& row) { return row.id; }, write.row)};
}

bool ReadModel::applyTo(SnapshotPtr& snapshot, const RowWrite& write) const {
  if (!write.removed && deleted_.count(keyOf(write)) > 0) return false;
  auto next = snapshot->with(write);
  if (!next) return false;
  snapshot = std::make_shared<const RegisterSnapshot>(std::move(*next));
  return true;
}

void ReadModel::apply(const RowWrite& write) {
  std::lock_guard lock(mutex_);
  if (write.removed) deleted_.insert(keyOf(write));
  applied_.push_back({write, startedLoads_});
  applyTo(current_, write);
}

}  // namespace kkr::domain
