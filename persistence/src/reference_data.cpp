#include "reference_data.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "kkr/domain/date.hpp"
#include "kkr/domain/enums.hpp"
#include "kkr/domain/ids.hpp"

namespace kkr::persistence {

namespace {

using nlohmann::json;

/// A problem at one place in the file; turned into a field error at the end.
struct BadField : std::runtime_error {
  BadField(std::string at, const std::string& detail)
      : std::runtime_error(detail), pointer(std::move(at)) {}
  std::string pointer;
};

std::string at(const std::string& base, const std::string& key) { return base + "/" + key; }
std::string at(const std::string& base, std::size_t index) {
  return base + "/" + std::to_string(index);
}

const json& required(const json& object, const std::string& base, const char* key) {
  if (!object.is_object()) throw BadField(base, "must be an object");
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) throw BadField(at(base, key), "is required");
  return *it;
}

const json& array(const json& object, const std::string& base, const char* key) {
  const auto& value = required(object, base, key);
  if (!value.is_array()) throw BadField(at(base, key), "must be an array");
  return value;
}

std::string text(const json& object, const std::string& base, const char* key) {
  const auto& value = required(object, base, key);
  if (!value.is_string() || value.get<std::string>().empty()) {
    throw BadField(at(base, key), "must be a non-empty string");
  }
  return value.get<std::string>();
}

/// Absent and null both mean "not confirmed": stored as NULL, never guessed.
std::optional<std::string> optText(const json& object, const std::string& base, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string() || it->get<std::string>().empty()) {
    throw BadField(at(base, key), "must be a non-empty string or null");
  }
  return it->get<std::string>();
}

std::string date(const json& object, const std::string& base, const char* key) {
  auto value = text(object, base, key);
  if (!domain::parseDate(value)) throw BadField(at(base, key), "must be a date YYYY-MM-DD");
  return value;
}

std::optional<std::string> optDate(const json& object, const std::string& base, const char* key) {
  auto value = optText(object, base, key);
  if (value && !domain::parseDate(*value)) {
    throw BadField(at(base, key), "must be a date YYYY-MM-DD or null");
  }
  return value;
}

template <typename E>
std::string spelling(const json& object, const std::string& base, const char* key) {
  auto value = text(object, base, key);
  if (!domain::parseEnum<E>(value)) throw BadField(at(base, key), "unknown value '" + value + "'");
  return value;
}

template <typename E>
std::optional<std::string> optSpelling(const json& object, const std::string& base,
                                       const char* key) {
  auto value = optText(object, base, key);
  if (value && !domain::parseEnum<E>(*value)) {
    throw BadField(at(base, key), "unknown value '" + *value + "'");
  }
  return value;
}

std::string code(const json& object, const std::string& base, const char* key) {
  auto value = text(object, base, key);
  if (!domain::isFourDigitCode(value)) throw BadField(at(base, key), "must be four digits");
  return value;
}

ReferenceData read(const json& root) {
  ReferenceData data;
  const std::string regionCode = code(required(root, "", "region"), "/region", "code");

  const auto& kommuner = array(root, "", "kommuner");
  for (std::size_t i = 0; i < kommuner.size(); ++i) {
    const auto base = at("/kommuner", i);
    data.kommuner.push_back(
        {code(kommuner[i], base, "code"), text(kommuner[i], base, "name"), regionCode});
  }

  const auto& periods = array(root, "", "periods");
  for (std::size_t i = 0; i < periods.size(); ++i) {
    const auto base = at("/periods", i);
    data.periods.push_back({text(periods[i], base, "id"), date(periods[i], base, "start_date"),
                            optDate(periods[i], base, "end_date")});
  }

  const auto& persons = array(root, "", "persons");
  for (std::size_t i = 0; i < persons.size(); ++i) {
    const auto base = at("/persons", i);
    RefPerson p;
    p.name = text(persons[i], base, "name");
    if (auto it = persons[i].find("other_names"); it != persons[i].end() && !it->is_null()) {
      if (!it->is_array()) throw BadField(at(base, "other_names"), "must be an array");
      for (std::size_t n = 0; n < it->size(); ++n) {
        const auto& name = (*it)[n];
        if (!name.is_string() || name.get<std::string>().empty()) {
          throw BadField(at(at(base, "other_names"), n), "must be a non-empty string");
        }
        p.other_names.push_back(name.get<std::string>());
      }
    }
    p.party = optText(persons[i], base, "party");
    p.kommune_code = code(persons[i], base, "kommune_code");
    p.office = optSpelling<domain::Office>(persons[i], base, "office");
    data.persons.push_back(std::move(p));
  }

  const auto& members = array(root, "", "members");
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto base = at("/members", i);
    RefMember m;
    const auto name = text(members[i], base, "person");
    const auto kommune = code(members[i], base, "kommune_code");
    auto person = std::find_if(data.persons.begin(), data.persons.end(), [&](const RefPerson& p) {
      return p.name == name && p.kommune_code == kommune;
    });
    if (person == data.persons.end()) {
      throw BadField(at(base, "person"), "names no entry of /persons with that kommune_code");
    }
    m.person = static_cast<std::size_t>(person - data.persons.begin());
    m.period_id = text(members[i], base, "period_id");
    m.role = spelling<domain::MemberRole>(members[i], base, "role");
    m.seat_basis = spelling<domain::SeatBasis>(members[i], base, "seat_basis");
    m.start_date = date(members[i], base, "start_date");
    m.end_date = optDate(members[i], base, "end_date");
    m.source = optText(members[i], base, "source");
    data.members.push_back(std::move(m));
  }

  const auto& forums = array(root, "", "forums");
  for (std::size_t i = 0; i < forums.size(); ++i) {
    const auto base = at("/forums", i);
    const auto& f = forums[i];
    RefForum forum;
    forum.name = text(f, base, "name");
    forum.kind = spelling<domain::ForumKind>(f, base, "kind");
    forum.kkr_action = spelling<domain::KkrAction>(f, base, "kkr_action");
    if (auto it = f.find("seats"); it != f.end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1000) {
        throw BadField(at(base, "seats"), "must be an integer from 0 to 1000 or null");
      }
      forum.seats = it->get<int>();
    }
    forum.legal_basis = optText(f, base, "legal_basis");
    forum.founded_on = optDate(f, base, "founded_on");
    forum.dissolved_on = optDate(f, base, "dissolved_on");
    forum.description = optText(f, base, "description");
    forum.website = optText(f, base, "website");
    forum.source = optText(f, base, "source");
    // The table has one note column: what is unconfirmed and what is planned for the forum's
    // end both belong there (dissolved_on stays empty until a day is confirmed).
    auto note = optText(f, base, "note");
    if (auto dissolution = optText(f, base, "dissolution_note")) {
      note = (note ? *note + ". " : std::string()) + "Dissolution: " + *dissolution;
    }
    forum.note = std::move(note);
    data.forums.push_back(std::move(forum));
  }
  return data;
}

}  // namespace

domain::Result<ReferenceData> parseReferenceData(std::string_view text) {
  const auto root = json::parse(text, nullptr, false);
  if (root.is_discarded()) {
    return domain::fail(domain::Error::malformed("the reference data is not valid JSON"));
  }
  try {
    return read(root);
  } catch (const BadField& e) {
    return domain::fail(domain::Error::validation(
        "the reference data is invalid", {{e.pointer.empty() ? "/" : e.pointer, e.what()}}));
  }
}

}  // namespace kkr::persistence
