#include "kkr/domain/workflow.hpp"

#include <algorithm>
#include <utility>

namespace kkr::domain {

namespace {

/// "appointed, withdrawn", or "none" for a final status.
std::string listText(const std::vector<std::string>& names) {
  if (names.empty()) return "none (the status is final)";
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::vector<AppointmentStatus> allowedNextStates(AppointmentStatus from) {
  using enum AppointmentStatus;
  switch (from) {
    case Nominated:
      return {Appointed, Withdrawn};
    case Appointed:
      return {Ended};
    case Ended:
    case Withdrawn:
      return {};
  }
  return {};
}

Status checkTransition(AppointmentStatus from, AppointmentStatus to, StatusChange how) {
  const auto next = allowedNextStates(from);
  if (std::find(next.begin(), next.end(), to) != next.end()) return ok();
  if (from == to && how == StatusChange::Edit) return ok();
  std::vector<std::string> names;
  for (auto status : next) names.emplace_back(toString(status));
  const std::string detail = "an appointment that is " + std::string(toString(from)) +
                             " cannot become " + std::string(toString(to)) +
                             "; allowed next states: " + listText(names);
  Error error = Error::conflict(detail, {{"/status", detail}});
  error.allowed_next_states = std::move(names);
  return fail(std::move(error));
}

AppointmentStatus targetStatus(const AppointmentAction& action) {
  return std::holds_alternative<AppointDecision>(action) ? AppointmentStatus::Appointed
                                                         : AppointmentStatus::Ended;
}

Appointment applyAction(const Appointment& current, const AppointmentAction& action) {
  Appointment next = current;
  next.status = targetStatus(action);
  if (const auto* appoint = std::get_if<AppointDecision>(&action)) {
    // The decision's date and reference stay together in decision_ref, where the register has
    // always kept "the decision"; a named meeting is linked as well (the writer checks it exists).
    std::string ref = formatDate(appoint->decided_on);
    if (appoint->decision_ref) ref += ": " + *appoint->decision_ref;
    next.decision_ref = std::move(ref);
    if (appoint->meeting) next.decided_at = appoint->meeting;
  } else if (const auto* end = std::get_if<EndDecision>(&action)) {
    next.end_date = end->end_date;
    if (end->reason) {
      const std::string line = "Ended: " + *end->reason;
      next.note = current.note ? *current.note + "\n" + line : line;
    }
  }
  return next;
}

}  // namespace kkr::domain
