#pragma once
// An immutable, consistent copy of the whole register. Reads are answered from it; a write makes
// a new one that shares every part the write did not touch (row_table.hpp).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "kkr/domain/entities.hpp"
#include "kkr/domain/row_table.hpp"
#include "kkr/domain/row_write.hpp"

namespace kkr::domain {

struct KommuneByCode {
  static const std::string& of(const Kommune& k) { return k.code; }
};
struct PeriodById {
  static const std::string& of(const Period& p) { return p.id; }
};
struct ById {
  template <typename E>
  static Id of(const E& e) {
    return e.id;
  }
};

/// A named row's names as sorting and search take them, made once when the row enters a
/// snapshot: ICU takes microseconds a name, too long to spend per comparison, or on every row of
/// every search request.
struct NameKeys {
  explicit NameKeys(const Kommune& kommune);
  explicit NameKeys(const Person& person);
  explicit NameKeys(const RegionalForum& forum);

  /// True when `foldedNeedle` (foldForSearch's) occurs in one of the names; "" is in all.
  bool matches(std::string_view foldedNeedle) const;

  std::string sort_key;             ///< danishSortKey(name)
  std::vector<std::string> folded;  ///< foldForSearch of the name, then of each other name
};

using KommuneTable = RowTable<Kommune, KommuneByCode, NameKeys>;
using PeriodTable = RowTable<Period, PeriodById>;
using PersonTable = RowTable<Person, ById, NameKeys>;
using MemberTable = RowTable<KkrMember, ById>;
using ForumTable = RowTable<RegionalForum, ById, NameKeys>;
using AppointmentTable = RowTable<Appointment, ById>;
using MeetingTable = RowTable<Meeting, ById>;

class RegisterSnapshot {
 public:
  /// Builds the snapshot: sorts every collection by its key and makes every named row's
  /// NameKeys with the installed TextRules (text.hpp).
  RegisterSnapshot(std::int64_t seq, std::vector<Kommune> kommuner, std::vector<Period> periods,
                   std::vector<Person> persons, std::vector<KkrMember> members,
                   std::vector<RegionalForum> forums, std::vector<Appointment> appointments,
                   std::vector<Meeting> meetings = {});
  RegisterSnapshot() : RegisterSnapshot(0, {}, {}, {}, {}, {}, {}) {}

  /// The highest published change sequence number that this snapshot includes. It may also
  /// hold rows this instance committed that are not published yet.
  std::int64_t seq() const { return seq_; }

  // Collections sorted by key: kommuner by code, periods by id, the rest (meetings too) by
  // numeric id.
  const KommuneTable& kommuner() const { return kommuner_; }
  const PeriodTable& periods() const { return periods_; }
  const PersonTable& persons() const { return persons_; }
  const MemberTable& members() const { return members_; }
  const ForumTable& forums() const { return forums_; }
  const AppointmentTable& appointments() const { return appointments_; }
  const MeetingTable& meetings() const { return meetings_; }

  // Lookups by key; nullptr when absent.
  const Kommune* kommune(const std::string& code) const { return kommuner_.find(code); }
  const Period* period(const std::string& id) const { return periods_.find(id); }
  const Person* person(Id id) const { return persons_.find(id); }
  const KkrMember* member(Id id) const { return members_.find(id); }
  const RegionalForum* forum(Id id) const { return forums_.find(id); }
  const Appointment* appointment(Id id) const { return appointments_.find(id); }
  const Meeting* meeting(Id id) const { return meetings_.find(id); }

  /// Whether row `key` (its key as text) of `entity` (entityName<E>()) is here at `version` or
  /// a newer one.
  bool holds(std::string_view entity, std::string_view key, std::int64_t version) const;

  /// This snapshot with `write` applied (same seq), or nullopt when it would change nothing: the
  /// snapshot already holds that version of the row or a newer one, or lacks the removed row (or
  /// holds a newer one). Costs one chunk of one collection; everything else is shared.
  std::optional<RegisterSnapshot> with(const RowWrite& write) const;

  /// Applies `write` to this snapshot itself, by the rule of with(); false when that changes
  /// nothing. For a version that no reader holds yet (the read model's next one): what it shares
  /// with older versions is copied once, so many rows applied to it copy each chunk only once.
  bool apply(const RowWrite& write);

  /// The same rows, stamped with change seq `seq`.
  RegisterSnapshot withSeq(std::int64_t seq) const;

 private:
  std::int64_t seq_;
  KommuneTable kommuner_;
  PeriodTable periods_;
  PersonTable persons_;
  MemberTable members_;
  ForumTable forums_;
  AppointmentTable appointments_;
  MeetingTable meetings_;
};

using SnapshotPtr = std::shared_ptr<const RegisterSnapshot>;

/// Kommuner and periods have natural keys; every other resource a numeric id.
template <typename E>
using KeyOf =
    std::conditional_t<std::is_same_v<E, Kommune> || std::is_same_v<E, Period>, std::string, Id>;

/// The row of type E with `key` in `s`, or nullptr.
template <typename E>
const E* findRow(const RegisterSnapshot& s, const KeyOf<E>& key) {
  if constexpr (std::is_same_v<E, Kommune>) return s.kommune(key);
  if constexpr (std::is_same_v<E, Period>) return s.period(key);
  if constexpr (std::is_same_v<E, Person>) return s.person(key);
  if constexpr (std::is_same_v<E, KkrMember>) return s.member(key);
  if constexpr (std::is_same_v<E, RegionalForum>) return s.forum(key);
  if constexpr (std::is_same_v<E, Appointment>) return s.appointment(key);
  if constexpr (std::is_same_v<E, Meeting>) return s.meeting(key);
}

}  // namespace kkr::domain
