#pragma once
// Each entity's representation, listed once: the fields in the order clients see them, and which
// are restricted (contact details, for callers with an API key only). JSON (json_mapping.cpp) and
// CSV (csv.cpp) both walk these lists, so the two formats always have the same columns in the
// same order. Embedded objects are not fields: each format adds them after the fields.
//
// A visitor is called as visit(name, value) for a public field and visit(name, value,
// kRestricted) for a restricted one. Values are the entity's own members: text, optional text,
// a list of texts, ids, counts, dates and enums, each possibly optional.

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "kkr/domain/entities.hpp"

namespace kkr::api {

struct Restricted {};
inline constexpr Restricted kRestricted{};

/// "2024-01-31" (json_mapping.cpp).
std::string formatDateText(const domain::Date& date);

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

/// One field's value through `sink` (sink.value(...) and sink.null()), the same for every
/// format: dates as YYYY-MM-DD, enums by their public spelling, an absent value as null; text,
/// numbers and lists of texts as they are.
template <typename Sink, typename T>
void writeValue(Sink& sink, const T& value) {
  if constexpr (IsOptional<T>::value) {
    if (value) {
      writeValue(sink, *value);
    } else {
      sink.null();
    }
  } else if constexpr (std::is_same_v<T, domain::Date>) {
    sink.value(formatDateText(value));
  } else if constexpr (std::is_enum_v<T>) {
    sink.value(domain::toString(value));
  } else {
    sink.value(value);
  }
}

/// Whether an entity's representation has restricted fields, read from its field list below.
template <typename Entity>
bool hasRestrictedFields();

template <typename Visit>
void visitMeta(const domain::RowMeta& m, Visit& visit) {
  visit("version", m.version);
  visit("created_at", m.created_at);
  visit("updated_at", m.updated_at);
}

template <typename Visit>
void visitFields(const domain::Kommune& k, Visit& visit) {
  visit("code", k.code);
  visit("name", k.name);
  visit("region_code", k.region_code);
  visitMeta(k.meta, visit);
}

template <typename Visit>
void visitFields(const domain::Period& p, Visit& visit) {
  visit("id", p.id);
  visit("start_date", p.start_date);
  visit("end_date", p.end_date);
  visitMeta(p.meta, visit);
}

template <typename Visit>
void visitFields(const domain::Person& p, Visit& visit) {
  visit("id", p.id);
  visit("name", p.name);
  visit("other_names", p.other_names);
  visit("party", p.party);
  visit("kommune_code", p.kommune_code);
  visit("office", p.office);
  visit("email", p.contact.email, kRestricted);
  visit("phone", p.contact.phone, kRestricted);
  visitMeta(p.meta, visit);
}

template <typename Visit>
void visitFields(const domain::KkrMember& m, Visit& visit) {
  visit("id", m.id);
  visit("person_id", m.person_id);
  visit("period_id", m.period_id);
  visit("role", m.role);
  visit("seat_basis", m.seat_basis);
  visit("substitute_id", m.substitute_id);
  visit("start_date", m.start_date);
  visit("end_date", m.end_date);
  visit("source", m.source);
  visitMeta(m.meta, visit);
}

template <typename Visit>
void visitFields(const domain::RegionalForum& f, Visit& visit) {
  visit("id", f.id);
  visit("name", f.name);
  visit("kind", f.kind);
  visit("legal_basis", f.legal_basis);
  visit("kkr_action", f.kkr_action);
  visit("seats", f.seats);
  visit("founded_on", f.founded_on);
  visit("dissolved_on", f.dissolved_on);
  visit("successor_id", f.successor_id);
  visit("description", f.description);
  visit("website", f.website);
  visit("source", f.source);
  visit("note", f.note);
  visitMeta(f.meta, visit);
}

template <typename Visit>
void visitFields(const domain::Appointment& a, Visit& visit) {
  visit("id", a.id);
  visit("forum_id", a.forum_id);
  visit("person_id", a.person_id);
  visit("period_id", a.period_id);
  visit("role", a.role);
  visit("status", a.status);
  visit("substitute_for_id", a.substitute_for_id);
  visit("start_date", a.start_date);
  visit("end_date", a.end_date);
  visit("decision_ref", a.decision_ref);
  visit("source", a.source);
  visit("note", a.note);
  visitMeta(a.meta, visit);
}

/// A visitor that only notes whether any field is restricted.
struct RestrictedProbe {
  bool found = false;
  template <typename T>
  void operator()(std::string_view, const T&) {}
  template <typename T>
  void operator()(std::string_view, const T&, Restricted) {
    found = true;
  }
};

template <typename Entity>
bool hasRestrictedFields() {
  RestrictedProbe probe;
  visitFields(Entity{}, probe);
  return probe.found;
}

}  // namespace kkr::api
