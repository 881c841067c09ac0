#pragma once
// The appointment workflow: nominated → appointed → ended, and nominated → withdrawn. Ended and
// withdrawn are final. The writer checks every status change against the row it has read under
// lock in the write's own transaction (persistence/src/pg_register_writer_rules.cpp), so no
// snapshot that may be behind decides it. docs/workflow.md describes it for API users.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kkr/domain/date.hpp"
#include "kkr/domain/entities.hpp"
#include "kkr/domain/field_limits.hpp"
#include "kkr/domain/result.hpp"

namespace kkr::domain {

/// How a write reaches an appointment's status. An edit (PATCH) may keep the status and change
/// other fields; an action (appoint, end) exists to move it, so keeping the status is refused too.
enum class StatusChange { Edit, Action };

/// The statuses an appointment stored with `from` may move to, in the workflow's order.
std::vector<AppointmentStatus> allowedNextStates(AppointmentStatus from);

/// ok when an appointment stored with `from` may be written with `to`; else Conflict with a
/// FieldError at /status and Error::allowed_next_states listing allowedNextStates(from).
Status checkTransition(AppointmentStatus from, AppointmentStatus to, StatusChange how);

namespace limits {
/// The longest reference an appoint action takes: decision_ref keeps "YYYY-MM-DD: " before it.
inline constexpr std::size_t kActionDecisionRef = kDecisionRef - 12;
/// The longest reason an end action takes: note gets "Ended: " before it (on a line of its own
/// after any note already there, which may then make the note too long: a 422 at /note).
inline constexpr std::size_t kEndReason = kNote - 10;
}  // namespace limits

/// POST /v1/appointments/{id}/appoint: KKR (or the body it nominated to) decided the seat.
struct AppointDecision {
  Date decided_on;                          ///< the date of the decision
  std::optional<std::string> decision_ref;  ///< meeting, item, minutes URL: free text
  std::optional<Id> meeting;                ///< the meeting that decided it: sets decided_at
};

/// POST /v1/appointments/{id}/end: the seat ends (resignation, term over, moved away).
struct EndDecision {
  Date end_date;                      ///< last day in the seat
  std::optional<std::string> reason;  ///< why it ended: free text
};

using AppointmentAction = std::variant<AppointDecision, EndDecision>;

/// The status an action moves to.
AppointmentStatus targetStatus(const AppointmentAction& action);

/// The appointment as `action` leaves it, from `current`: appoint sets the status and records
/// the decision in decision_ref ("2024-03-01: <reference>") and, when it names a meeting, sets
/// decided_at to it; end sets the status and end_date and
/// adds the reason to note ("Ended: <reason>"). It checks nothing: the writer checks the move
/// against the locked row, the field rules and the seat rules.
Appointment applyAction(const Appointment& current, const AppointmentAction& action);

}  // namespace kkr::domain
