#include "kkr/domain/read_model.hpp"

#include <utility>

namespace kkr::domain {

ReadModel::ReadModel(SnapshotSource& source, ReadModelLimits limits)
    : source_(source), limits_(limits), current_(std::make_shared<const RegisterSnapshot>()) {}

void ReadModel::publish(RegisterSnapshot next) {
  auto fresh = std::make_shared<const RegisterSnapshot>(std::move(next));
  std::lock_guard lock(currentMutex_);
  current_.swap(fresh);
  // The old version is released after the lock (by `fresh`), so freeing it never holds readers.
}

void ReadModel::remember(const RowWrite& removed) {
  auto key = rowKey(removed);
  const auto version = rowVersion(removed);
  auto [it, inserted] = deleted_.try_emplace(key, version);
  if (!inserted) {
    if (it->second < version) it->second = version;
    return;
  }
  deletedOrder_.push_back(std::move(key));
  while (deletedOrder_.size() > limits_.remembered_deletes) {
    deleted_.erase(deletedOrder_.front());
    deletedOrder_.pop_front();
  }
}

void ReadModel::applyTo(RegisterSnapshot& next, const RowWrite& write) {
  if (write.effect == RowEffect::Removed) {
    remember(write);
  } else if (const auto it = deleted_.find(rowKey(write));
             it != deleted_.end() && rowVersion(write) <= it->second) {
    return;
  }
  next.apply(write);  // `next` is not published yet: rows of one batch share its copies
}

void ReadModel::committed(const std::vector<RowWrite>& rows) {
  if (rows.empty()) return;
  std::lock_guard lock(applyMutex_);
  RegisterSnapshot next = *current();
  for (const RowWrite& row : rows) applyTo(next, row);
  if (loading_)
    committedWhileLoading_.insert(committedWhileLoading_.end(), rows.begin(), rows.end());
  publish(std::move(next));
}

std::size_t ReadModel::rememberedDeletes() const {
  std::lock_guard lock(applyMutex_);
  return deleted_.size();
}

Status ReadModel::reload() {
  std::lock_guard follow(followMutex_);
  return reloadLocked();
}

Status ReadModel::reloadLocked() {
  {
    std::lock_guard lock(applyMutex_);
    loading_ = true;
    committedWhileLoading_.clear();
  }
  auto loaded = source_.loadSnapshot();
  std::lock_guard lock(applyMutex_);
  loading_ = false;
  if (!loaded) {
    committedWhileLoading_.clear();
    return fail(std::move(loaded).error());
  }
  RegisterSnapshot next = std::move(loaded).value();
  if (next.seq() < current()->seq()) {
    // The change log went back (a restored or emptied database): what was deleted before may be
    // created again with the same keys, so the remembered deletes no longer hold.
    deleted_.clear();
    deletedOrder_.clear();
  }
  // The load may have read the tables before these commits: apply them on top (a row the load
  // already has at that version stays as it is).
  for (const RowWrite& row : committedWhileLoading_) applyTo(next, row);
  committedWhileLoading_.clear();
  publish(std::move(next));
  return ok();
}

Status ReadModel::catchUp() {
  std::lock_guard follow(followMutex_);
  for (;;) {
    const SnapshotPtr held = current();
    const std::int64_t from = held->seq();
    // A row `held` has at that version is in every later snapshot too (or a newer write of it).
    const KnownRow known = [&held](std::string_view entity, std::string_view key,
                                   std::int64_t version) {
      return held->holds(entity, key, version);
    };
    auto page = source_.changesAfter(from, limits_.feed_page, known);
    if (!page) return fail(std::move(page).error());
    if (page->published - from > limits_.reload_after) return reloadLocked();
    if (page->rows.empty()) {
      if (page->published > from) return reloadLocked();  // published but gone: pruned
      return ok();
    }
    if (page->rows.front().seq != from + 1) return reloadLocked();  // a gap: pruned rows
    {
      std::lock_guard lock(applyMutex_);
      RegisterSnapshot next = *current();
      for (const PublishedRow& row : page->rows) {
        if (row.write) applyTo(next, *row.write);
      }
      publish(next.withSeq(page->rows.back().seq));
    }
    if (page->rows.size() < limits_.feed_page) return ok();
  }
}

}  // namespace kkr::domain
