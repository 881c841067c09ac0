#pragma once
// The register's cross-row rules as pure functions. The writer calls them inside its transaction,
// after locking the row that serialises writers on the same forum (for appointments) or period
// (for KKR seats) and loading the current rows, so the data they see cannot change before commit.
// Every rule is listed with where it is enforced in docs/rules.md.
//
// Errors: Conflict (the input clashes with stored data), each broken rule as a FieldError whose
// pointer names the field to change ("/role", "/start_date"). Field shape rules are validation.hpp.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "kkr/domain/date.hpp"
#include "kkr/domain/entities.hpp"
#include "kkr/domain/result.hpp"

namespace kkr::domain {

/// Status of a new appointment when the client gives none: KKR's decision is final where it
/// appoints, and only a proposal where it nominates.
AppointmentStatus defaultStatus(KkrAction action);

/// Whether an appointment occupies one of its forum's seats at the dates it spans: a seated role
/// (chair, vice chair, member) that is appointed or ended. Nominations are proposals that the
/// appointing body may or may not follow, so they take no seat and block no chair (nor do
/// withdrawn ones); an appointment that has ended still took its seat for the dates it spanned.
bool takesSeat(const Appointment& appointment);

/// The most seats KKR holds at once: two per kommune of the region (22 for 11 kommuner).
std::size_t maxKkrSeats(std::size_t regionKommuneCount);

/// A closed date span; a missing end means open-ended.
struct Span {
  Date start;
  std::optional<Date> end;
};

/// The largest number of `spans` that share one day within `window`, and the first such day.
struct Peak {
  std::size_t count = 0;
  std::optional<Date> on;
};
Peak peakOverlap(const std::vector<Span>& spans, const Span& window);

/// A forum seat (create or update). `others` are the forum's other appointments (the candidate's
/// own stored row excluded); `regionKommuneCodes` are the kommuner of KKR's region. Checks: the
/// appointment starts inside its period; not before the forum is founded; after a dissolution
/// nothing starts, and the appointment ends by that date; no overlap with the same person's other
/// appointments in the forum (withdrawn nominations left out); at most one chair and one vice chair
/// at any date; seated appointments never exceed the forum's seats on any day (when seats are
/// known); the person belongs to a kommune of the region; an alternate stands in for a seated
/// appointment of the same forum.
Status checkAppointment(const Appointment& candidate, const Period& period,
                        const RegionalForum& forum, const Person& person,
                        const std::vector<Appointment>& others,
                        const std::vector<std::string>& regionKommuneCodes);

/// A KKR seat (create or update). `others` are the period's other seats (the candidate's own
/// stored row excluded). Checks: the seat starts inside its period and, once the period has an
/// end, ends by it; no overlapping seats of one person; at most one chair and one vice chair at
/// any date; at most maxKkrSeats() seats on any day; the person and the substitute belong to a
/// kommune of the region.
Status checkMember(const KkrMember& candidate, const Period& period, const Person& person,
                   const Person* substitute, const std::vector<KkrMember>& others,
                   const std::vector<std::string>& regionKommuneCodes);

/// A forum's new state against its stored appointments: none may start before founded_on or after
/// dissolved_on, and the seats (after dissolution has ended the open ones) must hold the peak of
/// seated appointments.
Status checkForumChange(const RegionalForum& updated, const std::vector<Appointment>& appointments);

/// A period's new dates against its seats and appointments: every one must still start inside it.
Status checkPeriodChange(const Period& updated, const std::vector<KkrMember>& members,
                         const std::vector<Appointment>& appointments);

/// Whether dissolving a forum on `dissolvedOn` ends this appointment (it is open or runs past the
/// date): the writer then sets end_date to the date, and status ended where it was appointed.
bool endsAtDissolution(const Appointment& appointment, const Date& dissolvedOn);

}  // namespace kkr::domain
