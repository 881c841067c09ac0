#pragma once
// An immutable, consistent copy of the whole register. Reads are answered from it; it is replaced
// (never mutated) whenever the change sequence shows that the database moved on.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "kkr/domain/entities.hpp"

namespace kkr::domain {

/// A row a writer has just committed: its stored state, or (removed) the id of a deleted row.
/// Only entities with numeric ids, which are never reused, so a deleted id stays deleted.
struct RowWrite {
  std::variant<Person, KkrMember, RegionalForum, Appointment> row;
  bool removed = false;
};

class RegisterSnapshot {
 public:
  /// Builds the snapshot: sorts every collection by its key and indexes it.
  RegisterSnapshot(std::int64_t seq, std::vector<Kommune> kommuner, std::vector<Period> periods,
                   std::vector<Person> persons, std::vector<KkrMember> members,
                   std::vector<RegionalForum> forums, std::vector<Appointment> appointments);
  RegisterSnapshot() : RegisterSnapshot(0, {}, {}, {}, {}, {}, {}) {}

  /// The highest published change sequence number that this snapshot includes.
  std::int64_t seq() const { return seq_; }

  // Collections sorted by key: kommuner by code, periods by id, the rest by numeric id.
  const std::vector<Kommune>& kommuner() const { return kommuner_; }
  const std::vector<Period>& periods() const { return periods_; }
  const std::vector<Person>& persons() const { return persons_; }
  const std::vector<KkrMember>& members() const { return members_; }
  const std::vector<RegionalForum>& forums() const { return forums_; }
  const std::vector<Appointment>& appointments() const { return appointments_; }

  // Lookups by key; nullptr when absent.
  const Kommune* kommune(const std::string& code) const;
  const Period* period(const std::string& id) const;
  const Person* person(Id id) const;
  const KkrMember* member(Id id) const;
  const RegionalForum* forum(Id id) const;
  const Appointment* appointment(Id id) const;

  /// This snapshot with `write` applied (same seq), or nullopt when it would change nothing: the
  /// snapshot already holds that version of the row or a newer one, or lacks the removed row.
  std::optional<RegisterSnapshot> with(const RowWrite& write) const;

 private:
  std::int64_t seq_;
  std::vector<Kommune> kommuner_;
  std::vector<Period> periods_;
  std::vector<Person> persons_;
  std::vector<KkrMember> members_;
  std::vector<RegionalForum> forums_;
  std::vector<Appointment> appointments_;
  std::unordered_map<std::string, std::size_t> kommuneIndex_;
  std::unordered_map<std::string, std::size_t> periodIndex_;
  std::unordered_map<Id, std::size_t> personIndex_;
  std::unordered_map<Id, std::size_t> memberIndex_;
  std::unordered_map<Id, std::size_t> forumIndex_;
  std::unordered_map<Id, std::size_t> appointmentIndex_;
};

using SnapshotPtr = std::shared_ptr<const RegisterSnapshot>;

}  // namespace kkr::domain
