#pragma once
// Synthetic register snapshots for unit tests. The data is made up ("Testperson …"); it only has
// to be shaped like the register, never to describe real people.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kkr/domain/date.hpp"
#include "kkr/domain/entities.hpp"
#include "kkr/domain/snapshot.hpp"

namespace kkr::test {

using namespace kkr::domain;

/// A date from "YYYY-MM-DD"; a typo in a test is a test bug, so it throws.
inline Date d(std::string_view text) {
  const auto date = parseDate(text);
  if (!date) throw std::invalid_argument("bad test date: " + std::string(text));
  return *date;
}

/// Collects entities and builds a RegisterSnapshot. Each adder returns the added entity so a test
/// can adjust fields the adder does not take; the reference is valid until the next add.
class SnapshotBuilder {
 public:
  Kommune& kommune(std::string code, std::string name) {
    kommuner_.push_back(Kommune{std::move(code), std::move(name), "1081", {}});
    return kommuner_.back();
  }

  Period& period(std::string id, std::string_view start, std::optional<std::string_view> end = {}) {
    Period p;
    p.id = std::move(id);
    p.start_date = d(start);
    if (end) p.end_date = d(*end);
    periods_.push_back(std::move(p));
    return periods_.back();
  }

  Person& person(Id id, std::string name, std::string kommuneCode,
                 std::optional<std::string> party = std::nullopt,
                 std::optional<Office> office = Office::Councillor) {
    Person p;
    p.id = id;
    p.name = std::move(name);
    p.kommune_code = std::move(kommuneCode);
    p.party = std::move(party);
    p.office = office;
    persons_.push_back(std::move(p));
    return persons_.back();
  }

  KkrMember& member(Id id, Id personId, std::string periodId, MemberRole role,
                    std::string_view start, std::optional<std::string_view> end = {},
                    SeatBasis basis = SeatBasis::Mayor) {
    KkrMember m;
    m.id = id;
    m.person_id = personId;
    m.period_id = std::move(periodId);
    m.role = role;
    m.seat_basis = basis;
    m.start_date = d(start);
    if (end) m.end_date = d(*end);
    members_.push_back(std::move(m));
    return members_.back();
  }

  RegionalForum& forum(Id id, std::string name, ForumKind kind = ForumKind::Statutory,
                       KkrAction action = KkrAction::Appoints) {
    RegionalForum f;
    f.id = id;
    f.name = std::move(name);
    f.kind = kind;
    f.kkr_action = action;
    forums_.push_back(std::move(f));
    return forums_.back();
  }

  Appointment& appointment(Id id, Id forumId, Id personId, std::string periodId,
                           AppointmentRole role, std::string_view start,
                           std::optional<std::string_view> end = {},
                           AppointmentStatus status = AppointmentStatus::Appointed) {
    Appointment a;
    a.id = id;
    a.forum_id = forumId;
    a.person_id = personId;
    a.period_id = std::move(periodId);
    a.role = role;
    a.status = status;
    a.start_date = d(start);
    if (end) a.end_date = d(*end);
    appointments_.push_back(std::move(a));
    return appointments_.back();
  }

  Meeting& meeting(Id id, std::string_view date, MeetingKind kind = MeetingKind::Ordinary) {
    Meeting m;
    m.id = id;
    m.date = d(date);
    m.kind = kind;
    meetings_.push_back(std::move(m));
    return meetings_.back();
  }

  RegisterSnapshot build(std::int64_t seq = 1) const {
    return RegisterSnapshot(seq, kommuner_, periods_, persons_, members_, forums_, appointments_,
                            meetings_);
  }

 private:
  std::vector<Kommune> kommuner_;
  std::vector<Period> periods_;
  std::vector<Person> persons_;
  std::vector<KkrMember> members_;
  std::vector<RegionalForum> forums_;
  std::vector<Meeting> meetings_;
  std::vector<Appointment> appointments_;
};

/// The ids (or keys) of a page's items, in order, for compact assertions.
template <typename T>
std::vector<Id> idsOf(const std::vector<const T*>& items) {
  std::vector<Id> ids;
  for (const T* item : items) ids.push_back(item->id);
  return ids;
}

}  // namespace kkr::test
