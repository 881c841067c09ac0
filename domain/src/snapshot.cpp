#include "kkr/domain/snapshot.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

#include "kkr/domain/fields.hpp"
#include "kkr/domain/text.hpp"

namespace kkr::domain {

NameKeys::NameKeys(const Kommune& kommune)
    : sort_key(danishSortKey(kommune.name)), folded{foldForSearch(kommune.name)} {}

NameKeys::NameKeys(const Person& person)
    : sort_key(danishSortKey(person.name)), folded{foldForSearch(person.name)} {
  for (const std::string& name : person.other_names) folded.push_back(foldForSearch(name));
}

NameKeys::NameKeys(const RegionalForum& forum)
    : sort_key(danishSortKey(forum.name)), folded{foldForSearch(forum.name)} {}

bool NameKeys::matches(std::string_view foldedNeedle) const {
  return std::any_of(folded.begin(), folded.end(), [&](const std::string& name) {
    return name.find(foldedNeedle) != std::string::npos;
  });
}

namespace {

std::string keyText(const std::string& key) { return key; }
std::string keyText(Id id) { return std::to_string(id); }

/// A row's key, as the snapshot's tables order it (KommuneByCode, PeriodById, ById).
std::string keyOf(const Kommune& k) { return KommuneByCode::of(k); }
std::string keyOf(const Period& p) { return PeriodById::of(p); }
template <typename E>
Id keyOf(const E& row) {
  return ById::of(row);
}

/// Applies `row` to `table` in place; false when that changes nothing. An upsert wins only over
/// an older version and a removal only over the version it removed (or an older one), so writes
/// that arrive out of commit order (a local commit and the feed, or the feed's xid order) cannot
/// take a row back in time.
template <typename Table, typename E>
bool applyIn(Table& table, const E& row, RowEffect effect) {
  const E* stored = table.find(keyOf(row));
  if (effect == RowEffect::Removed) {
    if (stored == nullptr || stored->meta.version > row.meta.version) return false;
    table.eraseInPlace(keyOf(row));
    return true;
  }
  if (stored != nullptr && stored->meta.version >= row.meta.version) return false;
  table.upsertInPlace(row);
  return true;
}

}  // namespace

RowKey rowKey(const RowWrite& write) {
  return {write.row.index(),
          std::visit([](const auto& row) { return keyText(keyOf(row)); }, write.row)};
}

std::int64_t rowVersion(const RowWrite& write) {
  return std::visit([](const auto& row) { return row.meta.version; }, write.row);
}

RegisterSnapshot::RegisterSnapshot(std::int64_t seq, std::vector<Kommune> kommuner,
                                   std::vector<Period> periods, std::vector<Person> persons,
                                   std::vector<KkrMember> members,
                                   std::vector<RegionalForum> forums,
                                   std::vector<Appointment> appointments,
                                   std::vector<Meeting> meetings)
    : seq_(seq),
      kommuner_(std::move(kommuner)),
      periods_(std::move(periods)),
      persons_(std::move(persons)),
      members_(std::move(members)),
      forums_(std::move(forums)),
      appointments_(std::move(appointments)),
      meetings_(std::move(meetings)) {}

std::optional<RegisterSnapshot> RegisterSnapshot::with(const RowWrite& write) const {
  RegisterSnapshot next(*this);  // shares every table; apply copies what it changes
  if (!next.apply(write)) return std::nullopt;
  return next;
}

bool RegisterSnapshot::apply(const RowWrite& write) {
  return std::visit(
      [&](const auto& row) {
        using E = std::decay_t<decltype(row)>;
        if constexpr (std::is_same_v<E, Kommune>) return applyIn(kommuner_, row, write.effect);
        if constexpr (std::is_same_v<E, Period>) return applyIn(periods_, row, write.effect);
        if constexpr (std::is_same_v<E, Person>) return applyIn(persons_, row, write.effect);
        if constexpr (std::is_same_v<E, KkrMember>) return applyIn(members_, row, write.effect);
        if constexpr (std::is_same_v<E, RegionalForum>) return applyIn(forums_, row, write.effect);
        if constexpr (std::is_same_v<E, Appointment>) {
          return applyIn(appointments_, row, write.effect);
        }
        if constexpr (std::is_same_v<E, Meeting>) return applyIn(meetings_, row, write.effect);
      },
      write.row);
}

bool RegisterSnapshot::holds(std::string_view entity, std::string_view key,
                             std::int64_t version) const {
  bool held = false;
  forEachEntity([&]<typename E>(std::type_identity<E>) {
    if (held || entity != entityName<E>()) return;
    const E* row = nullptr;
    if constexpr (std::is_same_v<KeyOf<E>, std::string>) {
      row = findRow<E>(*this, std::string(key));
    } else {
      Id id = 0;
      const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), id);
      if (error != std::errc() || end != key.data() + key.size()) return;
      row = findRow<E>(*this, id);
    }
    held = row != nullptr && row->meta.version >= version;
  });
  return held;
}

RegisterSnapshot RegisterSnapshot::withSeq(std::int64_t seq) const {
  RegisterSnapshot next(*this);
  next.seq_ = seq;
  return next;
}

}  // namespace kkr::domain
