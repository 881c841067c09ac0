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
      current_ = std::make_shared<const RegisterSnapshot>(std::move(loaded).value());
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

}  // namespace kkr::domain
