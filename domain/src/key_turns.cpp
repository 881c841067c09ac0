#include "kkr/domain/key_turns.hpp"

#include <utility>

namespace kkr::domain {

std::optional<KeyTurns::Turn> KeyTurns::take(std::string key, std::chrono::milliseconds patience) {
  std::unique_lock lock(mutex_);
  Slot& slot = slots_[key];
  ++slot.users;
  if (!slot.free.wait_for(lock, patience, [&] { return !slot.held; })) {
    --slot.users;  // its holder is still a user, so the slot stays
    return std::nullopt;
  }
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

KeyTurns::Turn::~Turn() {
  if (owner_ != nullptr) owner_->release(key_);
}

}  // namespace kkr::domain
