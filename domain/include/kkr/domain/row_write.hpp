#pragma once
// A row as a committed transaction left it: what a writer reports after its commit and what a
// change-feed row carries, so both reach the read model in the same form.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "kkr/domain/entities.hpp"

namespace kkr::domain {

/// What a committed transaction did to a row: stored it (created or updated), or removed it.
enum class RowEffect { Stored, Removed };

/// A row as a committed transaction left it: its stored state, or (RowEffect::Removed) the state
/// it had when it was deleted. Its meta.version orders the versions of one key: a later write of
/// a row always has a higher version, and a kommune or period created again after a delete
/// continues from the deleted version (migration V003), so "the higher version wins" needs no
/// clock.
struct RowWrite {
  std::variant<Kommune, Period, Person, KkrMember, RegionalForum, Appointment, Meeting> row;
  RowEffect effect = RowEffect::Stored;
};

/// Which row a write is about: (entity, key as text).
using RowKey = std::pair<std::size_t, std::string>;
RowKey rowKey(const RowWrite& write);
std::int64_t rowVersion(const RowWrite& write);

}  // namespace kkr::domain
