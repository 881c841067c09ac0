#pragma once
// Every resource of the register, described once: its names, how a path names one, which query
// parameters filter its list, what a representation may embed, and who may write it. The generic
// handlers (reads.cpp, writes.cpp) and the route table (routes.cpp) serve every resource from
// these descriptions; docs/architecture.md says how to add one.

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "kkr/domain/entities.hpp"
#include "kkr/domain/fields.hpp"
#include "kkr/domain/queries.hpp"
#include "kkr/domain/register_commands.hpp"
#include "kkr/domain/snapshot.hpp"
#include "kkr/domain/validation.hpp"

#include "../params.hpp"

namespace kkr::api::handlers {

// A description has: `entity` and `collection` (the names in messages, tags and paths), `Key`,
// `param`, `parseKey` and `key_shape` (how a path names one, and what a bad one is told), `key`,
// `find` (the item in a snapshot), `Filter`, `filters` and `readFilter` (the list's own query
// parameters), `list` (a filtered page, domain/queries.hpp) and `embeds`.
template <typename E>
struct Resource;

/// The query parameters every list takes besides its filters (params.hpp: page(), format).
inline constexpr std::array<std::string_view, 3> kListParameters{"limit", "cursor", "format"};

/// The `party` filter's bound in the contract: looser than a stored party letter
/// (limits::kParty), so an unusual spelling finds nothing instead of being refused.
inline constexpr std::size_t kPartyFilterLength = 16;

/// Resources keyed by a numeric id share their key handling.
template <typename E>
struct NumericKey {
  using Key = domain::Id;
  static constexpr std::string_view param = "id";
  static constexpr std::string_view key_shape = "must be a positive integer";
  static std::string key(const E& e) { return std::to_string(e.id); }
  static std::optional<Key> parseKey(std::string_view raw) { return parseId(raw); }
};

template <>
struct Resource<domain::Kommune> {
  using Key = std::string;
  using Filter = domain::KommuneFilter;
  static constexpr std::string_view entity = domain::entityName<domain::Kommune>();
  static constexpr std::string_view collection = "kommuner";
  static constexpr std::string_view param = "code";
  static constexpr std::string_view key_shape = "must be a kommune code of 4 digits, such as 0851";
  static constexpr std::array<std::string_view, 1> filters{"q"};
  static constexpr std::array<std::string_view, 0> embeds{};

  static std::string key(const domain::Kommune& k) { return k.code; }
  /// DAWA writes kommunekoder without the leading zero ("851"); both spellings name one kommune.
  static std::optional<Key> parseKey(std::string_view raw) {
    return domain::normalizeKommuneCode(raw);
  }
  static constexpr auto find = &domain::RegisterSnapshot::kommune;
  static constexpr auto table = &domain::RegisterSnapshot::kommuner;
  static Filter readFilter(QueryReader& query) {
    Filter filter;
    filter.q = query.text("q");
    return filter;
  }
  static constexpr auto list = &domain::listKommuner;
};

template <>
struct Resource<domain::Period> {
  using Key = std::string;
  using Filter = domain::PeriodFilter;
  static constexpr std::string_view entity = domain::entityName<domain::Period>();
  static constexpr std::string_view collection = "periods";
  static constexpr std::string_view param = "id";
  static constexpr std::string_view key_shape = "must be a period id such as 2022-2026";
  static constexpr std::array<std::string_view, 1> filters{"at"};
  static constexpr std::array<std::string_view, 0> embeds{};

  static std::string key(const domain::Period& p) { return p.id; }
  /// The shape only, as for every period id in a path or query (params.hpp); the years are
  /// checked by validation when a period is written.
  static std::optional<Key> parseKey(std::string_view raw) {
    if (!isPeriodId(raw)) return std::nullopt;
    return std::string(raw);
  }
  static constexpr auto find = &domain::RegisterSnapshot::period;
  static constexpr auto table = &domain::RegisterSnapshot::periods;
  static Filter readFilter(QueryReader& query) {
    Filter filter;
    filter.at = query.date("at");
    return filter;
  }
  static constexpr auto list = &domain::listPeriods;
};

template <>
struct Resource<domain::Person> : NumericKey<domain::Person> {
  using Filter = domain::PersonFilter;
  static constexpr std::string_view entity = domain::entityName<domain::Person>();
  static constexpr std::string_view collection = "persons";
  static constexpr std::array<std::string_view, 4> filters{"kommune_code", "party", "office", "q"};
  static constexpr std::array<std::string_view, 0> embeds{};

  static constexpr auto find = &domain::RegisterSnapshot::person;
  static constexpr auto table = &domain::RegisterSnapshot::persons;
  static Filter readFilter(QueryReader& query) {
    Filter filter;
    filter.kommune_code = query.kommuneCode("kommune_code");
    filter.party = query.text("party", kPartyFilterLength);
    filter.office = query.oneOf<domain::Office>("office");
    filter.q = query.text("q");
    return filter;
  }
  static constexpr auto list = &domain::listPersons;
};

template <>
struct Resource<domain::KkrMember> : NumericKey<domain::KkrMember> {
  using Filter = domain::MemberFilter;
  static constexpr std::string_view entity = domain::entityName<domain::KkrMember>();
  static constexpr std::string_view collection = "members";
  static constexpr std::array<std::string_view, 8> filters{
      "period_id", "person_id", "kommune_code", "party", "role", "seat_basis", "at", "decided_at"};
  static constexpr std::array<std::string_view, 1> embeds{"person"};

  static constexpr auto find = &domain::RegisterSnapshot::member;
  static constexpr auto table = &domain::RegisterSnapshot::members;
  static Filter readFilter(QueryReader& query) {
    Filter filter;
    filter.period_id = query.periodId("period_id");
    filter.person_id = query.id("person_id");
    filter.kommune_code = query.kommuneCode("kommune_code");
    filter.party = query.text("party", kPartyFilterLength);
    filter.role = query.oneOf<domain::MemberRole>("role");
    filter.seat_basis = query.oneOf<domain::SeatBasis>("seat_basis");
    filter.at = query.date("at");
    filter.decided_at = query.id("decided_at");
    return filter;
  }
  static constexpr auto list = &domain::listMembers;
};

template <>
struct Resource<domain::RegionalForum> : NumericKey<domain::RegionalForum> {
  using Filter = domain::ForumFilter;
  static constexpr std::string_view entity = domain::entityName<domain::RegionalForum>();
  static constexpr std::string_view collection = "forums";
  static constexpr std::array<std::string_view, 4> filters{"kind", "kkr_action", "at", "q"};
  static constexpr std::array<std::string_view, 0> embeds{};

  static constexpr auto find = &domain::RegisterSnapshot::forum;
  static constexpr auto table = &domain::RegisterSnapshot::forums;
  static Filter readFilter(QueryReader& query) {
    Filter filter;
    filter.kind = query.oneOf<domain::ForumKind>("kind");
    filter.kkr_action = query.oneOf<domain::KkrAction>("kkr_action");
    filter.at = query.date("at");
    filter.q = query.text("q");
    return filter;
  }
  static constexpr auto list = &domain::listForums;
};

template <>
struct Resource<domain::Appointment> : NumericKey<domain::Appointment> {
  using Filter = domain::AppointmentFilter;
  static constexpr std::string_view entity = domain::entityName<domain::Appointment>();
  static constexpr std::string_view collection = "appointments";
  static constexpr std::array<std::string_view, 9> filters{
      "forum_id", "person_id", "period_id", "kommune_code", "party",
      "role",     "status",    "at",        "decided_at"};
  static constexpr std::array<std::string_view, 2> embeds{"person", "forum"};

  static constexpr auto find = &domain::RegisterSnapshot::appointment;
  static constexpr auto table = &domain::RegisterSnapshot::appointments;
  static Filter readFilter(QueryReader& query) {
    Filter filter;
    filter.forum_id = query.id("forum_id");
    filter.person_id = query.id("person_id");
    filter.period_id = query.periodId("period_id");
    filter.kommune_code = query.kommuneCode("kommune_code");
    filter.party = query.text("party", kPartyFilterLength);
    filter.role = query.oneOf<domain::AppointmentRole>("role");
    filter.status = query.oneOf<domain::AppointmentStatus>("status");
    filter.at = query.date("at");
    filter.decided_at = query.id("decided_at");
    return filter;
  }
  static constexpr auto list = &domain::listAppointments;
};

/// What a meeting decided is listed by the decided_at filters of /v1/members and
/// /v1/appointments, so it pages, embeds and renders as CSV like any list of those.
template <>
struct Resource<domain::Meeting> : NumericKey<domain::Meeting> {
  using Filter = domain::MeetingFilter;
  static constexpr std::string_view entity = domain::entityName<domain::Meeting>();
  static constexpr std::string_view collection = "meetings";
  static constexpr std::array<std::string_view, 3> filters{"kind", "from", "to"};
  static constexpr std::array<std::string_view, 0> embeds{};

  static constexpr auto find = &domain::RegisterSnapshot::meeting;
  static constexpr auto table = &domain::RegisterSnapshot::meetings;
  static Filter readFilter(QueryReader& query) {
    Filter filter;
    filter.kind = query.oneOf<domain::MeetingKind>("kind");
    filter.from = query.date("from");
    filter.to = query.date("to");
    return filter;
  }
  static constexpr auto list = &domain::listMeetings;
};

/// A key as it is shown in messages and tags.
inline std::string keyText(const std::string& key) { return key; }
inline std::string keyText(domain::Id id) { return std::to_string(id); }

/// "/v1/persons", where the collection of E lives.
template <typename E>
std::string collectionPath() {
  return "/v1/" + std::string(Resource<E>::collection);
}

/// The role a caller needs to write E: the use-case layer's rule, so the route table and the
/// use case cannot disagree.
template <typename E>
domain::Role writeRole() {
  return domain::RegisterCommands::requiredRole<E>();
}

}  // namespace kkr::api::handlers
