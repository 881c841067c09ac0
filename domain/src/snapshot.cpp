#include "kkr/domain/snapshot.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

namespace kkr::domain {

namespace {

/// Sorts `items` by `key` and indexes each key to its position. A stable sort keeps the loader's
/// order among duplicate keys (which the database's primary keys rule out); the index then points
/// at the first of them, the one a paging walk meets first.
template <typename T, typename Key, typename KeyOf>
void sortAndIndex(std::vector<T>& items, std::unordered_map<Key, std::size_t>& index, KeyOf keyOf) {
  std::stable_sort(items.begin(), items.end(),
                   [&](const T& a, const T& b) { return keyOf(a) < keyOf(b); });
  index.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) index.emplace(keyOf(items[i]), i);
}

template <typename T, typename Key>
const T* lookup(const std::vector<T>& items, const std::unordered_map<Key, std::size_t>& index,
                const Key& key) {
  const auto it = index.find(key);
  return it == index.end() ? nullptr : &items[it->second];
}

}  // namespace

RegisterSnapshot::RegisterSnapshot(std::int64_t seq, std::vector<Kommune> kommuner,
                                   std::vector<Period> periods, std::vector<Person> persons,
                                   std::vector<KkrMember> members,
                                   std::vector<RegionalForum> forums,
                                   std::vector<Appointment> appointments)
    : seq_(seq),
      kommuner_(std::move(kommuner)),
      periods_(std::move(periods)),
      persons_(std::move(persons)),
      members_(std::move(members)),
      forums_(std::move(forums)),
      appointments_(std::move(appointments)) {
  sortAndIndex(kommuner_, kommuneIndex_,
               [](const Kommune& k) -> const std::string& { return k.code; });
  sortAndIndex(periods_, periodIndex_, [](const Period& p) -> const std::string& { return p.id; });
  sortAndIndex(persons_, personIndex_, [](const Person& p) { return p.id; });
  sortAndIndex(members_, memberIndex_, [](const KkrMember& m) { return m.id; });
  sortAndIndex(forums_, forumIndex_, [](const RegionalForum& f) { return f.id; });
  sortAndIndex(appointments_, appointmentIndex_, [](const Appointment& a) { return a.id; });
}

const Kommune* RegisterSnapshot::kommune(const std::string& code) const {
  return lookup(kommuner_, kommuneIndex_, code);
}
const Period* RegisterSnapshot::period(const std::string& id) const {
  return lookup(periods_, periodIndex_, id);
}
const Person* RegisterSnapshot::person(Id id) const { return lookup(persons_, personIndex_, id); }
const KkrMember* RegisterSnapshot::member(Id id) const {
  return lookup(members_, memberIndex_, id);
}
const RegionalForum* RegisterSnapshot::forum(Id id) const {
  return lookup(forums_, forumIndex_, id);
}
const Appointment* RegisterSnapshot::appointment(Id id) const {
  return lookup(appointments_, appointmentIndex_, id);
}

namespace {

// Applies one row to a copy of its collection; false when that changes nothing. An upsert wins
// only over an older version, so writes applied out of commit order cannot go back in time.
template <typename E>
bool applyRow(std::vector<E>& rows, const E& row, bool removed) {
  const auto it =
      std::find_if(rows.begin(), rows.end(), [&](const E& r) { return r.id == row.id; });
  if (removed) {
    if (it == rows.end()) return false;
    rows.erase(it);
    return true;
  }
  if (it == rows.end()) {
    rows.push_back(row);
    return true;
  }
  if (it->meta.version >= row.meta.version) return false;
  *it = row;
  return true;
}

}  // namespace

std::optional<RegisterSnapshot> RegisterSnapshot::with(const RowWrite& write) const {
  auto persons = persons_;
  auto members = members_;
  auto forums = forums_;
  auto appointments = appointments_;
  const bool changed = std::visit(
      [&](const auto& row) {
        using E = std::decay_t<decltype(row)>;
        if constexpr (std::is_same_v<E, Person>) return applyRow(persons, row, write.removed);
        if constexpr (std::is_same_v<E, KkrMember>) return applyRow(members, row, write.removed);
        if constexpr (std::is_same_v<E, RegionalForum>) return applyRow(forums, row, write.removed);
        if constexpr (std::is_same_v<E, Appointment>) {
          return applyRow(appointments, row, write.removed);
        }
      },
      write.row);
  if (!changed) return std::nullopt;
  return RegisterSnapshot(seq_, kommuner_, periods_, std::move(persons), std::move(members),
                          std::move(forums), std::move(appointments));
}

}  // namespace kkr::domain
