#include "kkr/domain/rules.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <limits>
#include <utility>

namespace kkr::domain {

namespace {

using Days = long long;
constexpr Days kOpenEnd = std::numeric_limits<Days>::max() / 2;

Days dayNumber(const Date& date) { return std::chrono::sys_days{date}.time_since_epoch().count(); }
Days endNumber(const std::optional<Date>& end) { return end ? dayNumber(*end) : kOpenEnd; }
Date fromDayNumber(Days day) {
  return Date{std::chrono::sys_days{std::chrono::days{static_cast<int>(day)}}};
}

std::string spanText(const Date& start, const std::optional<Date>& end) {
  return "from " + formatDate(start) + (end ? " to " + formatDate(*end) : " (open-ended)");
}

std::string periodText(const Period& period) {
  return "period " + period.id + " (" + formatDate(period.start_date) +
         (period.end_date ? " to " + formatDate(*period.end_date) : ", still open") + ")";
}

bool inRegion(const std::string& kommuneCode, const std::vector<std::string>& regionKommuneCodes) {
  return std::find(regionKommuneCodes.begin(), regionKommuneCodes.end(), kommuneCode) !=
         regionKommuneCodes.end();
}

Status conflictStatus(const std::string& what, std::vector<FieldError> fields) {
  if (fields.empty()) return ok();
  std::string detail = what + " breaks a rule of the register: " + fields.front().detail;
  if (fields.size() > 1) detail += " (and " + std::to_string(fields.size() - 1) + " more)";
  return fail(Error::conflict(std::move(detail), std::move(fields)));
}

/// The first officer of `role` among `spans` that overlaps [start, end], if any.
template <typename Row, typename RoleT>
const Row* officerClash(const std::vector<Row>& others, RoleT role, const Date& start,
                        const std::optional<Date>& end, bool (*counts)(const Row&)) {
  for (const auto& other : others) {
    if (other.role == role && counts(other) &&
        spansOverlap(start, end, other.start_date, other.end_date)) {
      return &other;
    }
  }
  return nullptr;
}

bool appointmentCounts(const Appointment& a) { return takesSeat(a); }

/// A withdrawn nomination never came to anything, so it keeps no one out of the forum: the same
/// person may be nominated again for the same dates.
bool holdsPlace(const Appointment& a) { return a.status != AppointmentStatus::Withdrawn; }
bool memberCounts(const KkrMember&) { return true; }

template <typename Row>
void checkPersonOverlap(std::vector<FieldError>& fields, const Row& candidate,
                        const std::vector<Row>& others, const std::string& where) {
  for (const auto& other : others) {
    if (other.person_id == candidate.person_id &&
        spansOverlap(candidate.start_date, candidate.end_date, other.start_date, other.end_date)) {
      fields.push_back({"/start_date", "person " + std::to_string(candidate.person_id) +
                                           " already has " + where + " " +
                                           std::to_string(other.id) + " " +
                                           spanText(other.start_date, other.end_date)});
      return;
    }
  }
}

template <typename Row>
void checkSeatLimit(std::vector<FieldError>& fields, const Row& candidate,
                    const std::vector<Row>& others, bool (*counts)(const Row&), std::size_t seats,
                    const std::string& holder, const std::string& note) {
  std::vector<Span> spans;
  for (const auto& other : others) {
    if (counts(other)) spans.push_back({other.start_date, other.end_date});
  }
  const auto peak = peakOverlap(spans, {candidate.start_date, candidate.end_date});
  if (peak.count + 1 > seats) {
    fields.push_back(
        {"/start_date", "all " + std::to_string(seats) + " seats of " + holder + " are taken on " +
                            formatDate(peak.on.value_or(candidate.start_date)) + note});
  }
}

/// The person must belong to a kommune of the region; else a field error at `pointer`.
void checkInRegion(std::vector<FieldError>& fields, const std::string& pointer,
                   const Person& person, const std::vector<std::string>& regionKommuneCodes) {
  if (!inRegion(person.kommune_code, regionKommuneCodes)) {
    fields.push_back({pointer, "person " + std::to_string(person.id) + " belongs to kommune " +
                                   person.kommune_code + ", which is not in the region"});
  }
}

/// An appointment lies within the forum's life: not before it is founded, and over before it is
/// dissolved.
void checkForumLifetime(std::vector<FieldError>& fields, const Appointment& candidate,
                        const RegionalForum& forum) {
  if (forum.founded_on && candidate.start_date < *forum.founded_on) {
    fields.push_back({"/start_date", "must not be before the forum is founded (" +
                                         formatDate(*forum.founded_on) + ")"});
  }
  if (forum.dissolved_on) {
    const auto dissolved = formatDate(*forum.dissolved_on);
    if (candidate.start_date > *forum.dissolved_on) {
      fields.push_back({"/start_date", "the forum is dissolved on " + dissolved +
                                           "; nothing can be appointed to it after that"});
    } else if (!candidate.end_date || *candidate.end_date > *forum.dissolved_on) {
      fields.push_back({"/end_date", "the forum is dissolved on " + dissolved +
                                         "; the appointment must end on or before that date"});
    }
  }
}

/// For an appointment that takes a seat: one chair and one vice chair at a time, and no more
/// seats taken than the forum has.
void checkForumSeat(std::vector<FieldError>& fields, const Appointment& candidate,
                    const RegionalForum& forum, const std::vector<Appointment>& others) {
  for (auto role : {AppointmentRole::Chair, AppointmentRole::ViceChair}) {
    if (candidate.role != role) continue;
    if (const auto* clash = officerClash(others, role, candidate.start_date, candidate.end_date,
                                         &appointmentCounts)) {
      fields.push_back(
          {"/role", "the forum already has a " +
                        std::string(role == AppointmentRole::Chair ? "chair" : "vice chair") + " " +
                        spanText(clash->start_date, clash->end_date) + " (appointment " +
                        std::to_string(clash->id) + ")"});
    }
  }
  if (forum.seats) {
    checkSeatLimit(fields, candidate, others, &appointmentCounts,
                   static_cast<std::size_t>(*forum.seats), "the forum",
                   " (chair, vice chair and member take seats; alternates, observers and "
                   "nominations do not)");
  }
}

/// An alternate stands in for a seat (chair, vice chair or member) of the same forum.
void checkSubstituteFor(std::vector<FieldError>& fields, const Appointment& candidate,
                        const std::vector<Appointment>& others) {
  if (!candidate.substitute_for_id) return;
  const auto target = std::find_if(others.begin(), others.end(), [&](const Appointment& a) {
    return a.id == *candidate.substitute_for_id;
  });
  if (target == others.end()) {
    fields.push_back({"/substitute_for_id", "appointment " +
                                                std::to_string(*candidate.substitute_for_id) +
                                                " is not an appointment to this forum"});
  } else if (!isSeated(target->role)) {
    fields.push_back({"/substitute_for_id", "appointment " + std::to_string(target->id) +
                                                " is an " + std::string(toString(target->role)) +
                                                ", not a seat an alternate can stand in for"});
  }
}

}  // namespace

AppointmentStatus defaultStatus(KkrAction action) {
  return action == KkrAction::Appoints ? AppointmentStatus::Appointed
                                       : AppointmentStatus::Nominated;
}

bool takesSeat(const Appointment& appointment) {
  return isSeated(appointment.role) && (appointment.status == AppointmentStatus::Appointed ||
                                        appointment.status == AppointmentStatus::Ended);
}

std::size_t maxKkrSeats(std::size_t regionKommuneCount) { return 2 * regionKommuneCount; }

Peak peakOverlap(const std::vector<Span>& spans, const Span& window) {
  const Days windowStart = dayNumber(window.start);
  const Days windowEnd = endNumber(window.end);
  // Sweep: +1 on the first day of a span, -1 on the day after its last; on the same day the
  // ends are applied first, because a span ending the day before another starts never shares it.
  std::vector<std::pair<Days, int>> events;
  events.reserve(spans.size() * 2);
  for (const auto& span : spans) {
    const Days start = std::max(dayNumber(span.start), windowStart);
    const Days end = std::min(endNumber(span.end), windowEnd);
    if (start > end) continue;
    events.emplace_back(start, +1);
    if (end < kOpenEnd) events.emplace_back(end + 1, -1);
  }
  std::sort(events.begin(), events.end());
  Peak peak;
  std::size_t current = 0;
  for (const auto& [day, delta] : events) {
    if (delta < 0) {
      --current;
      continue;
    }
    ++current;
    if (current > peak.count) {
      peak.count = current;
      peak.on = fromDayNumber(day);
    }
  }
  return peak;
}

Status checkAppointment(const Appointment& candidate, const Period& period,
                        const RegionalForum& forum, const Person& person,
                        const std::vector<Appointment>& others,
                        const std::vector<std::string>& regionKommuneCodes) {
  std::vector<FieldError> fields;
  if (!spanContains(period.start_date, period.end_date, candidate.start_date)) {
    fields.push_back({"/start_date", "must be within " + periodText(period)});
  }
  checkForumLifetime(fields, candidate, forum);
  if (holdsPlace(candidate)) {
    std::vector<Appointment> holding;
    std::copy_if(others.begin(), others.end(), std::back_inserter(holding), &holdsPlace);
    checkPersonOverlap(fields, candidate, holding, "appointment");
  }
  if (takesSeat(candidate)) checkForumSeat(fields, candidate, forum, others);
  checkInRegion(fields, "/person_id", person, regionKommuneCodes);
  checkSubstituteFor(fields, candidate, others);
  return conflictStatus("the appointment", std::move(fields));
}

Status checkMember(const KkrMember& candidate, const Period& period, const Person& person,
                   const Person* substitute, const std::vector<KkrMember>& others,
                   const std::vector<std::string>& regionKommuneCodes) {
  std::vector<FieldError> fields;
  if (!spanContains(period.start_date, period.end_date, candidate.start_date)) {
    fields.push_back({"/start_date", "must be within " + periodText(period)});
  } else if (period.end_date && (!candidate.end_date || *candidate.end_date > *period.end_date)) {
    // A KKR seat never outlasts its period; an open seat in a closed period would also clash
    // with the next period's seats.
    fields.push_back({"/end_date", "must be on or before the end of " + periodText(period)});
  }
  checkPersonOverlap(fields, candidate, others, "KKR seat");
  for (auto role : {MemberRole::Chair, MemberRole::ViceChair}) {
    if (candidate.role != role) continue;
    if (const auto* clash =
            officerClash(others, role, candidate.start_date, candidate.end_date, &memberCounts)) {
      fields.push_back(
          {"/role", "KKR already has a " +
                        std::string(role == MemberRole::Chair ? "chair" : "vice chair") + " " +
                        spanText(clash->start_date, clash->end_date) + " (member " +
                        std::to_string(clash->id) + ")"});
    }
  }
  checkSeatLimit(fields, candidate, others, &memberCounts, maxKkrSeats(regionKommuneCodes.size()),
                 "KKR", " (at most two per kommune of the region)");
  checkInRegion(fields, "/person_id", person, regionKommuneCodes);
  if (substitute) checkInRegion(fields, "/substitute_id", *substitute, regionKommuneCodes);
  return conflictStatus("the KKR seat", std::move(fields));
}

Status checkForumChange(const RegionalForum& updated,
                        const std::vector<Appointment>& appointments) {
  std::vector<FieldError> fields;
  std::vector<Span> seated;
  for (const auto& a : appointments) {
    if (updated.founded_on && a.start_date < *updated.founded_on) {
      fields.push_back({"/founded_on", "appointment " + std::to_string(a.id) + " starts on " +
                                           formatDate(a.start_date) + ", before this date"});
    }
    if (updated.dissolved_on && a.start_date > *updated.dissolved_on) {
      fields.push_back({"/dissolved_on", "appointment " + std::to_string(a.id) + " starts on " +
                                             formatDate(a.start_date) +
                                             ", after this date; end or remove it first"});
    }
    if (takesSeat(a)) {
      auto end = a.end_date;
      if (updated.dissolved_on && endsAtDissolution(a, *updated.dissolved_on)) {
        end = updated.dissolved_on;
      }
      seated.push_back({a.start_date, end});
    }
  }
  if (updated.seats && !seated.empty()) {
    const Date earliest =
        std::min_element(seated.begin(), seated.end(), [](const Span& x, const Span& y) {
          return x.start < y.start;
        })->start;
    const auto peak = peakOverlap(seated, {earliest, std::nullopt});
    if (peak.count > static_cast<std::size_t>(*updated.seats)) {
      fields.push_back({"/seats", std::to_string(peak.count) + " seats are taken on " +
                                      formatDate(*peak.on) + "; end appointments first"});
    }
  }
  return conflictStatus("the forum change", std::move(fields));
}

Status checkPeriodChange(const Period& updated, const std::vector<KkrMember>& members,
                         const std::vector<Appointment>& appointments) {
  std::vector<FieldError> fields;
  auto check = [&](const Date& start, const std::string& what) {
    if (start < updated.start_date) {
      fields.push_back(
          {"/start_date", what + " starts on " + formatDate(start) + ", before this date"});
    } else if (updated.end_date && start > *updated.end_date) {
      fields.push_back(
          {"/end_date", what + " starts on " + formatDate(start) + ", after this date"});
    }
  };
  for (const auto& m : members) check(m.start_date, "KKR seat " + std::to_string(m.id));
  for (const auto& a : appointments) check(a.start_date, "appointment " + std::to_string(a.id));
  return conflictStatus("the period change", std::move(fields));
}

bool endsAtDissolution(const Appointment& appointment, const Date& dissolvedOn) {
  return !appointment.end_date || *appointment.end_date > dissolvedOn;
}

}  // namespace kkr::domain
