#include "pg_entity_json.hpp"

#include <stdexcept>
#include <string>

namespace kkr::persistence::rowjson {

using nlohmann::json;
namespace d = domain;

namespace {

template <typename T>
json optional(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json optionalDate(const std::optional<d::Date>& value) {
  return value ? json(d::formatDate(*value)) : json(nullptr);
}

template <typename E>
json optionalEnum(const std::optional<E>& value) {
  return value ? json(std::string(d::toString(*value))) : json(nullptr);
}

template <typename E>
std::string enumText(E value) {
  return std::string(d::toString(value));
}

[[noreturn]] void bad(const std::string& what) {
  throw std::runtime_error("unreadable row from the database: " + what);
}

const json& field(const json& row, const char* name) {
  const auto it = row.find(name);
  if (it == row.end()) bad(std::string("no field ") + name);
  return *it;
}

std::string text(const json& row, const char* name) {
  const auto& v = field(row, name);
  if (!v.is_string()) bad(std::string(name) + " is not text");
  return v.get<std::string>();
}

std::optional<std::string> optText(const json& row, const char* name) {
  const auto it = row.find(name);
  if (it == row.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) bad(std::string(name) + " is not text");
  return it->get<std::string>();
}

std::int64_t integer(const json& row, const char* name) {
  const auto& v = field(row, name);
  if (!v.is_number_integer()) bad(std::string(name) + " is not an integer");
  return v.get<std::int64_t>();
}

std::optional<std::int64_t> optInteger(const json& row, const char* name) {
  const auto it = row.find(name);
  if (it == row.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) bad(std::string(name) + " is not an integer");
  return it->get<std::int64_t>();
}

d::Date date(const json& row, const char* name) {
  auto parsed = d::parseDate(text(row, name));
  if (!parsed) bad(std::string(name) + " is not a date");
  return *parsed;
}

std::optional<d::Date> optDate(const json& row, const char* name) {
  auto value = optText(row, name);
  if (!value) return std::nullopt;
  auto parsed = d::parseDate(*value);
  if (!parsed) bad(std::string(name) + " is not a date");
  return parsed;
}

template <typename E>
E enumValue(const json& row, const char* name) {
  auto parsed = d::parseEnum<E>(text(row, name));
  if (!parsed) bad(std::string(name) + " has an unknown value");
  return *parsed;
}

template <typename E>
std::optional<E> optEnum(const json& row, const char* name) {
  auto value = optText(row, name);
  if (!value) return std::nullopt;
  auto parsed = d::parseEnum<E>(*value);
  if (!parsed) bad(std::string(name) + " has an unknown value");
  return parsed;
}

d::RowMeta meta(const json& row) {
  return {integer(row, "version"), text(row, "created_at"), text(row, "updated_at")};
}

}  // namespace

json toJson(const d::Kommune& e) {
  return {{"code", e.code}, {"name", e.name}, {"region_code", e.region_code}};
}

json toJson(const d::Period& e) {
  return {{"id", e.id},
          {"start_date", d::formatDate(e.start_date)},
          {"end_date", optionalDate(e.end_date)}};
}

json toJson(const d::Person& e) {
  return {{"id", e.id},
          {"name", e.name},
          {"other_names", e.other_names},
          {"party", optional(e.party)},
          {"kommune_code", e.kommune_code},
          {"office", optionalEnum(e.office)},
          {"email", optional(e.contact.email)},
          {"phone", optional(e.contact.phone)}};
}

json toJson(const d::KkrMember& e) {
  return {{"id", e.id},
          {"person_id", e.person_id},
          {"period_id", e.period_id},
          {"role", enumText(e.role)},
          {"seat_basis", enumText(e.seat_basis)},
          {"substitute_id", optional(e.substitute_id)},
          {"start_date", d::formatDate(e.start_date)},
          {"end_date", optionalDate(e.end_date)},
          {"source", optional(e.source)}};
}

json toJson(const d::RegionalForum& e) {
  return {{"id", e.id},
          {"name", e.name},
          {"kind", enumText(e.kind)},
          {"legal_basis", optional(e.legal_basis)},
          {"kkr_action", enumText(e.kkr_action)},
          {"seats", optional(e.seats)},
          {"founded_on", optionalDate(e.founded_on)},
          {"dissolved_on", optionalDate(e.dissolved_on)},
          {"successor_id", optional(e.successor_id)},
          {"description", optional(e.description)},
          {"website", optional(e.website)},
          {"source", optional(e.source)},
          {"note", optional(e.note)}};
}

json toJson(const d::Appointment& e) {
  return {{"id", e.id},
          {"forum_id", e.forum_id},
          {"person_id", e.person_id},
          {"period_id", e.period_id},
          {"role", enumText(e.role)},
          {"status", enumText(e.status)},
          {"substitute_for_id", optional(e.substitute_for_id)},
          {"start_date", d::formatDate(e.start_date)},
          {"end_date", optionalDate(e.end_date)},
          {"decision_ref", optional(e.decision_ref)},
          {"source", optional(e.source)},
          {"note", optional(e.note)}};
}

template <>
d::Kommune fromJson<d::Kommune>(const json& row) {
  return {text(row, "code"), text(row, "name"), text(row, "region_code"), meta(row)};
}

template <>
d::Period fromJson<d::Period>(const json& row) {
  return {text(row, "id"), date(row, "start_date"), optDate(row, "end_date"), meta(row)};
}

template <>
d::Person fromJson<d::Person>(const json& row) {
  d::Person p;
  p.id = integer(row, "id");
  p.name = text(row, "name");
  const auto& names = field(row, "other_names");
  if (!names.is_array()) bad("other_names is not an array");
  for (const auto& n : names) {
    if (!n.is_string()) bad("other_names holds a non-text value");
    p.other_names.push_back(n.get<std::string>());
  }
  p.party = optText(row, "party");
  p.kommune_code = text(row, "kommune_code");
  p.office = optEnum<d::Office>(row, "office");
  p.contact.email = optText(row, "email");
  p.contact.phone = optText(row, "phone");
  p.meta = meta(row);
  return p;
}

template <>
d::KkrMember fromJson<d::KkrMember>(const json& row) {
  d::KkrMember m;
  m.id = integer(row, "id");
  m.person_id = integer(row, "person_id");
  m.period_id = text(row, "period_id");
  m.role = enumValue<d::MemberRole>(row, "role");
  m.seat_basis = enumValue<d::SeatBasis>(row, "seat_basis");
  m.substitute_id = optInteger(row, "substitute_id");
  m.start_date = date(row, "start_date");
  m.end_date = optDate(row, "end_date");
  m.source = optText(row, "source");
  m.meta = meta(row);
  return m;
}

template <>
d::RegionalForum fromJson<d::RegionalForum>(const json& row) {
  d::RegionalForum f;
  f.id = integer(row, "id");
  f.name = text(row, "name");
  f.kind = enumValue<d::ForumKind>(row, "kind");
  f.legal_basis = optText(row, "legal_basis");
  f.kkr_action = enumValue<d::KkrAction>(row, "kkr_action");
  if (auto seats = optInteger(row, "seats")) f.seats = static_cast<int>(*seats);
  f.founded_on = optDate(row, "founded_on");
  f.dissolved_on = optDate(row, "dissolved_on");
  f.successor_id = optInteger(row, "successor_id");
  f.description = optText(row, "description");
  f.website = optText(row, "website");
  f.source = optText(row, "source");
  f.note = optText(row, "note");
  f.meta = meta(row);
  return f;
}

template <>
d::Appointment fromJson<d::Appointment>(const json& row) {
  d::Appointment a;
  a.id = integer(row, "id");
  a.forum_id = integer(row, "forum_id");
  a.person_id = integer(row, "person_id");
  a.period_id = text(row, "period_id");
  a.role = enumValue<d::AppointmentRole>(row, "role");
  a.status = enumValue<d::AppointmentStatus>(row, "status");
  a.substitute_for_id = optInteger(row, "substitute_for_id");
  a.start_date = date(row, "start_date");
  a.end_date = optDate(row, "end_date");
  a.decision_ref = optText(row, "decision_ref");
  a.source = optText(row, "source");
  a.note = optText(row, "note");
  a.meta = meta(row);
  return a;
}

domain::RowWrite rowWrite(std::string_view entity, domain::RowEffect effect,
                          const nlohmann::json& row) {
  if (entity == "kommune") return {fromJson<d::Kommune>(row), effect};
  if (entity == "period") return {fromJson<d::Period>(row), effect};
  if (entity == "person") return {fromJson<d::Person>(row), effect};
  if (entity == "member") return {fromJson<d::KkrMember>(row), effect};
  if (entity == "forum") return {fromJson<d::RegionalForum>(row), effect};
  if (entity == "appointment") return {fromJson<d::Appointment>(row), effect};
  bad("unknown entity " + std::string(entity));
}

domain::RowEffect effectOfOp(std::string_view op) {
  return op == "delete" ? domain::RowEffect::Removed : domain::RowEffect::Stored;
}

}  // namespace kkr::persistence::rowjson
