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

/// A person's other_names: absent, null or an array of non-empty strings.
std::vector<std::string> otherNames(const json& person, const std::string& base) {
  std::vector<std::string> names;
  auto it = person.find("other_names");
  if (it == person.end() || it->is_null()) return names;
  if (!it->is_array()) throw BadField(at(base, "other_names"), "must be an array");
  for (std::size_t n = 0; n < it->size(); ++n) {
    const auto& name = (*it)[n];
    if (!name.is_string() || name.get<std::string>().empty()) {
      throw BadField(at(at(base, "other_names"), n), "must be a non-empty string");
    }
    names.push_back(name.get<std::string>());
  }
  return names;
}

/// A forum's seats: absent, null or an integer from 0 to 1000.
std::optional<int> seats(const json& forum, const std::string& base) {
  auto it = forum.find("seats");
  if (it == forum.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1000) {
    throw BadField(at(base, "seats"), "must be an integer from 0 to 1000 or null");
  }
  return it->get<int>();
}

/// Reads every element of the array `key` of the root with `readOne(element, pointer)`.
template <typename ReadOne>
void readEach(const json& root, const char* key, ReadOne&& readOne) {
  const auto& elements = array(root, "", key);
  for (std::size_t i = 0; i < elements.size(); ++i) {
    readOne(elements[i], at(std::string("/") + key, i));
  }
}

RefPerson readPerson(const json& p, const std::string& base) {
  RefPerson person;
  person.name = text(p, base, "name");
  person.other_names = otherNames(p, base);
  person.party = optText(p, base, "party");
  person.kommune_code = code(p, base, "kommune_code");
  person.office = optSpelling<domain::Office>(p, base, "office");
  return person;
}

/// A member names its person by name and kommune_code, which must match an entry of `persons`.
RefMember readMember(const json& m, const std::string& base,
                     const std::vector<RefPerson>& persons) {
  RefMember member;
  const auto name = text(m, base, "person");
  const auto kommune = code(m, base, "kommune_code");
  auto person = std::find_if(persons.begin(), persons.end(), [&](const RefPerson& p) {
    return p.name == name && p.kommune_code == kommune;
  });
  if (person == persons.end()) {
    throw BadField(at(base, "person"), "names no entry of /persons with that kommune_code");
  }
  member.person = static_cast<std::size_t>(person - persons.begin());
  member.period_id = text(m, base, "period_id");
  member.role = spelling<domain::MemberRole>(m, base, "role");
  member.seat_basis = spelling<domain::SeatBasis>(m, base, "seat_basis");
  member.start_date = date(m, base, "start_date");
  member.end_date = optDate(m, base, "end_date");
  member.source = optText(m, base, "source");
  return member;
}

RefForum readForum(const json& f, const std::string& base) {
  RefForum forum;
  forum.name = text(f, base, "name");
  forum.kind = spelling<domain::ForumKind>(f, base, "kind");
  forum.kkr_action = spelling<domain::KkrAction>(f, base, "kkr_action");
  forum.seats = seats(f, base);
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
  return forum;
}

ReferenceData read(const json& root) {
  ReferenceData data;
  const std::string regionCode = code(required(root, "", "region"), "/region", "code");
  readEach(root, "kommuner", [&](const json& k, const std::string& base) {
    data.kommuner.push_back({code(k, base, "code"), text(k, base, "name"), regionCode});
  });
  readEach(root, "periods", [&](const json& p, const std::string& base) {
    data.periods.push_back(
        {text(p, base, "id"), date(p, base, "start_date"), optDate(p, base, "end_date")});
  });
  readEach(root, "persons", [&](const json& p, const std::string& base) {
    data.persons.push_back(readPerson(p, base));
  });
  readEach(root, "members", [&](const json& m, const std::string& base) {
    data.members.push_back(readMember(m, base, data.persons));
  });
  readEach(root, "forums", [&](const json& f, const std::string& base) {
    data.forums.push_back(readForum(f, base));
  });
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
