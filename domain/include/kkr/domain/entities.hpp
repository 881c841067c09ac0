#pragma once
// The register's resources as plain value types. Field names follow the public contract.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kkr/domain/date.hpp"
#include "kkr/domain/enums.hpp"

namespace kkr::domain {

using Id = std::int64_t;

/// Bookkeeping every stored row carries; timestamps are RFC 3339 UTC strings made by the database.
struct RowMeta {
  std::int64_t version = 1;
  std::string created_at;
  std::string updated_at;
  bool operator==(const RowMeta&) const = default;
};

struct Kommune {
  std::string code;  ///< four digits, "0851"
  std::string name;
  std::string region_code;  ///< "1081"
  RowMeta meta;
  bool operator==(const Kommune&) const = default;
};

struct Period {
  std::string id;  ///< "2022-2026"
  Date start_date;
  std::optional<Date> end_date;  ///< nullopt while the period is open
  RowMeta meta;
  bool operator==(const Period&) const = default;
};

struct ContactDetails {
  std::optional<std::string> email;
  std::optional<std::string> phone;
  bool operator==(const ContactDetails&) const = default;
};

struct Person {
  Id id = 0;
  std::string name;
  std::vector<std::string> other_names;
  std::optional<std::string> party;  ///< party letter, "A", "Ø"
  std::string kommune_code;
  std::optional<Office> office;
  ContactDetails contact;  ///< restricted: only authenticated callers see it
  RowMeta meta;
  bool operator==(const Person&) const = default;
};

struct KkrMember {
  Id id = 0;
  Id person_id = 0;
  std::string period_id;
  MemberRole role = MemberRole::Member;
  SeatBasis seat_basis = SeatBasis::Mayor;
  std::optional<Id> substitute_id;  ///< a person
  Date start_date;
  std::optional<Date> end_date;
  std::optional<std::string> source;  ///< where the seat is documented
  std::optional<Id> decided_at;       ///< the meeting that decided the seat
  RowMeta meta;
  bool operator==(const KkrMember&) const = default;
};

struct RegionalForum {
  Id id = 0;
  std::string name;
  ForumKind kind = ForumKind::Statutory;
  std::optional<std::string> legal_basis;
  KkrAction kkr_action = KkrAction::Appoints;
  std::optional<int> seats;  ///< KKR's seats; nullopt where no source confirms the number
  std::optional<Date> founded_on;
  std::optional<Date> dissolved_on;  ///< last day the forum exists
  std::optional<Id> successor_id;
  std::optional<std::string> description;
  std::optional<std::string> website;
  std::optional<std::string> source;  ///< where the facts about the forum come from
  std::optional<std::string> note;    ///< e.g. what is not yet confirmed, dissolution plans
  RowMeta meta;
  bool operator==(const RegionalForum&) const = default;
};

struct Appointment {
  Id id = 0;
  Id forum_id = 0;
  Id person_id = 0;
  std::string period_id;
  AppointmentRole role = AppointmentRole::Member;
  AppointmentStatus status = AppointmentStatus::Appointed;
  std::optional<Id> substitute_for_id;  ///< the appointment an alternate stands in for
  Date start_date;
  std::optional<Date> end_date;
  std::optional<std::string> decision_ref;
  std::optional<std::string> source;
  std::optional<std::string> note;
  std::optional<Id> decided_at;  ///< the meeting that decided the appointment
  RowMeta meta;
  bool operator==(const Appointment&) const = default;
};

/// A meeting of KKR: where its decisions (members' seats, appointments) were made.
struct Meeting {
  Id id = 0;
  Date date;
  std::optional<std::string> place;
  MeetingKind kind = MeetingKind::Ordinary;
  std::optional<std::string> agenda_url;
  std::optional<std::string> minutes_url;
  std::optional<std::string> note;
  RowMeta meta;
  bool operator==(const Meeting&) const = default;
};

}  // namespace kkr::domain
