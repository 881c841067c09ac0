#include "kkr/domain/key_turns.hpp"

#include <utility>

namespace kkr::domain {

KeyTurns::Turn KeyTurns::take(std::string key) {
  std::unique_lock lock(mutex_);
  Slot& slot = slots_[key];
  ++slot.users;
  slot.free.wait(lock, [&] { return !slot.held; });
  slot.held = true;
  return Turn(*this, std::move(key));
}

void KeyTurns::release(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto it = slots_.find(key);
  it->second.held = false;
  if (--it->second.users == 0) {
    slots_.erase(it);
  } else {
    it->second.free.notify_one();
  }
}

std::size_t KeyTurns::keysInUse() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

KeyTurns::Turn::~Turn() { owner_.release(key_); }

}  // namespace kkr::domain
