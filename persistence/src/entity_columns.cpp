#include "entity_columns.hpp"

#include <nlohmann/json.hpp>

#include "row_reading.hpp"

namespace kkr::persistence {

using namespace rows;

#define KKR_META "version, kkr_ts(created_at), kkr_ts(updated_at)"
#define KKR_DATE(c) "to_char(" c ", 'YYYY-MM-DD')"

const char* const kKommuneColumns = "code, name, region_code, " KKR_META;
const char* const kPeriodColumns =
    "id, " KKR_DATE("start_date") ", " KKR_DATE("end_date") ", " KKR_META;
const char* const kPersonColumns =
    "id, name, array_to_json(other_names)::text, party, kommune_code, office, email, "
    "phone, " KKR_META;
const char* const kMemberColumns =
    "id, person_id, period_id, role, seat_basis, substitute_id, " KKR_DATE(
        "start_date") ", " KKR_DATE("end_date") ", source, " KKR_META;
const char* const kForumColumns =
    "id, name, kind, legal_basis, kkr_action, seats, " KKR_DATE("founded_on") ", " KKR_DATE(
        "dissolved_on") ", successor_id, description, website, source, note, " KKR_META;
const char* const kAppointmentColumns =
    "id, forum_id, person_id, period_id, role, status, substitute_for_id, " KKR_DATE(
        "start_date") ", " KKR_DATE("end_date") ", decision_ref, source, note, " KKR_META;

#undef KKR_META
#undef KKR_DATE

namespace {
domain::RowMeta metaFrom(const soci::row& r, std::size_t first) {
  return {int64(r, first), text(r, first + 1), text(r, first + 2)};
}
}  // namespace

domain::Kommune kommuneFromRow(const soci::row& r) {
  return {text(r, 0), text(r, 1), text(r, 2), metaFrom(r, 3)};
}

domain::Period periodFromRow(const soci::row& r) {
  return {text(r, 0), date(r, 1), optDate(r, 2), metaFrom(r, 3)};
}

domain::Person personFromRow(const soci::row& r) {
  domain::Person p;
  p.id = int64(r, 0);
  p.name = text(r, 1);
  auto names = nlohmann::json::parse(text(r, 2), nullptr, false);
  if (names.is_array()) {
    for (const auto& n : names) {
      if (n.is_string()) p.other_names.push_back(n.get<std::string>());
    }
  }
  p.party = optText(r, 3);
  p.kommune_code = text(r, 4);
  p.office = optEnum<domain::Office>(r, 5);
  p.contact.email = optText(r, 6);
  p.contact.phone = optText(r, 7);
  p.meta = metaFrom(r, 8);
  return p;
}

domain::KkrMember memberFromRow(const soci::row& r) {
  domain::KkrMember m;
  m.id = int64(r, 0);
  m.person_id = int64(r, 1);
  m.period_id = text(r, 2);
  m.role = enumValue<domain::MemberRole>(r, 3);
  m.seat_basis = enumValue<domain::SeatBasis>(r, 4);
  m.substitute_id = optInt64(r, 5);
  m.start_date = date(r, 6);
  m.end_date = optDate(r, 7);
  m.source = optText(r, 8);
  m.meta = metaFrom(r, 9);
  return m;
}

domain::RegionalForum forumFromRow(const soci::row& r) {
  domain::RegionalForum f;
  f.id = int64(r, 0);
  f.name = text(r, 1);
  f.kind = enumValue<domain::ForumKind>(r, 2);
  f.legal_basis = optText(r, 3);
  f.kkr_action = enumValue<domain::KkrAction>(r, 4);
  f.seats = optInt(r, 5);
  f.founded_on = optDate(r, 6);
  f.dissolved_on = optDate(r, 7);
  f.successor_id = optInt64(r, 8);
  f.description = optText(r, 9);
  f.website = optText(r, 10);
  f.source = optText(r, 11);
  f.note = optText(r, 12);
  f.meta = metaFrom(r, 13);
  return f;
}

domain::Appointment appointmentFromRow(const soci::row& r) {
  domain::Appointment a;
  a.id = int64(r, 0);
  a.forum_id = int64(r, 1);
  a.person_id = int64(r, 2);
  a.period_id = text(r, 3);
  a.role = enumValue<domain::AppointmentRole>(r, 4);
  a.status = enumValue<domain::AppointmentStatus>(r, 5);
  a.substitute_for_id = optInt64(r, 6);
  a.start_date = date(r, 7);
  a.end_date = optDate(r, 8);
  a.decision_ref = optText(r, 9);
  a.source = optText(r, 10);
  a.note = optText(r, 11);
  a.meta = metaFrom(r, 12);
  return a;
}

}  // namespace kkr::persistence
