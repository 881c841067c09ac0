// Request bodies (api/src/body_parsing.hpp) on arbitrary bytes, through the public functions
// only: parseJsonObject accepts exactly JSON objects nested at most 64 deep and they survive a
// dump and parse; every body is then tried as a create body and as a merge patch (RFC 7396) of
// a stored row, for each of the seven entities. A refusal is a Validation error whose every entry
// points at a field; an accepted entity keeps every field within its limit (field_limits.hpp),
// its ids positive; its representation reads back as the same entity; a patch changes exactly
// the fields it names, to the values it gives, leaves keys and bookkeeping alone, and applying
// it twice changes nothing more.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "body_parsing.hpp"
#include "fuzz_entities.hpp"
#include "fuzz_support.hpp"
#include "kkr/domain/field_limits.hpp"

namespace {

using nlohmann::json;
namespace domain = kkr::domain;
namespace limits = kkr::domain::limits;

constexpr std::size_t kMaxDepth = 64;

/// Nesting of objects and arrays (a flat object is 1), counted without recursion.
std::size_t depthOf(const json& root) {
  std::size_t deepest = 0;
  std::vector<std::pair<const json*, std::size_t>> open{{&root, 1}};
  while (!open.empty()) {
    const auto [value, depth] = open.back();
    open.pop_back();
    if (!value->is_structured()) continue;
    deepest = std::max(deepest, depth);
    for (const auto& child : *value) open.emplace_back(&child, depth + 1);
  }
  return deepest;
}

/// A row as it is stored: every field set, so that a patch has something to change or clear.
template <typename Entity>
Entity storedRow();

domain::Date day(int year, unsigned month, unsigned dayOfMonth) {
  return domain::Date{std::chrono::year{year}, std::chrono::month{month},
                      std::chrono::day{dayOfMonth}};
}

const domain::RowMeta kMeta{
    .version = 3, .created_at = "2024-01-02T03:04:05Z", .updated_at = "2024-02-03T04:05:06Z"};

template <>
domain::Kommune storedRow() {
  return {.code = "0851", .name = "Aalborg", .region_code = "1081", .meta = kMeta};
}
template <>
domain::Period storedRow() {
  return {.id = "2022-2026",
          .start_date = day(2022, 1, 1),
          .end_date = day(2025, 12, 31),
          .meta = kMeta};
}
template <>
domain::Person storedRow() {
  return {.id = 7,
          .name = "Søren Ærø",
          .other_names = {"S. Ærø"},
          .party = "Ø",
          .kommune_code = "0851",
          .office = domain::Office::Mayor,
          .contact = {.email = "s@example.org", .phone = "+45 1234"},
          .meta = kMeta};
}
template <>
domain::KkrMember storedRow() {
  return {.id = 8,
          .person_id = 7,
          .period_id = "2022-2026",
          .role = domain::MemberRole::Chair,
          .seat_basis = domain::SeatBasis::Mayor,
          .substitute_id = 9,
          .start_date = day(2022, 1, 1),
          .end_date = day(2025, 12, 31),
          .source = "referat",
          .meta = kMeta};
}
template <>
domain::RegionalForum storedRow() {
  return {.id = 5,
          .name = "Vækstforum",
          .kind = domain::ForumKind::Statutory,
          .legal_basis = "lov",
          .kkr_action = domain::KkrAction::Appoints,
          .seats = 2,
          .founded_on = day(2007, 1, 1),
          .dissolved_on = day(2030, 1, 1),
          .successor_id = 6,
          .description = "d",
          .website = "https://example.org",
          .source = "s",
          .note = "n",
          .meta = kMeta};
}
template <>
domain::Appointment storedRow() {
  return {.id = 11,
          .forum_id = 5,
          .person_id = 7,
          .period_id = "2022-2026",
          .role = domain::AppointmentRole::Member,
          .status = domain::AppointmentStatus::Appointed,
          .substitute_for_id = 10,
          .start_date = day(2022, 1, 1),
          .end_date = day(2025, 12, 31),
          .decision_ref = "KKR 2022/1",
          .source = "s",
          .note = "n",
          .meta = kMeta};
}

template <>
domain::Meeting storedRow() {
  return {.id = 12,
          .date = day(2024, 3, 14),
          .place = "Aalborg Rådhus",
          .kind = domain::MeetingKind::Extraordinary,
          .agenda_url = "https://example.org/dagsorden",
          .minutes_url = "https://example.org/referat",
          .note = "n",
          .meta = kMeta};
}

/// Each text field of the representation with its limit in code points (field_limits.hpp).
struct TextField {
  std::string_view name;
  std::size_t limit;
};
template <typename Entity>
constexpr std::initializer_list<TextField> kTextFields = {};
template <>
constexpr std::initializer_list<TextField> kTextFields<domain::Kommune> = {
    {"code", limits::kKommuneCode}, {"name", limits::kName}, {"region_code", limits::kKommuneCode}};
template <>
constexpr std::initializer_list<TextField> kTextFields<domain::Period> = {
    {"id", limits::kPeriodId}};
template <>
constexpr std::initializer_list<TextField> kTextFields<domain::Person> = {
    {"name", limits::kName},   {"other_names", limits::kName},
    {"party", limits::kParty}, {"kommune_code", limits::kKommuneCode},
    {"email", limits::kEmail}, {"phone", limits::kPhone}};
template <>
constexpr std::initializer_list<TextField> kTextFields<domain::KkrMember> = {
    {"period_id", limits::kPeriodId}, {"source", limits::kSource}};
template <>
constexpr std::initializer_list<TextField> kTextFields<domain::RegionalForum> = {
    {"name", limits::kForumName},          {"legal_basis", limits::kLegalBasis},
    {"description", limits::kDescription}, {"website", limits::kWebsite},
    {"source", limits::kSource},           {"note", limits::kNote}};
template <>
constexpr std::initializer_list<TextField> kTextFields<domain::Appointment> = {
    {"period_id", limits::kPeriodId},
    {"decision_ref", limits::kDecisionRef},
    {"source", limits::kSource},
    {"note", limits::kNote}};

template <>
constexpr std::initializer_list<TextField> kTextFields<domain::Meeting> = {
    {"place", limits::kPlace},
    {"agenda_url", limits::kMeetingUrl},
    {"minutes_url", limits::kMeetingUrl},
    {"note", limits::kNote}};

void checkTextWithin(const json& value, std::size_t limit) {
  const auto& text = value.get_ref<const std::string&>();
  KKR_FUZZ_EXPECT(domain::codePointCount(text) <= limit, text);
}

/// An accepted entity, by its representation: texts within their limits, at most 20 other names,
/// referenced ids positive, a forum's seats from 0 to 1000.
template <typename Entity>
void checkWithinLimits(const json& shown) {
  for (const auto& [name, limit] : kTextFields<Entity>) {
    const json& value = shown.at(std::string(name));
    if (value.is_string()) {
      checkTextWithin(value, limit);
    } else if (value.is_array()) {
      KKR_FUZZ_EXPECT(value.size() <= limits::kOtherNames, value.dump());
      for (const auto& item : value) checkTextWithin(item, limit);
    } else {
      KKR_FUZZ_EXPECT(value.is_null(), value.dump());
    }
  }
  for (const auto& [name, value] : shown.items()) {
    if (name.ends_with("_id") && value.is_number())
      KKR_FUZZ_EXPECT(value.get<long long>() > 0, name);
  }
  if (shown.contains("seats") && !shown["seats"].is_null()) {
    KKR_FUZZ_EXPECT(shown["seats"].get<int>() >= 0 && shown["seats"].get<int>() <= 1000,
                    shown["seats"].dump());
  }
}

/// A refusal: a Validation error with at least one entry, each pointing at a top-level member;
/// at most one entry per member and one per missing required field (no entity has 16 of those).
void checkRefusal(const domain::Error& error, const json& body) {
  KKR_FUZZ_EXPECT(error.code == domain::ErrorCode::Validation, error.detail);
  KKR_FUZZ_EXPECT(!error.fields.empty(), error.detail);
  KKR_FUZZ_EXPECT(error.fields.size() <= body.size() + 16, error.detail);
  for (const auto& field : error.fields) {
    KKR_FUZZ_EXPECT(field.pointer.starts_with('/') && !field.detail.empty(), field.pointer);
    KKR_FUZZ_EXPECT(json::json_pointer(field.pointer).parent_pointer().empty(), field.pointer);
  }
}

/// What a client would send to create `entity` again: its representation without bookkeeping
/// (the key stays for Kommune and Period, whose key is given on create).
template <typename Entity>
json createBodyFor(const json& shown) {
  json body = shown;
  for (const char* bookkeeping : {"version", "created_at", "updated_at"}) body.erase(bookkeeping);
  if constexpr (!std::is_same_v<Entity, domain::Period>) body.erase("id");
  return body;
}

template <typename Entity>
void checkCreate(const json& body) {
  const auto created = kkr::api::entityFromCreate<Entity>(body);
  if (!created) {
    checkRefusal(created.error(), body);
    return;
  }
  const json shown = kkr::fuzz::representationOf(*created);
  checkWithinLimits<Entity>(shown);
  const auto again = kkr::api::entityFromCreate<Entity>(createBodyFor<Entity>(shown));
  KKR_FUZZ_EXPECT(again.has_value(), shown.dump());
  KKR_FUZZ_EXPECT(*again == *created, shown.dump());
}

/// What the representation shows for a patch value: a null list of names is an empty list.
json shownAfterPatch(const std::string& name, const json& value) {
  return value.is_null() && name == "other_names" ? json::array() : value;
}

template <typename Entity>
void checkPatch(const json& patch) {
  const Entity stored = storedRow<Entity>();
  const auto patched = kkr::api::applyMergePatch(stored, patch);
  if (!patched) {
    checkRefusal(patched.error(), patch);
    return;
  }
  KKR_FUZZ_EXPECT(patched->meta == stored.meta, patch.dump());
  const json before = kkr::fuzz::representationOf(stored);
  const json after = kkr::fuzz::representationOf(*patched);
  checkWithinLimits<Entity>(after);
  for (const auto& [name, value] : patch.items()) KKR_FUZZ_EXPECT(before.contains(name), name);
  for (const auto& [name, value] : before.items()) {
    const json expected = patch.contains(name) ? shownAfterPatch(name, patch[name]) : value;
    KKR_FUZZ_EXPECT(after[name] == expected, name + ": " + after[name].dump());
  }
  const auto twice = kkr::api::applyMergePatch(*patched, patch);
  KKR_FUZZ_EXPECT(twice.has_value() && *twice == *patched, patch.dump());
}

/// A body parseJsonObject accepted: an object within the nesting cap that survives dump + parse.
void checkParsed(const json& body) {
  KKR_FUZZ_EXPECT(body.is_object(), body.dump());
  KKR_FUZZ_EXPECT(depthOf(body) <= kMaxDepth, "nested too deeply");
  const auto reparsed = kkr::api::parseJsonObject(body.dump());
  KKR_FUZZ_EXPECT(reparsed.has_value() && *reparsed == body, body.dump());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kkr::fuzz::run([&] {
    const auto body = kkr::api::parseJsonObject(kkr::fuzz::asText(data, size));
    if (!body) {
      KKR_FUZZ_EXPECT(body.error().code == domain::ErrorCode::Malformed, body.error().detail);
      return;
    }
    checkParsed(*body);
    kkr::fuzz::forEachEntityType([&]<typename Entity>() {
      checkCreate<Entity>(*body);
      checkPatch<Entity>(*body);
    });
  });
}
