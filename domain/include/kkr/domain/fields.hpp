#pragma once
// Each entity's fields, listed once: the names the contract and the database both use, in the
// order clients see them, with what every reader and writer of a field must know about it (who
// may write it, its limit, whether it is restricted). Every format walks these lists: JSON and
// CSV responses (api/src/representation.hpp), request bodies (api/src/body_parsing.cpp) and the
// row JSON that PostgreSQL stores and returns (persistence/src/pg_entity_json.cpp). Adding a
// field to an entity means adding it here once; no format lists fields of its own.
//
// visitFields(entity, visit) calls visit(field, member) for each field, with `member` a reference
// to the entity's own member (const when the entity is), so one list serves reading and writing.
// The row's bookkeeping (version, timestamps) comes from visitMeta, after the fields.

#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "kkr/domain/entities.hpp"
#include "kkr/domain/field_limits.hpp"

namespace kkr::domain {

/// Who may write a field through the API.
enum class FieldWrite {
  Optional,   ///< may be left out on create (a default or null applies); PATCH may change it
  Required,   ///< must be given on create and may never be null; PATCH may change it
  Key,        ///< the natural key (kommune code, period id): given on create, fixed afterwards
  Generated,  ///< assigned by the register (integer ids, version, timestamps): read-only
};

/// Who may read a field.
enum class Visibility {
  Public,
  Restricted,  ///< contact details: only callers with an API key see them
};

struct Field {
  std::string_view name;
  FieldWrite write = FieldWrite::Optional;
  Visibility visibility = Visibility::Public;
  std::size_t max_length = 0;  ///< text, and each text of a list: code points (field_limits.hpp)
  std::size_t max_items = 0;   ///< a list: how many texts it may hold
  int max_value = 0;           ///< a count: its largest value (the smallest is 0)
};

/// Whether `write` lets a create body leave the field out.
constexpr bool requiredOnCreate(FieldWrite write) {
  return write == FieldWrite::Required || write == FieldWrite::Key;
}

template <typename Actual, typename Entity>
concept EntityOf = std::same_as<std::remove_const_t<Actual>, Entity>;

template <EntityOf<RowMeta> M, typename Visit>
void visitMeta(M& meta, Visit&& visit) {
  using enum FieldWrite;
  visit(Field{.name = "version", .write = Generated}, meta.version);
  visit(Field{.name = "created_at", .write = Generated}, meta.created_at);
  visit(Field{.name = "updated_at", .write = Generated}, meta.updated_at);
}

template <EntityOf<Kommune> K, typename Visit>
void visitFields(K& k, Visit&& visit) {
  using enum FieldWrite;
  visit(Field{.name = "code", .write = Key, .max_length = limits::kKommuneCode}, k.code);
  visit(Field{.name = "name", .write = Required, .max_length = limits::kName}, k.name);
  visit(Field{.name = "region_code", .write = Required, .max_length = limits::kKommuneCode},
        k.region_code);
}

template <EntityOf<Period> P, typename Visit>
void visitFields(P& p, Visit&& visit) {
  using enum FieldWrite;
  visit(Field{.name = "id", .write = Key, .max_length = limits::kPeriodId}, p.id);
  visit(Field{.name = "start_date", .write = Required}, p.start_date);
  visit(Field{.name = "end_date"}, p.end_date);
}

template <EntityOf<Person> P, typename Visit>
void visitFields(P& p, Visit&& visit) {
  using enum FieldWrite;
  using enum Visibility;
  visit(Field{.name = "id", .write = Generated}, p.id);
  visit(Field{.name = "name", .write = Required, .max_length = limits::kName}, p.name);
  visit(Field{.name = "other_names", .max_length = limits::kName, .max_items = limits::kOtherNames},
        p.other_names);
  visit(Field{.name = "party", .max_length = limits::kParty}, p.party);
  visit(Field{.name = "kommune_code", .write = Required, .max_length = limits::kKommuneCode},
        p.kommune_code);
  visit(Field{.name = "office"}, p.office);
  visit(Field{.name = "email", .visibility = Restricted, .max_length = limits::kEmail},
        p.contact.email);
  visit(Field{.name = "phone", .visibility = Restricted, .max_length = limits::kPhone},
        p.contact.phone);
}

template <EntityOf<KkrMember> M, typename Visit>
void visitFields(M& m, Visit&& visit) {
  using enum FieldWrite;
  visit(Field{.name = "id", .write = Generated}, m.id);
  visit(Field{.name = "person_id", .write = Required}, m.person_id);
  visit(Field{.name = "period_id", .write = Required, .max_length = limits::kPeriodId},
        m.period_id);
  visit(Field{.name = "role", .write = Required}, m.role);
  visit(Field{.name = "seat_basis", .write = Required}, m.seat_basis);
  visit(Field{.name = "substitute_id"}, m.substitute_id);
  visit(Field{.name = "start_date", .write = Required}, m.start_date);
  visit(Field{.name = "end_date"}, m.end_date);
  visit(Field{.name = "source", .max_length = limits::kSource}, m.source);
  visit(Field{.name = "decided_at"}, m.decided_at);
}

template <EntityOf<RegionalForum> F, typename Visit>
void visitFields(F& f, Visit&& visit) {
  using enum FieldWrite;
  visit(Field{.name = "id", .write = Generated}, f.id);
  visit(Field{.name = "name", .write = Required, .max_length = limits::kForumName}, f.name);
  visit(Field{.name = "kind", .write = Required}, f.kind);
  visit(Field{.name = "legal_basis", .max_length = limits::kLegalBasis}, f.legal_basis);
  visit(Field{.name = "kkr_action", .write = Required}, f.kkr_action);
  // DESIGN asks for seats on create, but null is allowed: no source may confirm the number.
  visit(Field{.name = "seats", .max_value = limits::kSeats}, f.seats);
  visit(Field{.name = "founded_on"}, f.founded_on);
  visit(Field{.name = "dissolved_on"}, f.dissolved_on);
  visit(Field{.name = "successor_id"}, f.successor_id);
  visit(Field{.name = "description", .max_length = limits::kDescription}, f.description);
  visit(Field{.name = "website", .max_length = limits::kWebsite}, f.website);
  visit(Field{.name = "source", .max_length = limits::kSource}, f.source);
  visit(Field{.name = "note", .max_length = limits::kNote}, f.note);
}

template <EntityOf<Appointment> A, typename Visit>
void visitFields(A& a, Visit&& visit) {
  using enum FieldWrite;
  visit(Field{.name = "id", .write = Generated}, a.id);
  visit(Field{.name = "forum_id", .write = Required}, a.forum_id);
  visit(Field{.name = "person_id", .write = Required}, a.person_id);
  visit(Field{.name = "period_id", .write = Required, .max_length = limits::kPeriodId},
        a.period_id);
  visit(Field{.name = "role", .write = Required}, a.role);
  // Optional: when left out, the forum's kkr_action decides it (appointed or nominated).
  visit(Field{.name = "status"}, a.status);
  visit(Field{.name = "substitute_for_id"}, a.substitute_for_id);
  visit(Field{.name = "start_date", .write = Required}, a.start_date);
  visit(Field{.name = "end_date"}, a.end_date);
  visit(Field{.name = "decision_ref", .max_length = limits::kDecisionRef}, a.decision_ref);
  visit(Field{.name = "source", .max_length = limits::kSource}, a.source);
  visit(Field{.name = "note", .max_length = limits::kNote}, a.note);
  visit(Field{.name = "decided_at"}, a.decided_at);
}

template <EntityOf<Meeting> M, typename Visit>
void visitFields(M& m, Visit&& visit) {
  using enum FieldWrite;
  visit(Field{.name = "id", .write = Generated}, m.id);
  visit(Field{.name = "date", .write = Required}, m.date);
  visit(Field{.name = "place", .max_length = limits::kPlace}, m.place);
  // Optional: a meeting left without a kind is an ordinary one.
  visit(Field{.name = "kind"}, m.kind);
  visit(Field{.name = "agenda_url", .max_length = limits::kMeetingUrl}, m.agenda_url);
  visit(Field{.name = "minutes_url", .max_length = limits::kMeetingUrl}, m.minutes_url);
  visit(Field{.name = "note", .max_length = limits::kNote}, m.note);
}

/// An entity's name as the change log, tags and messages write it.
template <typename E>
constexpr std::string_view entityName() {
  if constexpr (std::is_same_v<E, Kommune>) return "kommune";
  if constexpr (std::is_same_v<E, Period>) return "period";
  if constexpr (std::is_same_v<E, Person>) return "person";
  if constexpr (std::is_same_v<E, KkrMember>) return "member";
  if constexpr (std::is_same_v<E, RegionalForum>) return "forum";
  if constexpr (std::is_same_v<E, Appointment>) return "appointment";
  if constexpr (std::is_same_v<E, Meeting>) return "meeting";
}

/// Calls visit(std::type_identity<E>{}) for every entity type E of the register, so code that
/// goes from an entity's name to its type is written once.
template <typename Visit>
void forEachEntity(Visit&& visit) {
  visit(std::type_identity<Kommune>{});
  visit(std::type_identity<Period>{});
  visit(std::type_identity<Person>{});
  visit(std::type_identity<KkrMember>{});
  visit(std::type_identity<RegionalForum>{});
  visit(std::type_identity<Appointment>{});
  visit(std::type_identity<Meeting>{});
}

/// The fields, then the row's bookkeeping: what a response shows and a stored row holds.
template <typename Entity, typename Visit>
void visitFieldsAndMeta(Entity& entity, Visit&& visit) {
  visitFields(entity, visit);
  visitMeta(entity.meta, visit);
}

}  // namespace kkr::domain
