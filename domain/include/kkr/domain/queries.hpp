#pragma once
// List queries over a snapshot: filters, point in time, name search and cursor paging.
// Pure functions of their inputs, so every rule here is unit-testable without I/O.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kkr/domain/entities.hpp"
#include "kkr/domain/ids.hpp"
#include "kkr/domain/result.hpp"
#include "kkr/domain/snapshot.hpp"

namespace kkr::domain {

inline constexpr std::size_t kDefaultPageSize = 50;
inline constexpr std::size_t kMaxPageSize = 1000;

/// A page request: at most `limit` items after the item whose key is `cursor`.
/// The cursor is opaque to clients; here it is the key of the last item of the previous page.
struct PageRequest {
  std::size_t limit = kDefaultPageSize;
  std::optional<std::string> cursor;
};

/// One page of results; `next_cursor` is set when more items follow.
template <typename T>
struct Page {
  std::vector<const T*> items;
  std::optional<std::string> next_cursor;
};

struct KommuneFilter {
  std::optional<std::string> q;
};

struct PeriodFilter {
  std::optional<Date> at;  ///< the period(s) running on that date
};

struct PersonFilter {
  std::optional<std::string> kommune_code;
  std::optional<std::string> party;
  std::optional<Office> office;
  std::optional<std::string> q;  ///< matches name and other_names
};

struct MemberFilter {
  std::optional<std::string> period_id;
  std::optional<Id> person_id;
  std::optional<std::string> kommune_code;  ///< the person's kommune
  std::optional<std::string> party;         ///< the person's party
  std::optional<MemberRole> role;
  std::optional<SeatBasis> seat_basis;
  std::optional<Date> at;
  std::optional<Id> decided_at;  ///< the meeting that decided the seat
};

struct ForumFilter {
  std::optional<ForumKind> kind;
  std::optional<KkrAction> kkr_action;
  std::optional<Date> at;  ///< forums existing on that date (founded on or before, not dissolved)
  std::optional<std::string> q;
};

struct AppointmentFilter {
  std::optional<Id> forum_id;
  std::optional<Id> person_id;
  std::optional<std::string> period_id;
  std::optional<std::string> kommune_code;  ///< the person's kommune
  std::optional<std::string> party;         ///< the person's party
  std::optional<AppointmentRole> role;
  std::optional<AppointmentStatus> status;
  std::optional<Date> at;        ///< seats held that day; a dissolved forum's seats end with it
  std::optional<Id> decided_at;  ///< the meeting that decided the appointment
};

struct MeetingFilter {
  std::optional<MeetingKind> kind;
  std::optional<Date> from;  ///< meetings on or after that date
  std::optional<Date> to;    ///< meetings on or before that date
};

Result<Page<Kommune>> listKommuner(const RegisterSnapshot& s, const KommuneFilter& f,
                                   const PageRequest& page);
Result<Page<Period>> listPeriods(const RegisterSnapshot& s, const PeriodFilter& f,
                                 const PageRequest& page);
Result<Page<Person>> listPersons(const RegisterSnapshot& s, const PersonFilter& f,
                                 const PageRequest& page);
Result<Page<KkrMember>> listMembers(const RegisterSnapshot& s, const MemberFilter& f,
                                    const PageRequest& page);
Result<Page<RegionalForum>> listForums(const RegisterSnapshot& s, const ForumFilter& f,
                                       const PageRequest& page);
Result<Page<Appointment>> listAppointments(const RegisterSnapshot& s, const AppointmentFilter& f,
                                           const PageRequest& page);
Result<Page<Meeting>> listMeetings(const RegisterSnapshot& s, const MeetingFilter& f,
                                   const PageRequest& page);

}  // namespace kkr::domain
