#include "kkr/domain/validation.hpp"

#include <string>

namespace kkr::domain {

namespace {

bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool isControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool hasControl(std::string_view text) {
  for (char c : text) {
    if (isControl(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

void checkName(std::vector<FieldError>& errors, const std::string& pointer, std::string_view value,
               std::size_t maxLength = limits::kName) {
  if (!isValidName(value, maxLength)) {
    errors.push_back({pointer, "must have 1 to " + std::to_string(maxLength) +
                                   " characters besides surrounding spaces, and no control "
                                   "characters"});
  }
}

void checkFreeText(std::vector<FieldError>& errors, const std::string& pointer,
                   const std::optional<std::string>& value, std::size_t maxLength) {
  if (value && !fitsLimit(*value, maxLength)) {
    errors.push_back({pointer, "must have at most " + std::to_string(maxLength) + " characters"});
  }
}

void checkDateOrder(std::vector<FieldError>& errors, const Date& start,
                    const std::optional<Date>& end, const std::string& pointer,
                    const std::string& startName) {
  if (end && *end < start) {
    errors.push_back({pointer, "must not be before " + startName + " (" + formatDate(start) + ")"});
  }
}

void checkId(std::vector<FieldError>& errors, const std::string& pointer, Id id) {
  if (id <= 0) errors.push_back({pointer, "must be a positive id"});
}

bool isValidUrl(std::string_view text) {
  if (text.empty() || !fitsLimit(text, limits::kWebsite) || hasControl(text)) return false;
  for (char c : text) {
    if (c == ' ') return false;
  }
  const bool https = text.starts_with("https://");
  const bool http = text.starts_with("http://");
  if (!https && !http) return false;
  return text.size() > (https ? 8u : 7u);
}

}  // namespace

bool isValidName(std::string_view text, std::size_t maxLength) {
  if (hasControl(text)) return false;
  const auto trimmed = trim(text);
  return !trimmed.empty() && fitsLimit(trimmed, maxLength);
}

bool isValidParty(std::string_view text) {
  std::size_t letters = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (isAsciiLetter(static_cast<char>(c))) {
      ++i;
    } else if ((c == 0xC3) && i + 1 < text.size()) {
      // U+00C0–U+00FF: the Latin-1 letters (Æ Ø Å æ ø å Ä Ö Ü é …), except × (U+00D7) and
      // ÷ (U+00F7), are encoded as C3 80–BF.
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next < 0x80 || next > 0xBF || next == 0x97 || next == 0xB7) return false;
      i += 2;
    } else {
      return false;
    }
    ++letters;
  }
  return letters >= 1 && letters <= limits::kParty;
}

bool isValidEmail(std::string_view text) {
  if (text.empty() || !fitsLimit(text, limits::kEmail) || hasControl(text)) return false;
  const auto at = text.find('@');
  if (at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : text) {
    if (isSpace(c)) return false;
  }
  const auto local = text.substr(0, at);
  const auto domain = text.substr(at + 1);
  if (local.empty() || domain.empty()) return false;
  const auto dot = domain.find('.');
  return dot != std::string_view::npos && dot != 0 && domain.back() != '.';
}

bool isValidPhone(std::string_view text) {
  if (text.empty() || !fitsLimit(text, limits::kPhone)) return false;
  bool digit = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (isAsciiDigit(c)) {
      digit = true;
    } else if (c == '+') {
      if (i != 0) return false;
    } else if (c != ' ') {
      return false;
    }
  }
  return digit;
}

std::vector<FieldError> validate(const Kommune& kommune) {
  std::vector<FieldError> errors;
  if (!isFourDigitCode(kommune.code)) errors.push_back({"/code", "must be four digits, e.g. 0851"});
  checkName(errors, "/name", kommune.name);
  if (!isFourDigitCode(kommune.region_code)) {
    errors.push_back({"/region_code", "must be four digits, e.g. 1081"});
  }
  return errors;
}

std::vector<FieldError> validate(const Period& period) {
  std::vector<FieldError> errors;
  if (!isPeriodId(period.id)) {
    errors.push_back(
        {"/id", "must be two years as YYYY-YYYY with the second after the first, e.g. 2022-2026"});
  }
  checkDateOrder(errors, period.start_date, period.end_date, "/end_date", "start_date");
  return errors;
}

std::vector<FieldError> validate(const Person& person) {
  std::vector<FieldError> errors;
  checkName(errors, "/name", person.name);
  for (std::size_t i = 0; i < person.other_names.size(); ++i) {
    checkName(errors, "/other_names/" + std::to_string(i), person.other_names[i]);
  }
  if (person.other_names.size() > limits::kOtherNames) {
    errors.push_back(
        {"/other_names", "must have at most " + std::to_string(limits::kOtherNames) + " names"});
  }
  if (person.party && !isValidParty(*person.party)) {
    errors.push_back({"/party", "must be 1 to 3 letters, e.g. A, V, Ø"});
  }
  if (!isFourDigitCode(person.kommune_code)) {
    errors.push_back({"/kommune_code", "must be four digits, e.g. 0851"});
  }
  if (person.contact.email && !isValidEmail(*person.contact.email)) {
    errors.push_back({"/email", "must be an e-mail address (one @, no spaces, at most " +
                                    std::to_string(limits::kEmail) + " characters)"});
  }
  if (person.contact.phone && !isValidPhone(*person.contact.phone)) {
    errors.push_back({"/phone", "must be digits and spaces, optionally led by +, at most " +
                                    std::to_string(limits::kPhone) + " characters"});
  }
  return errors;
}

std::vector<FieldError> validate(const KkrMember& member) {
  std::vector<FieldError> errors;
  checkId(errors, "/person_id", member.person_id);
  if (!isPeriodId(member.period_id)) {
    errors.push_back({"/period_id", "must be a period id as YYYY-YYYY, e.g. 2022-2026"});
  }
  if (member.substitute_id) {
    checkId(errors, "/substitute_id", *member.substitute_id);
    if (*member.substitute_id == member.person_id) {
      errors.push_back({"/substitute_id", "must be another person than person_id"});
    }
  }
  checkDateOrder(errors, member.start_date, member.end_date, "/end_date", "start_date");
  checkFreeText(errors, "/source", member.source, limits::kSource);
  if (member.decided_at) checkId(errors, "/decided_at", *member.decided_at);
  return errors;
}

std::vector<FieldError> validate(const RegionalForum& forum) {
  std::vector<FieldError> errors;
  checkName(errors, "/name", forum.name, limits::kForumName);
  if (forum.seats && (*forum.seats < 0 || *forum.seats > limits::kSeats)) {
    errors.push_back({"/seats", "must be between 0 and " + std::to_string(limits::kSeats)});
  }
  if (forum.founded_on) {
    checkDateOrder(errors, *forum.founded_on, forum.dissolved_on, "/dissolved_on", "founded_on");
  }
  if (forum.successor_id) {
    checkId(errors, "/successor_id", *forum.successor_id);
    if (forum.id != 0 && *forum.successor_id == forum.id) {
      errors.push_back({"/successor_id", "must be another forum than the forum itself"});
    }
  }
  if (forum.website && !isValidUrl(*forum.website)) {
    errors.push_back({"/website", "must be an http:// or https:// URL without spaces, at most " +
                                      std::to_string(limits::kWebsite) + " characters"});
  }
  checkFreeText(errors, "/legal_basis", forum.legal_basis, limits::kLegalBasis);
  checkFreeText(errors, "/description", forum.description, limits::kDescription);
  checkFreeText(errors, "/source", forum.source, limits::kSource);
  checkFreeText(errors, "/note", forum.note, limits::kNote);
  return errors;
}

std::vector<FieldError> validate(const Appointment& appointment) {
  std::vector<FieldError> errors;
  checkId(errors, "/forum_id", appointment.forum_id);
  checkId(errors, "/person_id", appointment.person_id);
  if (!isPeriodId(appointment.period_id)) {
    errors.push_back({"/period_id", "must be a period id as YYYY-YYYY, e.g. 2022-2026"});
  }
  checkDateOrder(errors, appointment.start_date, appointment.end_date, "/end_date", "start_date");
  if (appointment.status == AppointmentStatus::Ended && !appointment.end_date) {
    errors.push_back({"/end_date", "is required when status is ended"});
  }
  if (appointment.substitute_for_id) {
    if (appointment.role != AppointmentRole::Alternate) {
      errors.push_back({"/substitute_for_id", "is only allowed with role alternate"});
    }
    checkId(errors, "/substitute_for_id", *appointment.substitute_for_id);
    if (appointment.id != 0 && *appointment.substitute_for_id == appointment.id) {
      errors.push_back({"/substitute_for_id", "must be another appointment than this one"});
    }
  }
  checkFreeText(errors, "/decision_ref", appointment.decision_ref, limits::kDecisionRef);
  checkFreeText(errors, "/source", appointment.source, limits::kSource);
  checkFreeText(errors, "/note", appointment.note, limits::kNote);
  if (appointment.decided_at) checkId(errors, "/decided_at", *appointment.decided_at);
  return errors;
}

std::vector<FieldError> validate(const Meeting& meeting) {
  std::vector<FieldError> errors;
  if (meeting.place) checkName(errors, "/place", *meeting.place, limits::kPlace);
  const auto checkUrl = [&](const char* pointer, const std::optional<std::string>& url) {
    if (url && !isValidUrl(*url)) {
      errors.push_back({pointer, "must be an http:// or https:// URL without spaces, at most " +
                                     std::to_string(limits::kMeetingUrl) + " characters"});
    }
  };
  checkUrl("/agenda_url", meeting.agenda_url);
  checkUrl("/minutes_url", meeting.minutes_url);
  checkFreeText(errors, "/note", meeting.note, limits::kNote);
  return errors;
}

Status validationStatus(std::vector<FieldError> errors) {
  if (errors.empty()) return ok();
  std::string detail = errors.size() == 1 ? "1 field is invalid"
                                          : std::to_string(errors.size()) + " fields are invalid";
  return fail(Error::validation(std::move(detail), std::move(errors)));
}

}  // namespace kkr::domain
